// SPDX-License-Identifier: Apache-2.0
// flexor_ctrl: the RUN (docs/accelerator.md "What a RUN does"); wiring only, three blocks with one job each:
// - flexor_argchk: decodes the arguments, checks them in two cycles (errors 2..5), computes the layer
//   geometry and owns the RUN phase (idle, check 1, check 2, exec) with done/err;
// - flexor_seq: loops n -> g -> plane -> slice, issues the reads and one token per cycle down the lane
//   pipeline S1..S5 (named token fields, one register per field and stage);
// - flexor_writer: result register R and output buffer O (double buffer), the serialiser with the one
//   requantizer, the out stream or byte writes into the destination activation buffer; for RUNX the
//   per-lane requantizers, the pooling maxima and the word packer of the output tensor;
// - flexor_gather (RUNX): builds the columns from the input tensor into the column buffer, which then
//   replaces the activation buffer as the lanes' chunk source; it owns the activation read port.
// The whole pipeline advances together (adv_o); it stops only when S5 has a result and both R and O are
// full (output back-pressure or a serialiser slower than the layer). Throughput: one chunk per lane per
// cycle; straddle mode adds one priming token per (n, g, plane). Details: docs/rtl.md "RUN control".
`timescale 1ns / 1ps
`default_nettype none

module flexor_ctrl #(
  parameter integer N_OUT = 20, LANES = 16, Q_MAX = 4, K_MAX = 4096, SUM_W = 39,
  parameter integer WMEM_DEPTH = 8192, PMEM_DEPTH = 256, AMEM_DEPTH = 4096, N_IN_COUNT = 4,
  parameter [8*N_IN_COUNT-1:0] N_IN_LIST = 32'h14100C08,  // entry e at [8e +: 8]
  parameter integer SEL_W = $clog2(N_IN_COUNT + 1),       // index into N_IN_LIST, N_IN_COUNT = bypass
  parameter integer WMEM_AW = $clog2(WMEM_DEPTH), PMEM_AW = $clog2(PMEM_DEPTH), AMEM_AW = $clog2(AMEM_DEPTH),
  parameter integer LANE_COUNT_W = $clog2(LANES + 1)      // width of an active-lane count
) (
  input  wire clk_i, rst_ni,
  input  wire start_i,
  input  wire [12*32-1:0] args_i,
  input  wire x_i,                                // RUNX
  output wire done_o, err_o,                      // done_o: pulse, RUN finished (err_o: refused)
  output wire [7:0] err_code_o,
  output wire exec_o,                             // tokens in flight (after the checks)
  output wire adv_o, stall_o,                     // pipeline enable (every memory's read enable); exec && !adv
  // memory reads: S0 (weights, activations, straddle offsets), S3 (bias / alpha)
  output wire [WMEM_AW-1:0] w_raddr_o,
  output wire a_re_o,                             // activation read: the pipeline (RUN), the gather (RUNX)
  output wire [AMEM_AW-1:0] a_raddr_o,
  output wire a_rbuf_o,
  input  wire [N_OUT*8-1:0] a_rdata_i,
  output wire x_o,                                // RUNX: the lanes' chunks are cb_rdata_o
  output wire [N_OUT*8-1:0] cb_rdata_o,
  output wire [PMEM_AW-1:0] o_raddr_o, p_raddr_o,
  // lane control
  output wire v1_o, straddle_o, v3_o, first3_o, last3_o,
  output wire [SEL_W-1:0] sel_o,
  output wire [3:0] plane3_o,
  input  wire [LANES*SUM_W-1:0] t_i,              // every lane's scaled sum (complete at S5)
  // destination buffer writes, out stream
  output wire a_we_o, a_wbuf_o,
  output wire [AMEM_AW-1:0] a_waddr_o,
  output wire [N_OUT*8-1:0] a_wdata_o,
  output wire [N_OUT-1:0] a_wbe_o,
  output wire out_valid_o, out_last_o,
  input  wire out_ready_i,
  output wire [31:0] out_data_o,
  // taps and the cnt_slices increment (active lanes of the chunk leaving S2)
  output wire tap_valid_o, tap_acc_valid_o,
  output wire [15:0] tap_chunk_o, tap_grp_o, tap_col_o, tap_acc_col_o, tap_acc_grp_o,
  output wire [3:0] tap_plane_o, tap_acc_plane_o,
  output wire [LANE_COUNT_W-1:0] slices_inc_o,
  output wire tap_gat_valid_o, tap_wr_valid_o,
  output wire [15:0] tap_gat_col_o, tap_gat_chunk_o, tap_wr_addr_o,
  output wire [N_OUT*8-1:0] tap_gat_data_o, tap_wr_data_o
);
  // Widths of the RUN's geometry, sized by what the checks allow (a RUN that passes them has
  // M <= LANES*PMEM_DEPTH, N <= AMEM_DEPTH, K <= K_MAX), so counters and check arithmetic stay narrow.
  localparam integer M_W  = $clog2(LANES * PMEM_DEPTH + 1);          // M, a channel index
  localparam integer N_W  = $clog2(AMEM_DEPTH + 1);                  // N, a column index
  localparam integer G_W  = $clog2(PMEM_DEPTH + 1);                  // G, a group index
  localparam integer CH_W = $clog2((K_MAX + N_OUT - 1) / N_OUT + 2); // CH and S = CH + 1
  localparam integer BYTE_W = ($clog2(AMEM_DEPTH * N_OUT + 1) > $clog2(K_MAX + 1)) ?
                              $clog2(AMEM_DEPTH * N_OUT + 1) : $clog2(K_MAX + 1);  // RUNX tensor bytes
  localparam integer XB_W  = BYTE_W + 8;
  localparam integer CHMAX = (K_MAX + N_OUT - 1) / N_OUT;            // column buffer: chunks per slot
  localparam integer CB_AW = $clog2(2 * CHMAX);

  wire              check2, go, seq_idle, writer_idle, res_ready, res_valid, res_last_grp, res_last_col;
  wire [3:0]        q;
  wire              relu, dst_stream, a_src, a_dst;
  wire [5:0]        shift;
  wire [31:0]       p_base;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0]       w_base, a_src_base, a_dst_base;  // the sequencer and the writer take the low bits
  /* verilator lint_on UNUSEDSIGNAL */
  wire [M_W-1:0]    m, res_chan_base;
  wire [N_W-1:0]    n;
  wire [CH_W-1:0]   ch, slices;
  wire [G_W-1:0]    groups;
  wire              pool, gat_idle;
  wire [N_W-1:0]    seq_col;
  wire [7:0]        kh;
  wire [N_W-1:0]    out_w, gat_col;
  wire [CH_W-1:0]   gat_cnt;
  wire [15:0]       slot_col;
  wire [BYTE_W-1:0] kwc, rs, tb;
  wire [XB_W-1:0]   sc, pc, srs, prs;
  wire [5:0]        padb;
  wire [CB_AW-1:0]  cb_raddr;
  wire              gat_re;
  wire [AMEM_AW-1:0] gat_raddr, seq_a_raddr;

  flexor_argchk #(
    .N_OUT(N_OUT), .LANES(LANES), .Q_MAX(Q_MAX), .K_MAX(K_MAX), .WMEM_DEPTH(WMEM_DEPTH),
    .PMEM_DEPTH(PMEM_DEPTH), .AMEM_DEPTH(AMEM_DEPTH), .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(N_IN_LIST),
    .SEL_W(SEL_W), .M_W(M_W), .N_W(N_W), .G_W(G_W), .CH_W(CH_W), .BYTE_W(BYTE_W), .XB_W(XB_W)
  ) u_argchk (
    .clk_i, .rst_ni, .start_i, .args_i, .x_i, .drained_i(seq_idle && writer_idle && gat_idle),
    .done_o, .err_o, .err_code_o, .check2_o(check2), .go_o(go), .exec_o, .x_o, .pool_o(pool),
    .q_o(q), .straddle_o, .relu_o(relu), .dst_stream_o(dst_stream), .a_src_o(a_src), .a_dst_o(a_dst),
    .shift_o(shift), .w_base_o(w_base), .p_base_o(p_base), .a_src_base_o(a_src_base),
    .a_dst_base_o(a_dst_base), .m_o(m), .n_o(n), .ch_o(ch), .slices_o(slices), .groups_o(groups), .sel_o,
    .kh_o(kh), .out_w_o(out_w), .kwc_o(kwc), .rs_o(rs), .tb_o(tb), .sc_o(sc), .pc_o(pc), .srs_o(srs),
    .prs_o(prs), .padb_o(padb));

  flexor_gather #(
    .N_OUT(N_OUT), .K_MAX(K_MAX), .AMEM_DEPTH(AMEM_DEPTH), .AMEM_AW(AMEM_AW), .N_W(N_W), .CH_W(CH_W),
    .BYTE_W(BYTE_W), .XB_W(XB_W), .CHMAX(CHMAX), .CB_AW(CB_AW)
  ) u_gather (
    .clk_i, .rst_ni, .go_i(go && x_o), .a_src_base_i(a_src_base[AMEM_AW:0]), .pool_i(pool), .kh_i(kh),
    .out_w_i(out_w), .n_i(n), .ch_i(ch), .kwc_i(kwc), .rs_i(rs), .tb_i(tb), .sc_i(sc), .pc_i(pc),
    .srs_i(srs), .prs_i(prs), .padb_i(padb), .seq_col_i(seq_col), .cb_re_i(adv_o), .cb_raddr_i(cb_raddr),
    .cb_rdata_o, .col_o(gat_col), .cnt_o(gat_cnt), .slot_col_o(slot_col),
    .a_re_o(gat_re), .a_raddr_o(gat_raddr), .a_rdata_i, .idle_o(gat_idle),
    .tap_valid_o(tap_gat_valid_o), .tap_col_o(tap_gat_col_o), .tap_chunk_o(tap_gat_chunk_o),
    .tap_data_o(tap_gat_data_o));

  assign a_re_o    = x_o ? gat_re : adv_o;
  assign a_raddr_o = x_o ? gat_raddr : seq_a_raddr;

  flexor_seq #(
    .N_OUT(N_OUT), .LANES(LANES), .K_MAX(K_MAX), .WMEM_DEPTH(WMEM_DEPTH), .PMEM_DEPTH(PMEM_DEPTH),
    .AMEM_DEPTH(AMEM_DEPTH), .WMEM_AW(WMEM_AW), .PMEM_AW(PMEM_AW), .AMEM_AW(AMEM_AW),
    .LANE_COUNT_W(LANE_COUNT_W), .M_W(M_W), .N_W(N_W), .G_W(G_W), .CH_W(CH_W), .CHMAX(CHMAX), .CB_AW(CB_AW)
  ) u_seq (
    .clk_i, .rst_ni, .go_i(go), .exec_i(exec_o),
    .q_i(q), .straddle_i(straddle_o), .a_src_i(a_src), .w_base_i(w_base[WMEM_AW-1:0]), .p_base_i(p_base),
    .a_src_base_i(a_src_base[AMEM_AW:0]), .m_i(m), .n_i(n), .ch_i(ch), .slices_i(slices), .groups_i(groups),
    .res_ready_i(res_ready), .x_i(x_o), .gat_col_i(gat_col), .gat_cnt_i(gat_cnt), .slot_col_i(slot_col),
    .cb_raddr_o(cb_raddr), .seq_col_o(seq_col),
    .adv_o, .stall_o, .idle_o(seq_idle),
    .w_raddr_o, .a_raddr_o(seq_a_raddr), .a_rbuf_o, .o_raddr_o, .p_raddr_o,
    .v1_o, .v3_o, .first3_o, .last3_o, .plane3_o,
    .res_valid_o(res_valid), .res_chan_base_o(res_chan_base), .res_last_grp_o(res_last_grp),
    .res_last_col_o(res_last_col),
    .tap_valid_o, .tap_chunk_o, .tap_plane_o, .tap_grp_o, .tap_col_o,
    .tap_acc_valid_o, .tap_acc_col_o, .tap_acc_grp_o, .tap_acc_plane_o, .slices_inc_o);

  flexor_writer #(
    .N_OUT(N_OUT), .LANES(LANES), .SUM_W(SUM_W), .PMEM_DEPTH(PMEM_DEPTH), .AMEM_DEPTH(AMEM_DEPTH),
    .AMEM_AW(AMEM_AW), .M_W(M_W), .G_W(G_W), .PMEM_AW(PMEM_AW)
  ) u_writer (
    .clk_i, .rst_ni, .check2_i(check2), .a_dst_base_i(a_dst_base[AMEM_AW:0]), .a_dst_i(a_dst),
    .dst_stream_i(dst_stream), .relu_i(relu), .shift_i(shift), .m_i(m), .x_i(x_o), .pool_i(pool),
    .res_valid_i(res_valid), .res_chan_base_i(res_chan_base), .res_last_grp_i(res_last_grp),
    .res_last_col_i(res_last_col), .t_i, .res_ready_o(res_ready), .idle_o(writer_idle),
    .a_we_o, .a_wbuf_o, .a_waddr_o, .a_wdata_o, .a_wbe_o,
    .out_valid_o, .out_ready_i, .out_data_o, .out_last_o,
    .tap_wr_valid_o, .tap_wr_addr_o, .tap_wr_data_o);
endmodule

`default_nettype wire
