// flexor_ctrl: RUN sequencer (docs/accelerator.md "What a RUN does").
// - checks the arguments (errors 2..5) in two cycles;
// - stage S0: loops n (column), g (group of LANES channels), i (plane), jj (slice), issues the weight,
//   activation and offset reads (one token per cycle) and sends a token down the lane pipeline
//   S1 (decrypt) -> S2 (partial sum) -> S3 (accumulate, scale) -> S4 (result ready);
// - result register R and output buffer O (double buffer) feed the serialiser, which requantizes one
//   result per cycle and sends it on the out stream or writes it as a byte into the destination
//   activation buffer (zero-padding the column's last chunk).
// The whole pipeline advances together (adv_o); it stops only when S4 has a result and both R and O are
// full (output back-pressure or a serialiser slower than the layer). Throughput: one chunk per lane per
// cycle; straddle mode adds one priming token per (n, g, plane).
`timescale 1ns / 1ps
`default_nettype none

module flexor_ctrl #(
  parameter integer NO     = 20,    // N_OUT
  parameter integer LANES  = 16,
  parameter integer Q_MAX  = 4,
  parameter integer K_MAX  = 4096,
  parameter integer SW     = 39,    // SUM_W
  parameter integer WDEPTH = 8192,
  parameter integer PDEPTH = 256,
  parameter integer ADEPTH = 4096,
  parameter integer ND     = 4,     // number of configured N_in values
  parameter [8*ND-1:0] N_IN_LIST = 32'h14100C08,  // entry e at [8e +: 8]
  parameter integer SEL_W  = 3,     // index into N_IN_LIST, ND = bypass
  parameter integer WAW    = $clog2(WDEPTH),
  parameter integer PAW    = $clog2(PDEPTH),
  parameter integer AAW    = $clog2(ADEPTH),
  parameter integer LCW    = $clog2(LANES + 1)  // width of an active-lane count
) (
  input  wire               clk_i,
  input  wire               rst_ni,
  input  wire               start_i,
  input  wire [8*32-1:0]    args_i,
  output reg                done_o,        // pulse: RUN finished (or refused)
  output reg                err_o,         // with done_o
  output reg  [7:0]         err_code_o,
  output wire               exec_o,        // tokens in flight (after the checks)
  output wire               adv_o,         // pipeline enable; also the read enable of every memory
  // S0 reads
  output wire [WAW-1:0]     w_raddr_o,
  output wire [AAW-1:0]     a_raddr_o,
  output wire               a_rbuf_o,
  output wire [PAW-1:0]     o_raddr_o,     // straddle offsets (data at S1)
  // S2 read
  output wire [PAW-1:0]     p_raddr_o,     // bias / alpha (data at S3)
  // lane control
  output wire               v1_o,
  output reg  [SEL_W-1:0]   sel_o,
  output wire               straddle_o,
  output wire               v3_o,
  output wire               first3_o,
  output wire               last3_o,
  output wire [3:0]         plane3_o,
  input  wire [LANES*SW-1:0] t_i,          // every lane's scaled sum (complete at S4)
  // destination buffer writes
  output wire               a_we_o,
  output wire               a_wbuf_o,
  output wire [AAW-1:0]     a_waddr_o,
  output wire [NO*8-1:0]    a_wdata_o,
  output wire [NO-1:0]      a_wbe_o,
  // out stream
  output wire               out_valid_o,
  input  wire               out_ready_i,
  output wire [31:0]        out_data_o,
  output wire               out_last_o,
  // taps and counters
  output wire               tap_valid_o,
  output wire [15:0]        tap_chunk_o,
  output wire [3:0]         tap_plane_o,
  output wire [15:0]        tap_grp_o,
  output wire [15:0]        tap_col_o,
  output wire               tap_acc_valid_o,
  output wire [15:0]        tap_acc_col_o,
  output wire [15:0]        tap_acc_grp_o,
  output wire [3:0]         tap_acc_plane_o,
  output wire [LCW-1:0]     slices_inc_o,  // active lanes of the chunk leaving S2
  output wire               stall_o
);
  localparam integer MMAX  = LANES * PDEPTH;          // larger M can never fit the parameter memory
  localparam integer KW    = $clog2(K_MAX + 1);
  localparam integer MW    = $clog2(MMAX + 1);
  localparam [KW-1:0] K_MAX_W = K_MAX[KW-1:0];
  localparam [MW-1:0] MMAX_W  = MMAX[MW-1:0];
  localparam [31:0] WD32 = WDEPTH;
  localparam [31:0] PD32 = PDEPTH;
  localparam [31:0] AD32 = ADEPTH;
  localparam [31:0] L32  = LANES;
  localparam [31:0] NO32 = NO;
  localparam [3:0]  QMAX4 = Q_MAX[3:0];
  wire [63:0] WD64 = {32'd0, WD32};
  wire [63:0] PD64 = {32'd0, PD32};
  wire [63:0] AD64 = {32'd0, AD32};

  // ---------------- arguments ----------------
  wire [31:0] a_k     = args_i[0*32 +: 32];
  wire [31:0] a_m     = args_i[1*32 +: 32];
  wire [31:0] a_n     = args_i[2*32 +: 32];
  wire [31:0] a_flags = args_i[3*32 +: 32];
  wire [31:0] a_wbase = args_i[4*32 +: 32];
  wire [31:0] a_pbase = args_i[5*32 +: 32];
  wire [31:0] a_sbase = args_i[6*32 +: 32];
  wire [31:0] a_dbase = args_i[7*32 +: 32];

  wire [3:0] f_q     = a_flags[3:0];
  wire [5:0] f_nin   = a_flags[9:4];
  wire       f_enc   = a_flags[10];
  wire       f_strd  = a_flags[11];
  wire       f_relu  = a_flags[12];
  wire       f_dsts  = a_flags[13];
  wire       f_asrc  = a_flags[14];
  wire       f_adst  = a_flags[15];
  wire [5:0] f_shift = a_flags[21:16];

  // Decryptor index of the requested N_in (ND = none / bypass).
  reg [SEL_W-1:0] nin_idx;
  integer e;
  always @* begin
    nin_idx = ND[SEL_W-1:0];
    for (e = 0; e < ND; e = e + 1)
      if ({2'b00, f_nin} == N_IN_LIST[8*e +: 8]) nin_idx = e[SEL_W-1:0];
  end

  wire e2 = f_q == 4'd0 || f_q > QMAX4 || a_k == 32'd0 || a_k > {{(32-KW){1'b0}}, K_MAX_W} ||
            a_m == 32'd0 || a_n == 32'd0;
  wire e3 = f_enc ? (nin_idx == ND[SEL_W-1:0]) : ({26'd0, f_nin} != NO32);
  wire e5 = (!f_dsts && !f_relu) || (!f_dsts && f_asrc == f_adst) || a_flags[31:22] != 10'd0;
  wire m_big = a_m > {{(32-MW){1'b0}}, MMAX_W};

  // Check cycle 1: layer geometry (K, M clipped so the constant divisions stay narrow).
  wire [KW-1:0] k_c = e2 ? {KW{1'b0}} : a_k[KW-1:0];
  wire [MW-1:0] m_c = m_big ? {MW{1'b0}} : a_m[MW-1:0];
  reg  [31:0] ch_q, s_q, g_q, cho_q;

  // Check cycle 2: every memory range (64-bit arithmetic: nothing can overflow).
  wire [63:0] w_end = {32'd0, a_wbase} + {32'd0, g_q} * {60'd0, f_q} * {32'd0, s_q};
  wire [63:0] p_end = {32'd0, a_pbase} + {32'd0, g_q};
  wire [63:0] src_end = {32'd0, a_sbase} + {32'd0, a_n} * {32'd0, ch_q};
  wire [63:0] d_end = {32'd0, a_dbase} + {32'd0, a_n} * {32'd0, cho_q};
  wire e4 = m_big || w_end > WD64 || p_end > PD64 || src_end > AD64 || (!f_dsts && d_end > AD64);

  localparam [1:0] C_IDLE = 2'd0, C_CHK1 = 2'd1, C_CHK2 = 2'd2, C_EXEC = 2'd3;
  reg [1:0] cst_q;

  // ---------------- S0: loop counters ----------------
  reg        issue_q;   // tokens still to issue
  reg [31:0] n_q, g_cnt_q, mb_q, col_q, wa_q;
  reg [3:0]  i_q;
  reg [15:0] jj_q;

  wire [31:0] s_last = s_q - 32'd1;
  wire        prime0 = f_strd && jj_q == 16'd0;
  wire [15:0] j0     = (f_strd && !prime0) ? jj_q - 16'd1 : jj_q;
  wire        lastc0 = {16'd0, jj_q} == s_last;
  wire        lastp0 = i_q == f_q - 4'd1;
  wire        lastg0 = g_cnt_q == g_q - 32'd1;
  wire        lastn0 = n_q == a_n - 32'd1;

  // Token: everything later stages need about the chunk.
  localparam integer T_J = 0, T_I = 16, T_G = 20, T_N = 52, T_MB = 84, T_PR = 116, T_FI = 117,
                     T_LC = 118, T_LP = 119, T_LG = 120, T_LN = 121, TW = 122;
  wire [TW-1:0] tok0 = {lastn0, lastg0, lastp0, lastc0, j0 == 16'd0 && !prime0, prime0,
                        mb_q, n_q, g_cnt_q, i_q, j0};
  reg  [TW-1:0] tok1_q, tok2_q, tok3_q, tok4_q;
  reg           v1_q, v2_q, v3_q, v4_q;

  // ---------------- result register R, output buffer O, serialiser ----------------
  reg  [LANES*SW-1:0] res_q, ob_q;
  reg                 rv_q, sact_q;
  reg  [31:0]         r_mb_q, s_mb_q, s_idx_q, dchunk_q;
  reg                 r_lg_q, r_ln_q, s_lg_q, s_ln_q;
  reg  [7:0]          dbyte_q;

  wire v0   = cst_q == C_EXEC && issue_q;
  wire s_done;                                 // the serialiser sends its last word this cycle
  wire take = rv_q && (!sact_q || s_done);     // R -> O (back to back with the previous group)
  wire adv  = !v4_q || !rv_q || take;          // S4 can deposit its result
  assign adv_o  = adv;
  assign exec_o = cst_q == C_EXEC;
  assign stall_o = cst_q == C_EXEC && !adv;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      cst_q <= C_IDLE;
      done_o <= 1'b0; err_o <= 1'b0; err_code_o <= 8'd0;
      ch_q <= 32'd0; s_q <= 32'd1; g_q <= 32'd1; cho_q <= 32'd0; sel_o <= {SEL_W{1'b0}};
      issue_q <= 1'b0;
      n_q <= 32'd0; g_cnt_q <= 32'd0; mb_q <= 32'd0; col_q <= 32'd0; wa_q <= 32'd0;
      i_q <= 4'd0; jj_q <= 16'd0;
      v1_q <= 1'b0; v2_q <= 1'b0; v3_q <= 1'b0; v4_q <= 1'b0;
      tok1_q <= {TW{1'b0}}; tok2_q <= {TW{1'b0}}; tok3_q <= {TW{1'b0}}; tok4_q <= {TW{1'b0}};
    end else begin
      done_o <= 1'b0;
      case (cst_q)
        C_IDLE: if (start_i) cst_q <= C_CHK1;
        C_CHK1: begin
          ch_q  <= ({{(32-KW){1'b0}}, k_c} + NO32 - 32'd1) / NO32;
          s_q   <= ({{(32-KW){1'b0}}, k_c} + NO32 - 32'd1) / NO32 + {31'd0, f_strd};
          g_q   <= ({{(32-MW){1'b0}}, m_c} + L32 - 32'd1) / L32;
          cho_q <= ({{(32-MW){1'b0}}, m_c} + NO32 - 32'd1) / NO32;
          sel_o <= f_enc ? nin_idx : ND[SEL_W-1:0];
          cst_q <= C_CHK2;
        end
        C_CHK2: begin
          if (e2 || e3 || e4 || e5) begin
            done_o <= 1'b1;
            err_o <= 1'b1;
            err_code_o <= e2 ? 8'd2 : e3 ? 8'd3 : e4 ? 8'd4 : 8'd5;
            cst_q <= C_IDLE;
          end else begin
            err_o <= 1'b0;
            cst_q <= C_EXEC;
            issue_q <= 1'b1;
            n_q <= 32'd0; g_cnt_q <= 32'd0; mb_q <= 32'd0; i_q <= 4'd0; jj_q <= 16'd0;
            col_q <= a_sbase; wa_q <= a_wbase;
          end
        end
        default: begin  // C_EXEC
          if (adv) begin
            // S0 -> S1 -> S2 -> S3 -> S4
            v1_q <= v0;                 tok1_q <= tok0;
            v2_q <= v1_q && !tok1_q[T_PR]; tok2_q <= tok1_q;
            v3_q <= v2_q;               tok3_q <= tok2_q;
            v4_q <= v3_q && tok3_q[T_LC] && tok3_q[T_LP]; tok4_q <= tok3_q;
            if (v0) begin
              wa_q <= wa_q + 32'd1;
              if (lastc0) begin
                jj_q <= 16'd0;
                if (lastp0) begin
                  i_q <= 4'd0;
                  if (lastg0) begin
                    g_cnt_q <= 32'd0; mb_q <= 32'd0;
                    wa_q <= a_wbase;
                    col_q <= col_q + ch_q;
                    if (lastn0) issue_q <= 1'b0;
                    else        n_q <= n_q + 32'd1;
                  end else begin
                    g_cnt_q <= g_cnt_q + 32'd1;
                    mb_q <= mb_q + L32;
                  end
                end else begin
                  i_q <= i_q + 4'd1;
                end
              end else begin
                jj_q <= jj_q + 16'd1;
              end
            end
          end
          if (!issue_q && !v1_q && !v2_q && !v3_q && !v4_q && !rv_q && !sact_q) begin
            done_o <= 1'b1;
            err_o  <= 1'b0;
            cst_q  <= C_IDLE;
          end
        end
      endcase
    end
  end

  // ---------------- R / O / serialiser ----------------
  wire [31:0] s_p     = s_mb_q + s_idx_q;              // channel of the current output position
  wire        s_in    = s_idx_q < L32 && s_p < a_m;    // a real result (else a padding zero)
  wire [SW-1:0] s_t   = ob_q[s_idx_q[$clog2(LANES+1)-1:0]*SW +: SW];
  wire [31:0] s_y;
  flexor_requant #(.SUM_W(SW)) u_rq (.t_i(s_t), .shift_i(f_shift), .relu_i(f_relu), .y_o(s_y));
  wire [31:0] s_val   = s_in ? s_y : 32'd0;
  wire        s_fire  = sact_q && (!f_dsts || out_ready_i);
  wire        s_end   = f_dsts ? (s_idx_q == L32 - 32'd1 || s_p == a_m - 32'd1)
                               : (s_lg_q ? (s_p >= a_m - 32'd1 && {24'd0, dbyte_q} == NO32 - 32'd1)
                                         : s_idx_q == L32 - 32'd1);
  assign      s_done  = s_fire && s_end;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      rv_q <= 1'b0; sact_q <= 1'b0;
      res_q <= {LANES*SW{1'b0}}; ob_q <= {LANES*SW{1'b0}};
      r_mb_q <= 32'd0; s_mb_q <= 32'd0; s_idx_q <= 32'd0; dchunk_q <= 32'd0; dbyte_q <= 8'd0;
      r_lg_q <= 1'b0; r_ln_q <= 1'b0; s_lg_q <= 1'b0; s_ln_q <= 1'b0;
    end else begin
      if (cst_q == C_CHK2) begin
        dchunk_q <= a_dbase;
        dbyte_q  <= 8'd0;
      end
      if (s_fire) begin
        if (s_end) sact_q <= 1'b0;
        else       s_idx_q <= s_idx_q + 32'd1;
        if (!f_dsts) begin
          if ({24'd0, dbyte_q} == NO32 - 32'd1) begin
            dbyte_q <= 8'd0; dchunk_q <= dchunk_q + 32'd1;
          end else begin
            dbyte_q <= dbyte_q + 8'd1;
          end
        end
      end
      if (take) begin  // after s_fire: a new group replaces the one just finished
        ob_q <= res_q; s_mb_q <= r_mb_q; s_lg_q <= r_lg_q; s_ln_q <= r_ln_q;
        s_idx_q <= 32'd0; sact_q <= 1'b1;
        rv_q <= 1'b0;
      end
      if (cst_q == C_EXEC && adv && v4_q) begin
        res_q <= t_i; rv_q <= 1'b1;
        r_mb_q <= tok4_q[T_MB +: 32]; r_lg_q <= tok4_q[T_LG]; r_ln_q <= tok4_q[T_LN];
      end
    end
  end

  // ---------------- outputs ----------------
  assign w_raddr_o  = wa_q[WAW-1:0];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] a_ra  = col_q + {16'd0, j0};
  assign a_raddr_o  = a_ra[AAW-1:0];
  assign a_rbuf_o   = f_asrc;
  wire [31:0] o_ra  = a_pbase + g_cnt_q;
  assign o_raddr_o  = o_ra[PAW-1:0];
  wire [31:0] p_ra  = a_pbase + tok2_q[T_G +: 32];
  /* verilator lint_on UNUSEDSIGNAL */
  assign p_raddr_o  = p_ra[PAW-1:0];

  assign v1_o       = v1_q;
  assign straddle_o = f_strd;
  assign v3_o       = v3_q;
  assign first3_o   = tok3_q[T_FI];
  assign last3_o    = tok3_q[T_LC];
  assign plane3_o   = tok3_q[T_I +: 4];

  assign a_we_o     = s_fire && !f_dsts;
  assign a_wbuf_o   = f_adst;
  assign a_waddr_o  = dchunk_q[AAW-1:0];
  assign a_wdata_o  = {NO{s_val[7:0]}};
  assign a_wbe_o    = {{(NO-1){1'b0}}, 1'b1} << dbyte_q;

  assign out_valid_o = sact_q && f_dsts;
  assign out_data_o  = s_val;
  assign out_last_o  = s_lg_q && s_ln_q && s_p == a_m - 32'd1;

  assign tap_valid_o     = cst_q == C_EXEC && adv && v2_q;
  assign tap_chunk_o     = tok2_q[T_J +: 16];
  assign tap_plane_o     = tok2_q[T_I +: 4];
  assign tap_grp_o       = tok2_q[T_G +: 16];
  assign tap_col_o       = tok2_q[T_N +: 16];
  assign tap_acc_valid_o = cst_q == C_EXEC && adv && v3_q && tok3_q[T_LC];
  assign tap_acc_col_o   = tok3_q[T_N +: 16];
  assign tap_acc_grp_o   = tok3_q[T_G +: 16];
  assign tap_acc_plane_o = tok3_q[T_I +: 4];

  wire [31:0] rem2 = a_m - tok2_q[T_MB +: 32];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] act2 = (rem2 > L32) ? L32 : rem2;
  /* verilator lint_on UNUSEDSIGNAL */
  assign slices_inc_o = tap_valid_o ? act2[LCW-1:0] : {LCW{1'b0}};
endmodule

`default_nettype wire
