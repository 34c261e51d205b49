// SPDX-License-Identifier: Apache-2.0
// flexor_ctrl: RUN sequencer (docs/accelerator.md "What a RUN does").
// - checks the arguments (errors 2..5) in two cycles;
// - stage S0: loops n (column), g (group of LANES channels), i (plane), jj (slice), issues the weight,
//   activation and offset reads (one token per cycle) and sends a token down the lane pipeline
//   S1 (decrypt) -> S2 (partial sum) -> S3 (accumulate) -> S4 (alpha scale, plane ends only) -> S5
//   (result ready, last plane only);
// - result register R and output buffer O (double buffer) feed the serialiser, which requantizes one
//   result per cycle and sends it on the out stream or writes it as a byte into the destination
//   activation buffer (zero-padding the column's last chunk).
// The whole pipeline advances together (adv_o); it stops only when S5 has a result and both R and O are
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
  // S3 read
  output wire [PAW-1:0]     p_raddr_o,     // bias / alpha (data at S4)
  // lane control
  output wire               v1_o,
  output reg  [SEL_W-1:0]   sel_o,
  output wire               straddle_o,
  output wire               v3_o,
  output wire               first3_o,
  output wire               last3_o,
  output wire [3:0]         plane3_o,
  input  wire [LANES*SW-1:0] t_i,          // every lane's scaled sum (complete at S5)
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
  // Widths: every quantity sized by what the checks allow (a RUN that passes them has
  // M <= LANES*PDEPTH, N <= ADEPTH, K <= K_MAX), so counters and check arithmetic stay narrow.
  localparam integer MMAX  = LANES * PDEPTH;          // larger M can never fit the parameter memory
  localparam integer CHMAX = (K_MAX + NO - 1) / NO;
  localparam integer KW    = $clog2(K_MAX + 1);
  localparam integer MW    = $clog2(MMAX + 1);
  localparam integer NW    = $clog2(ADEPTH + 1);
  localparam integer GW    = $clog2(PDEPTH + 1);
  localparam integer CHW   = $clog2(CHMAX + 2);       // CH and S = CH + 1
  localparam integer CHOW  = $clog2((MMAX + NO - 1) / NO + 1);
  localparam integer SIW   = $clog2(LANES + NO + 1);  // serialiser position inside a group
  localparam integer LIW   = (LANES > 1) ? $clog2(LANES) : 1;
  localparam integer DKW   = ((KW > 6) ? KW : 6) + 1; // divisions of K by N_OUT
  localparam integer DMW   = ((MW > 6) ? MW : 6) + 1; // divisions of M by LANES, N_OUT
  localparam integer XW    = 40;                      // range checks: 32-bit base + product < 2^39
  localparam [KW-1:0]  K_MAX_W = K_MAX[KW-1:0];
  localparam [MW-1:0]  MMAX_W  = MMAX[MW-1:0];
  localparam [NW-1:0]  AD_N    = ADEPTH[NW-1:0];
  localparam [31:0]    WD32    = WDEPTH;
  localparam [31:0]    PD32    = PDEPTH;
  localparam [31:0]    AD32    = ADEPTH;
  localparam [DKW-1:0] NO_K    = NO[DKW-1:0];
  localparam [DMW-1:0] NO_M    = NO[DMW-1:0];
  localparam [DMW-1:0] L_M     = LANES[DMW-1:0];
  localparam [SIW-1:0] L_S     = LANES[SIW-1:0];
  localparam [5:0]     NO_6    = NO[5:0];
  localparam [3:0]     QMAX4   = Q_MAX[3:0];

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
  wire e3 = f_enc ? (nin_idx == ND[SEL_W-1:0]) : (f_nin != NO_6);
  wire e5 = (!f_dsts && !f_relu) || (!f_dsts && f_asrc == f_adst) || a_flags[31:22] != 10'd0;
  wire m_big = a_m > {{(32-MW){1'b0}}, MMAX_W};  // G would exceed PDEPTH: error 4
  wire n_big = a_n > {{(32-NW){1'b0}}, AD_N};    // N·CH would exceed ADEPTH: error 4

  // Check cycle 1: layer geometry from K, M clipped to their legal widths.
  wire [DKW-1:0] k_c = e2 ? {DKW{1'b0}} : {{(DKW-KW){1'b0}}, a_k[KW-1:0]};
  wire [MW-1:0]  m_c = m_big ? {MW{1'b0}} : a_m[MW-1:0];
  wire [NW-1:0]  n_c = n_big ? {NW{1'b0}} : a_n[NW-1:0];
  wire [DMW-1:0] m_d = {{(DMW-MW){1'b0}}, m_c};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [DKW-1:0] ch_d  = (k_c + NO_K - {{(DKW-1){1'b0}}, 1'b1}) / NO_K;
  wire [DMW-1:0] g_d   = (m_d + L_M - {{(DMW-1){1'b0}}, 1'b1}) / L_M;
  wire [DMW-1:0] cho_d = (m_d + NO_M - {{(DMW-1){1'b0}}, 1'b1}) / NO_M;
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [CHW-1:0]  ch_q, s_q;
  reg  [GW-1:0]   g_q;
  reg  [CHOW-1:0] cho_q;

  // Check cycle 2: every memory range (products sized by their left-hand sides).
  wire [XW-1:0]        WD_X    = {{(XW-32){1'b0}}, WD32};
  wire [XW-1:0]        PD_X    = {{(XW-32){1'b0}}, PD32};
  wire [XW-1:0]        AD_X    = {{(XW-32){1'b0}}, AD32};
  wire [GW+4+CHW-1:0]  w_words = g_q * f_q * s_q;
  wire [NW+CHW-1:0]    s_words = n_c * ch_q;
  wire [NW+CHOW-1:0]   d_words = n_c * cho_q;
  wire [XW-1:0] w_end   = {{(XW-32){1'b0}}, a_wbase} + {{(XW-GW-4-CHW){1'b0}}, w_words};
  wire [XW-1:0] p_end   = {{(XW-32){1'b0}}, a_pbase} + {{(XW-GW){1'b0}}, g_q};
  wire [XW-1:0] src_end = {{(XW-32){1'b0}}, a_sbase} + {{(XW-NW-CHW){1'b0}}, s_words};
  wire [XW-1:0] d_end   = {{(XW-32){1'b0}}, a_dbase} + {{(XW-NW-CHOW){1'b0}}, d_words};
  wire e4 = m_big || n_big || w_end > WD_X || p_end > PD_X || src_end > AD_X || (!f_dsts && d_end > AD_X);

  localparam [1:0] C_IDLE = 2'd0, C_CHK1 = 2'd1, C_CHK2 = 2'd2, C_EXEC = 2'd3;
  reg [1:0] cst_q;

  // ---------------- S0: loop counters ----------------
  reg           issue_q;   // tokens still to issue
  reg [NW-1:0]  n_q;
  reg [GW-1:0]  g_cnt_q;
  reg [MW-1:0]  mb_q;      // g * LANES: the group's first channel
  reg [AAW:0]   col_q;     // a_src_base + n*CH (reaches ADEPTH after the last column)
  reg [WAW-1:0] wa_q;
  reg [3:0]     i_q;
  reg [CHW-1:0] jj_q;

  wire           prime0 = f_strd && jj_q == {CHW{1'b0}};
  wire [CHW-1:0] j0     = (f_strd && !prime0) ? jj_q - {{(CHW-1){1'b0}}, 1'b1} : jj_q;
  wire           lastc0 = jj_q == s_q - {{(CHW-1){1'b0}}, 1'b1};
  wire           lastp0 = i_q == f_q - 4'd1;
  wire           lastg0 = g_cnt_q == g_q - {{(GW-1){1'b0}}, 1'b1};
  wire           lastn0 = n_q == n_c - {{(NW-1){1'b0}}, 1'b1};

  // Token: everything later stages need about the chunk.
  localparam integer T_J = 0, T_I = CHW, T_G = T_I + 4, T_N = T_G + GW, T_MB = T_N + NW, T_PR = T_MB + MW,
                     T_FI = T_PR + 1, T_LC = T_PR + 2, T_LP = T_PR + 3, T_LG = T_PR + 4, T_LN = T_PR + 5,
                     TW = T_PR + 6;
  wire [TW-1:0] tok0 = {lastn0, lastg0, lastp0, lastc0, j0 == {CHW{1'b0}} && !prime0, prime0,
                        mb_q, n_q, g_cnt_q, i_q, j0};
  reg  [TW-1:0] tok1_q, tok2_q, tok3_q, tok4_q, tok5_q;
  reg           v1_q, v2_q, v3_q, v4_q, v5_q;

  // ---------------- result register R, output buffer O, serialiser ----------------
  reg  [LANES*SW-1:0] res_q, ob_q;
  reg                 rv_q, sact_q;
  reg  [MW-1:0]       r_mb_q, s_mb_q;
  reg  [SIW-1:0]      s_idx_q;
  reg  [AAW:0]        dchunk_q;
  reg                 r_lg_q, r_ln_q, s_lg_q, s_ln_q;
  reg  [5:0]          dbyte_q;

  wire v0   = cst_q == C_EXEC && issue_q;
  wire s_done;                                 // the serialiser sends its last word this cycle
  wire take = rv_q && (!sact_q || s_done);     // R -> O (back to back with the previous group)
  wire adv  = !v5_q || !rv_q || take;          // S5 can deposit its result
  assign adv_o  = adv;
  assign exec_o = cst_q == C_EXEC;
  assign stall_o = cst_q == C_EXEC && !adv;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      cst_q <= C_IDLE;
      done_o <= 1'b0; err_o <= 1'b0; err_code_o <= 8'd0;
      ch_q <= {CHW{1'b0}}; s_q <= {{(CHW-1){1'b0}}, 1'b1}; g_q <= {{(GW-1){1'b0}}, 1'b1};
      cho_q <= {CHOW{1'b0}}; sel_o <= {SEL_W{1'b0}};
      issue_q <= 1'b0;
      n_q <= {NW{1'b0}}; g_cnt_q <= {GW{1'b0}}; mb_q <= {MW{1'b0}}; col_q <= {(AAW+1){1'b0}};
      wa_q <= {WAW{1'b0}}; i_q <= 4'd0; jj_q <= {CHW{1'b0}};
      v1_q <= 1'b0; v2_q <= 1'b0; v3_q <= 1'b0; v4_q <= 1'b0; v5_q <= 1'b0;
      tok1_q <= {TW{1'b0}}; tok2_q <= {TW{1'b0}}; tok3_q <= {TW{1'b0}}; tok4_q <= {TW{1'b0}};
      tok5_q <= {TW{1'b0}};
    end else begin
      done_o <= 1'b0;
      case (cst_q)
        C_IDLE: if (start_i) cst_q <= C_CHK1;
        C_CHK1: begin
          ch_q  <= ch_d[CHW-1:0];
          s_q   <= ch_d[CHW-1:0] + {{(CHW-1){1'b0}}, f_strd};
          g_q   <= g_d[GW-1:0];
          cho_q <= cho_d[CHOW-1:0];
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
            n_q <= {NW{1'b0}}; g_cnt_q <= {GW{1'b0}}; mb_q <= {MW{1'b0}}; i_q <= 4'd0; jj_q <= {CHW{1'b0}};
            col_q <= a_sbase[AAW:0]; wa_q <= a_wbase[WAW-1:0];
          end
        end
        default: begin  // C_EXEC
          if (adv) begin
            // S0 -> S1 -> S2 -> S3 -> S4 (planes only) -> S5 (results only)
            v1_q <= v0;                    tok1_q <= tok0;
            v2_q <= v1_q && !tok1_q[T_PR]; tok2_q <= tok1_q;
            v3_q <= v2_q;                  tok3_q <= tok2_q;
            v4_q <= v3_q && tok3_q[T_LC];  tok4_q <= tok3_q;
            v5_q <= v4_q && tok4_q[T_LP];  tok5_q <= tok4_q;
            if (v0) begin
              wa_q <= wa_q + {{(WAW-1){1'b0}}, 1'b1};
              if (lastc0) begin
                jj_q <= {CHW{1'b0}};
                if (lastp0) begin
                  i_q <= 4'd0;
                  if (lastg0) begin
                    g_cnt_q <= {GW{1'b0}}; mb_q <= {MW{1'b0}};
                    wa_q <= a_wbase[WAW-1:0];
                    col_q <= col_q + {{(AAW+1-CHW){1'b0}}, ch_q};
                    if (lastn0) issue_q <= 1'b0;
                    else        n_q <= n_q + {{(NW-1){1'b0}}, 1'b1};
                  end else begin
                    g_cnt_q <= g_cnt_q + {{(GW-1){1'b0}}, 1'b1};
                    mb_q <= mb_q + L_M[MW-1:0];
                  end
                end else begin
                  i_q <= i_q + 4'd1;
                end
              end else begin
                jj_q <= jj_q + {{(CHW-1){1'b0}}, 1'b1};
              end
            end
          end
          if (!issue_q && !v1_q && !v2_q && !v3_q && !v4_q && !v5_q && !rv_q && !sact_q) begin
            done_o <= 1'b1;
            err_o  <= 1'b0;
            cst_q  <= C_IDLE;
          end
        end
      endcase
    end
  end

  // ---------------- R / O / serialiser ----------------
  wire [MW:0]   s_p    = {1'b0, s_mb_q} + {{(MW+1-SIW){1'b0}}, s_idx_q};  // channel of this position
  wire [MW:0]   m_last = {1'b0, m_c} - {{MW{1'b0}}, 1'b1};
  wire          s_in   = s_idx_q < L_S && s_p < {1'b0, m_c};  // a real result (else a padding zero)
  wire [SW-1:0] s_t    = ob_q[s_idx_q[LIW-1:0]*SW +: SW];
  wire [31:0]   s_y;
  flexor_requant #(.SUM_W(SW)) u_rq (.t_i(s_t), .shift_i(f_shift), .relu_i(f_relu), .y_o(s_y));
  wire [31:0]   s_val  = s_in ? s_y : 32'd0;
  wire          s_fire = sact_q && (!f_dsts || out_ready_i);
  wire          s_end  = f_dsts ? (s_idx_q == L_S - {{(SIW-1){1'b0}}, 1'b1} || s_p == m_last)
                                : (s_lg_q ? (s_p >= m_last && dbyte_q == NO_6 - 6'd1)
                                          : s_idx_q == L_S - {{(SIW-1){1'b0}}, 1'b1});
  assign        s_done = s_fire && s_end;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      rv_q <= 1'b0; sact_q <= 1'b0;
      res_q <= {LANES*SW{1'b0}}; ob_q <= {LANES*SW{1'b0}};
      r_mb_q <= {MW{1'b0}}; s_mb_q <= {MW{1'b0}}; s_idx_q <= {SIW{1'b0}};
      dchunk_q <= {(AAW+1){1'b0}}; dbyte_q <= 6'd0;
      r_lg_q <= 1'b0; r_ln_q <= 1'b0; s_lg_q <= 1'b0; s_ln_q <= 1'b0;
    end else begin
      if (cst_q == C_CHK2) begin
        dchunk_q <= a_dbase[AAW:0];
        dbyte_q  <= 6'd0;
      end
      if (s_fire) begin
        if (s_end) sact_q <= 1'b0;
        else       s_idx_q <= s_idx_q + {{(SIW-1){1'b0}}, 1'b1};
        if (!f_dsts) begin
          if (dbyte_q == NO_6 - 6'd1) begin
            dbyte_q <= 6'd0; dchunk_q <= dchunk_q + {{AAW{1'b0}}, 1'b1};
          end else begin
            dbyte_q <= dbyte_q + 6'd1;
          end
        end
      end
      if (take) begin  // after s_fire: a new group replaces the one just finished
        ob_q <= res_q; s_mb_q <= r_mb_q; s_lg_q <= r_lg_q; s_ln_q <= r_ln_q;
        s_idx_q <= {SIW{1'b0}}; sact_q <= 1'b1;
        rv_q <= 1'b0;
      end
      if (cst_q == C_EXEC && adv && v5_q) begin
        res_q <= t_i; rv_q <= 1'b1;
        r_mb_q <= tok5_q[T_MB +: MW]; r_lg_q <= tok5_q[T_LG]; r_ln_q <= tok5_q[T_LN];
      end
    end
  end

  // ---------------- outputs ----------------
  /* verilator lint_off UNUSEDSIGNAL */
  wire [AAW:0] a_ra = col_q + {{(AAW+1-CHW){1'b0}}, j0};
  wire [31:0]  o_ra = a_pbase + {{(32-GW){1'b0}}, g_cnt_q};
  wire [31:0]  p_ra = a_pbase + {{(32-GW){1'b0}}, tok3_q[T_G +: GW]};
  wire [31:0]  tj2  = {{(32-CHW){1'b0}}, tok2_q[T_J +: CHW]};
  wire [31:0]  tg2  = {{(32-GW){1'b0}}, tok2_q[T_G +: GW]};
  wire [31:0]  tn2  = {{(32-NW){1'b0}}, tok2_q[T_N +: NW]};
  wire [31:0]  tg3  = {{(32-GW){1'b0}}, tok3_q[T_G +: GW]};
  wire [31:0]  tn3  = {{(32-NW){1'b0}}, tok3_q[T_N +: NW]};
  wire [MW:0]  rem2 = {1'b0, m_c} - {1'b0, tok2_q[T_MB +: MW]};   // channels left from this group on
  wire [MW:0]  act2 = (rem2 > {{(MW+1-LCW){1'b0}}, L_M[LCW-1:0]}) ? {{(MW+1-LCW){1'b0}}, L_M[LCW-1:0]} : rem2;
  /* verilator lint_on UNUSEDSIGNAL */
  assign w_raddr_o  = wa_q;
  assign a_raddr_o  = a_ra[AAW-1:0];
  assign a_rbuf_o   = f_asrc;
  assign o_raddr_o  = o_ra[PAW-1:0];
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
  assign out_last_o  = s_lg_q && s_ln_q && s_p == m_last;

  assign tap_valid_o     = cst_q == C_EXEC && adv && v2_q;
  assign tap_chunk_o     = tj2[15:0];
  assign tap_plane_o     = tok2_q[T_I +: 4];
  assign tap_grp_o       = tg2[15:0];
  assign tap_col_o       = tn2[15:0];
  assign tap_acc_valid_o = cst_q == C_EXEC && adv && v3_q && tok3_q[T_LC];
  assign tap_acc_col_o   = tn3[15:0];
  assign tap_acc_grp_o   = tg3[15:0];
  assign tap_acc_plane_o = tok3_q[T_I +: 4];

  assign slices_inc_o = tap_valid_o ? act2[LCW-1:0] : {LCW{1'b0}};
endmodule

`default_nettype wire
