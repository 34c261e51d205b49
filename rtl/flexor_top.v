// SPDX-License-Identifier: Apache-2.0
// flexor_top: the FleXOR accelerator (docs/accelerator.md, interface version 1.2).
// Command stream in, result stream out; LANES output channels in parallel, one N_out-weight chunk
// per lane per cycle once a RUN is going. Blocks: flexor_cmd (parser, LOADs); flexor_ctrl (the RUN:
// flexor_argchk argument checks, flexor_seq loops and token pipeline, flexor_writer result double
// buffer and serialiser); per lane flexor_lane (decrypt, add/sub tree, accumulate) with its weight,
// parameter and offset RAMs; flexor_amem (two activation buffers); RUNX (a contract-2.0 layer walked
// on chip) adds flexor_gather (columns from the input tensor, column buffer) inside flexor_ctrl. A RUN takes N·G·q·CH cycles (+ N·G·q in straddle mode) plus
// a fixed overhead of 11 + LANES cycles; details in docs/rtl.md.
// The only module that includes the generated configuration: every FXC_<NAME> is renamed <NAME> once
// below and reaches the blocks as their parameter <NAME>. Ports are declared in the body (non-ANSI)
// so their widths can use those values.
`timescale 1ns / 1ps
`default_nettype none

module flexor_top (
  clk_i, rst_ni,
  in_valid_i, in_ready_o, in_data_i,
  out_valid_o, out_ready_i, out_data_o, out_last_o,
  busy_o, err_o, err_code_o,
  cnt_cycles_o, cnt_busy_o, cnt_stall_o, cnt_slices_o,
  tap_valid_o, tap_chunk_o, tap_plane_o, tap_grp_o, tap_col_o, tap_dec_o, tap_psum_o,
  tap_acc_valid_o, tap_acc_o, tap_acc_col_o, tap_acc_grp_o, tap_acc_plane_o,
  tap_gat_valid_o, tap_gat_col_o, tap_gat_chunk_o, tap_gat_data_o,
  tap_wr_valid_o, tap_wr_addr_o, tap_wr_data_o
);
  /* verilator lint_off UNUSEDPARAM */
  `include "flexor_config.vh"
  /* verilator lint_on UNUSEDPARAM */
  localparam integer N_OUT = FXC_N_OUT, LANES = FXC_LANES, Q_MAX = FXC_Q_MAX, K_MAX = FXC_K_MAX;
  localparam integer PSUM_W = FXC_PSUM_W, ACC_W = FXC_ACC_W, SUM_W = FXC_SUM_W;
  localparam integer WMEM_DEPTH = FXC_WMEM_DEPTH, PMEM_DEPTH = FXC_PMEM_DEPTH, AMEM_DEPTH = FXC_AMEM_DEPTH;
  localparam integer P_WORDS = FXC_P_WORDS, A_WORDS = FXC_A_WORDS, N_IN_COUNT = FXC_N_IN_COUNT;
  localparam [8*N_IN_COUNT-1:0]        N_IN_LIST = FXC_N_IN_LIST;
  localparam [32*N_OUT*N_IN_COUNT-1:0] MXOR_ALL  = FXC_MXOR_ALL;
  localparam [31:0]                    HASH      = FXC_HASH;
  // Derived widths.
  localparam integer SEL_W        = $clog2(N_IN_COUNT + 1);         // decryptor select, N_IN_COUNT = bypass
  localparam integer OM_W         = (N_OUT > 1) ? $clog2(N_OUT) : 1; // straddle offset o_m
  localparam integer PARAM_W      = 32 * (P_WORDS - 1);              // bias + alpha pairs (o_m kept apart)
  localparam integer LANE_IDX_W   = (LANES > 1) ? $clog2(LANES) : 1;
  localparam integer LANE_COUNT_W = $clog2(LANES + 1);
  localparam integer WMEM_AW      = $clog2(WMEM_DEPTH);
  localparam integer PMEM_AW      = $clog2(PMEM_DEPTH);
  localparam integer AMEM_AW      = $clog2(AMEM_DEPTH);
  localparam integer A_LOAD_W     = 32 * A_WORDS;                    // a chunk as LOAD_A words
  localparam integer P_LAST_IDX   = P_WORDS - 1;
  localparam [7:0]   P_LAST       = P_LAST_IDX[7:0];                 // LOAD_P word holding o_m

  input  wire                  clk_i;
  input  wire                  rst_ni;
  input  wire                  in_valid_i;
  output wire                  in_ready_o;
  input  wire [31:0]           in_data_i;
  output wire                  out_valid_o;
  input  wire                  out_ready_i;
  output wire [31:0]           out_data_o;
  output wire                  out_last_o;
  output wire                  busy_o;
  output wire                  err_o;
  output wire [7:0]            err_code_o;
  output reg  [63:0]           cnt_cycles_o;
  output reg  [63:0]           cnt_busy_o;
  output reg  [63:0]           cnt_stall_o;
  output reg  [63:0]           cnt_slices_o;
  output wire                  tap_valid_o;
  output wire [15:0]           tap_chunk_o;
  output wire [3:0]            tap_plane_o;
  output wire [15:0]           tap_grp_o;
  output wire [15:0]           tap_col_o;
  output wire [LANES*N_OUT-1:0]  tap_dec_o;
  output wire [LANES*PSUM_W-1:0] tap_psum_o;
  output wire                  tap_acc_valid_o;
  output wire [LANES*ACC_W-1:0]  tap_acc_o;
  output wire [15:0]           tap_acc_col_o;
  output wire [15:0]           tap_acc_grp_o;
  output wire [3:0]            tap_acc_plane_o;
  output wire                  tap_gat_valid_o;   // RUNX: a column chunk the gather wrote
  output wire [15:0]           tap_gat_col_o;
  output wire [15:0]           tap_gat_chunk_o;
  output wire [N_OUT*8-1:0]    tap_gat_data_o;
  output wire                  tap_wr_valid_o;    // RUNX: a word written into the destination buffer
  output wire [15:0]           tap_wr_addr_o;
  output wire [N_OUT*8-1:0]    tap_wr_data_o;

  // ---------------- command parser ----------------
  wire            wm_we, pm_we, am_we_cmd, am_buf_cmd, run_start, run_done, run_err, running, clear_cnt;
  wire            cmd_busy, id_valid, id_last, run_valid, run_last;
  wire [31:0]     id_data, run_data;
  wire [LANE_IDX_W-1:0] mem_lane;
  wire [31:0]     mem_addr;
  wire [7:0]      pm_word;
  wire [12*32-1:0] run_args;
  wire            run_x;
  wire [7:0]      run_err_code;

  flexor_cmd #(
    .LANES(LANES), .P_WORDS(P_WORDS), .A_WORDS(A_WORDS),
    .WMEM_DEPTH(WMEM_DEPTH), .PMEM_DEPTH(PMEM_DEPTH), .AMEM_DEPTH(AMEM_DEPTH), .HASH(HASH)
  ) u_cmd (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o, .in_data_i,
    .wm_we_o(wm_we), .pm_we_o(pm_we), .am_we_o(am_we_cmd), .mem_lane_o(mem_lane), .am_buf_o(am_buf_cmd),
    .mem_addr_o(mem_addr), .pm_word_o(pm_word),
    .run_start_o(run_start), .run_args_o(run_args), .run_x_o(run_x), .run_done_i(run_done), .run_err_i(run_err),
    .run_err_code_i(run_err_code), .running_o(running), .clear_cnt_o(clear_cnt),
    .id_valid_o(id_valid), .id_ready_i(out_ready_i), .id_data_o(id_data), .id_last_o(id_last),
    .busy_o(cmd_busy), .err_o, .err_code_o);

  // ---------------- RUN: argument checks, sequencer, writer (flexor_ctrl) ----------------
  wire               adv, exec, stall, v1, straddle, v3, first3, last3;
  wire [WMEM_AW-1:0] w_raddr;
  wire [AMEM_AW-1:0] a_raddr, a_waddr_run;
  wire               a_rbuf, a_we_run, a_wbuf_run, a_re, x_run;
  wire [N_OUT*8-1:0] a_rdata, cb_rdata;
  wire [PMEM_AW-1:0] o_raddr, p_raddr;
  wire [SEL_W-1:0]   sel;
  wire [3:0]         plane3;
  wire [LANES*SUM_W-1:0] t_all;
  wire [N_OUT*8-1:0] a_wdata_run;
  wire [N_OUT-1:0]   a_wbe_run;
  wire [LANE_COUNT_W-1:0] slices_inc;

  flexor_ctrl #(
    .N_OUT(N_OUT), .LANES(LANES), .Q_MAX(Q_MAX), .K_MAX(K_MAX), .SUM_W(SUM_W),
    .WMEM_DEPTH(WMEM_DEPTH), .PMEM_DEPTH(PMEM_DEPTH), .AMEM_DEPTH(AMEM_DEPTH),
    .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(N_IN_LIST), .SEL_W(SEL_W)
  ) u_ctrl (
    .clk_i, .rst_ni, .start_i(run_start), .args_i(run_args), .x_i(run_x),
    .done_o(run_done), .err_o(run_err), .err_code_o(run_err_code), .exec_o(exec), .adv_o(adv),
    .w_raddr_o(w_raddr), .a_re_o(a_re), .a_raddr_o(a_raddr), .a_rbuf_o(a_rbuf), .a_rdata_i(a_rdata),
    .x_o(x_run), .cb_rdata_o(cb_rdata), .o_raddr_o(o_raddr), .p_raddr_o(p_raddr),
    .v1_o(v1), .sel_o(sel), .straddle_o(straddle), .v3_o(v3), .first3_o(first3), .last3_o(last3),
    .plane3_o(plane3), .t_i(t_all),
    .a_we_o(a_we_run), .a_wbuf_o(a_wbuf_run), .a_waddr_o(a_waddr_run), .a_wdata_o(a_wdata_run),
    .a_wbe_o(a_wbe_run),
    .out_valid_o(run_valid), .out_ready_i, .out_data_o(run_data), .out_last_o(run_last),
    .tap_valid_o, .tap_chunk_o, .tap_plane_o, .tap_grp_o, .tap_col_o,
    .tap_acc_valid_o, .tap_acc_col_o, .tap_acc_grp_o, .tap_acc_plane_o,
    .slices_inc_o(slices_inc), .stall_o(stall),
    .tap_gat_valid_o, .tap_gat_col_o, .tap_gat_chunk_o, .tap_gat_data_o,
    .tap_wr_valid_o, .tap_wr_addr_o, .tap_wr_data_o);

  // ---------------- activation buffers ----------------
  // LOAD_A word w of a chunk carries bytes 4w..4w+3 (bytes >= N_OUT of the last word are dropped).
  /* verilator lint_off UNUSEDSIGNAL */
  wire [A_LOAD_W-1:0]   ld_wide = {{(A_LOAD_W-32){1'b0}}, in_data_i} << (32 * pm_word);
  wire [4*A_WORDS-1:0] ld_be = {{(4*A_WORDS-4){1'b0}}, 4'hF} << (4 * pm_word);
  wire [31:0]      mem_addr_unused = mem_addr;
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [N_OUT*8-1:0]  act_q;  // S2: the chunk every lane multiplies
  wire [N_OUT*8-1:0]  act_s1 = x_run ? cb_rdata : a_rdata;  // RUNX: the gather's column buffer

  flexor_amem #(.N_OUT(N_OUT), .AMEM_DEPTH(AMEM_DEPTH), .AMEM_AW(AMEM_AW)) u_amem (
    .clk_i,
    .we_i   (exec ? a_we_run    : am_we_cmd),
    .wbuf_i (exec ? a_wbuf_run  : am_buf_cmd),
    .waddr_i(exec ? a_waddr_run : mem_addr[AMEM_AW-1:0]),
    .wdata_i(exec ? a_wdata_run : ld_wide[N_OUT*8-1:0]),
    .wbe_i  (exec ? a_wbe_run   : ld_be[N_OUT-1:0]),
    .re_i(a_re), .rbuf_i(a_rbuf), .raddr_i(a_raddr), .rdata_o(a_rdata));

  // The chunk's activation sum, shared by every lane's partial sum (p = 2*pos - asum), summed in S1.
  reg [PSUM_W-1:0] asum, asum_q;
  integer b;
  always @* begin
    asum = {PSUM_W{1'b0}};
    for (b = 0; b < N_OUT; b = b + 1) asum = asum + {{(PSUM_W-8){1'b0}}, act_s1[8*b +: 8]};
  end

  always @(posedge clk_i) begin
    if (adv) begin
      act_q  <= act_s1;
      asum_q <= asum;
    end
  end

  // ---------------- lanes ----------------
  genvar l;
  generate
    for (l = 0; l < LANES; l = l + 1) begin : g_lane
      wire [N_OUT-1:0]   w_rdata;
      wire [PARAM_W-1:0]   p_rdata;
      wire [OM_W-1:0] o_rdata;
      wire            sel_lane = mem_lane == l[LANE_IDX_W-1:0];

      flexor_ram #(.W(N_OUT), .DEPTH(WMEM_DEPTH), .AW(WMEM_AW)) u_wmem (
        .clk_i, .we_i(wm_we && sel_lane), .waddr_i(mem_addr[WMEM_AW-1:0]), .wdata_i(in_data_i[N_OUT-1:0]),
        .wseg_i(1'b1), .re_i(adv), .raddr_i(w_raddr), .rdata_o(w_rdata));

      // LOAD_P words 0 .. P_WORDS-2 (bias, alpha pairs) go to the parameter RAM, 32 bits each.
      flexor_ram #(.W(PARAM_W), .DEPTH(PMEM_DEPTH), .SEG(32), .AW(PMEM_AW)) u_pmem (
        .clk_i, .we_i(pm_we && sel_lane && pm_word < P_LAST), .waddr_i(mem_addr[PMEM_AW-1:0]),
        .wdata_i({(P_WORDS-1){in_data_i}}),
        .wseg_i({{(P_WORDS-2){1'b0}}, 1'b1} << pm_word),
        .re_i(adv), .raddr_i(p_raddr), .rdata_o(p_rdata));

      // The last LOAD_P word (straddle offset o_m) goes to its own RAM: it is read at S1, not S3.
      flexor_ram #(.W(OM_W), .DEPTH(PMEM_DEPTH), .AW(PMEM_AW)) u_omem (
        .clk_i, .we_i(pm_we && sel_lane && pm_word == P_LAST), .waddr_i(mem_addr[PMEM_AW-1:0]),
        .wdata_i(in_data_i[OM_W-1:0]), .wseg_i(1'b1),
        .re_i(adv), .raddr_i(o_raddr), .rdata_o(o_rdata));

      flexor_lane #(
        .N_OUT(N_OUT), .PSUM_W(PSUM_W), .ACC_W(ACC_W), .SUM_W(SUM_W), .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(N_IN_LIST),
        .MXOR_ALL(MXOR_ALL), .SEL_W(SEL_W), .OM_W(OM_W), .PARAM_W(PARAM_W)
      ) u_lane (
        .clk_i, .rst_ni, .adv_i(adv),
        .v1_i(v1), .sel_i(sel), .straddle_i(straddle), .om_i(o_rdata), .slice_i(w_rdata),
        .act_i(act_q), .asum_i(asum_q),
        .v3_i(v3), .first3_i(first3), .last3_i(last3), .plane3_i(plane3), .param_i(p_rdata),
        .dec_o(tap_dec_o[l*N_OUT +: N_OUT]), .psum_o(tap_psum_o[l*PSUM_W +: PSUM_W]),
        .acc_o(tap_acc_o[l*ACC_W +: ACC_W]), .t_o(t_all[l*SUM_W +: SUM_W]));
    end
  endgenerate

  // ---------------- counters ----------------
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      cnt_cycles_o <= 64'd0;
      cnt_busy_o   <= 64'd0;
      cnt_stall_o  <= 64'd0;
      cnt_slices_o <= 64'd0;
    end else begin
      cnt_cycles_o <= cnt_cycles_o + 64'd1;
      if (clear_cnt) begin
        cnt_busy_o   <= 64'd0;
        cnt_stall_o  <= 64'd0;
        cnt_slices_o <= 64'd0;
      end else begin
        if (running) cnt_busy_o   <= cnt_busy_o + 64'd1;
        if (stall)   cnt_stall_o  <= cnt_stall_o + 64'd1;
        cnt_slices_o <= cnt_slices_o + {{(64-LANE_COUNT_W){1'b0}}, slices_inc};
      end
    end
  end

  // The out stream: RUN results, or the ID reply (never both: each holds the command parser).
  assign out_valid_o = run_valid || id_valid;
  assign out_data_o  = id_valid ? id_data : run_data;
  assign out_last_o  = id_valid ? id_last : run_last;
  assign busy_o = cmd_busy || out_valid_o;
endmodule

`default_nettype wire
