// SPDX-License-Identifier: Apache-2.0
// flexor_argchk: the RUN's arguments (docs/accelerator.md "RUN", "RUNX"). Decodes the 8 (RUNX: 11)
// argument words into named fields, checks them (errors 2..5, lowest code first, the order of the C
// model) and owns the RUN phase: idle -> check 1 (layer geometry CH, S, G from K and M; decryptor
// select) -> (RUNX only) check X: 10 cycles, one product of RUNX's shape per cycle on one shared
// multiplier (C*kw, C*in_w, C*s, C*p, out_h*out_w, then C*kw*kh, C*in_w*in_h, M*H'*W', the row's
// bytes times s and p) -> check 2 (every memory range) -> exec, until the sequencer, the gather and
// the writer have drained.
// A refused RUN ends in check 2 (done_o with err_o); an accepted one pulses go_o there and reports
// done_o (err_o low) on the cycle after drained_i. The decoded fields and the geometry are stable
// from the cycle after check 1 until done_o (flexor_cmd holds args_i until then).
`timescale 1ns / 1ps
`default_nettype none

module flexor_argchk #(
  parameter integer N_OUT      = 20,
  parameter integer LANES      = 16,
  parameter integer Q_MAX      = 4,
  parameter integer K_MAX      = 4096,
  parameter integer WMEM_DEPTH = 8192,
  parameter integer PMEM_DEPTH = 256,
  parameter integer AMEM_DEPTH = 4096,
  parameter integer N_IN_COUNT = 4,
  parameter [8*N_IN_COUNT-1:0] N_IN_LIST = 32'h14100C08,  // entry e (an N_in) at [8e +: 8]
  parameter integer SEL_W      = $clog2(N_IN_COUNT + 1),  // decryptor select; N_IN_COUNT = bypass
  // Widths of what passes the checks (M <= LANES*PMEM_DEPTH, N <= AMEM_DEPTH, K <= K_MAX);
  // flexor_ctrl passes the same values to every block.
  parameter integer M_W        = $clog2(LANES * PMEM_DEPTH + 1),
  parameter integer N_W        = $clog2(AMEM_DEPTH + 1),
  parameter integer G_W        = $clog2(PMEM_DEPTH + 1),
  parameter integer CH_W       = $clog2((K_MAX + N_OUT - 1) / N_OUT + 2),  // CH and S = CH + 1
  // RUNX byte quantities inside a tensor or a kernel window (C*in_h*in_w <= AMEM_DEPTH*N_OUT once the
  // range checks pass; C*kh*kw = K <= K_MAX), and the same times a stride or padding (8 bits)
  parameter integer BYTE_W     = ($clog2(AMEM_DEPTH * N_OUT + 1) > $clog2(K_MAX + 1)) ?
                                 $clog2(AMEM_DEPTH * N_OUT + 1) : $clog2(K_MAX + 1),
  parameter integer XB_W       = BYTE_W + 8
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             start_i,
  input  wire [12*32-1:0] args_i,         // K, M, N, flags, w_base, p_base, a_src_base, a_dst_base, RUNX words
  input  wire             x_i,            // RUNX
  input  wire             drained_i,      // exec: no token and no result left anywhere
  output reg              done_o,         // pulse: RUN finished (or refused)
  output reg              err_o,          // with done_o
  output reg  [7:0]       err_code_o,
  output wire             check2_o,       // second check cycle (the writer loads its pointers)
  output wire             go_o,           // second check cycle, every check passed: exec from the next
  output wire             exec_o,
  output wire             x_o,            // the RUN is a RUNX
  output wire             pool_o,         // RUNX: 2x2 max-pooling
  // decoded arguments
  output wire [3:0]       q_o,            // planes
  output wire             straddle_o,
  output wire             relu_o,
  output wire             dst_stream_o,   // results to the out stream (else into a_dst)
  output wire             a_src_o,        // activation buffer read
  output wire             a_dst_o,        // activation buffer written
  output wire [5:0]       shift_o,
  output wire [31:0]      w_base_o,
  output wire [31:0]      p_base_o,
  output wire [31:0]      a_src_base_o,
  output wire [31:0]      a_dst_base_o,
  // geometry (M and N clipped to their legal widths; zero when out of range, which is error 4)
  output wire [M_W-1:0]   m_o,
  output wire [N_W-1:0]   n_o,
  output reg  [CH_W-1:0]  ch_o,           // chunks per column, ceil(K / N_OUT)
  output reg  [CH_W-1:0]  slices_o,       // slices per plane: CH, +1 priming slice in straddle mode
  output reg  [G_W-1:0]   groups_o,       // ceil(M / LANES)
  output reg  [SEL_W-1:0] sel_o,          // the lanes' decryptor
  // RUNX geometry for the gather (valid from check 2 on; bytes of the HWC input tensor)
  output wire [7:0]       kh_o,           // window rows
  output wire [N_W-1:0]   out_w_o,        // columns per output row (before pooling)
  output reg  [BYTE_W-1:0] kwc_o,         // kw*C: bytes of one window row
  output reg  [BYTE_W-1:0] rs_o,          // in_w*C: bytes of one input row
  output reg  [BYTE_W-1:0] tb_o,          // in_h*in_w*C: bytes of the tensor
  output reg  [XB_W-1:0]  sc_o, pc_o,     // s*C, p*C
  output reg  [XB_W-1:0]  srs_o, prs_o,   // s*rs, p*rs
  output reg  [5:0]       padb_o          // CH*N_OUT - K: zero bytes after a column's K activations
);
  localparam integer M_MAX    = LANES * PMEM_DEPTH;  // a larger M can never fit the parameter memory
  localparam integer K_W      = $clog2(K_MAX + 1);
  localparam integer CH_OUT_W = $clog2((M_MAX + N_OUT - 1) / N_OUT + 1);  // output chunks of a column
  // Dividend widths of the geometry divisions (at least 7 bits so the divisors fit).
  localparam integer K_DIV_W  = ((K_W > 6) ? K_W : 6) + 1;
  localparam integer M_DIV_W  = ((M_W > 6) ? M_W : 6) + 1;
  localparam integer RANGE_W  = 40;  // range checks: 32-bit base + product < 2^39
  // Limits as 32-bit words (compared with the arguments, widened for the range checks).
  localparam [31:0]         K_MAX_32      = K_MAX;
  localparam [31:0]         M_MAX_32      = M_MAX;
  localparam [31:0]         WMEM_DEPTH_32 = WMEM_DEPTH;
  localparam [31:0]         PMEM_DEPTH_32 = PMEM_DEPTH;
  localparam [31:0]         AMEM_DEPTH_32 = AMEM_DEPTH;
  // Divisors at their dividends' widths.
  localparam [K_DIV_W-1:0]  CH_DIVISOR     = N_OUT[K_DIV_W-1:0];  // K -> CH
  localparam [M_DIV_W-1:0]  G_DIVISOR      = LANES[M_DIV_W-1:0];  // M -> G
  localparam [M_DIV_W-1:0]  CH_OUT_DIVISOR = N_OUT[M_DIV_W-1:0];  // M -> output chunks
  localparam [5:0]          N_OUT_6        = N_OUT[5:0];          // the flags' N_in field width
  localparam [3:0]          Q_MAX_4        = Q_MAX[3:0];
  localparam integer        MHW_W          = M_W + N_W;            // M*H'*W' with both clipped
  localparam integer        AMEM_AW_X      = $clog2(AMEM_DEPTH + 1);
  localparam integer        SPACE_W        = AMEM_AW_X + 6;        // free words of a buffer, in bytes
  localparam [SPACE_W-1:0]  N_OUT_SP       = N_OUT[SPACE_W-1:0];
  localparam [AMEM_AW_X-1:0] AMEM_DEPTH_X  = AMEM_DEPTH[AMEM_AW_X-1:0];

  // ---------------- decoding ----------------
  wire [31:0] arg_k     = args_i[0*32 +: 32];
  wire [31:0] arg_m     = args_i[1*32 +: 32];
  wire [31:0] arg_n     = args_i[2*32 +: 32];   // RUN only (0 for RUNX)
  wire [31:0] arg_c     = args_i[8*32 +: 32];   // RUNX: C, in_hw, kernel, out_hw
  wire [15:0] in_h      = args_i[9*32 +: 16];
  wire [15:0] in_w      = args_i[9*32+16 +: 16];
  wire [7:0]  kh        = args_i[10*32 +: 8];
  wire [7:0]  kw        = args_i[10*32+8 +: 8];
  wire [7:0]  stride    = args_i[10*32+16 +: 8];
  wire [7:0]  pad       = args_i[10*32+24 +: 8];
  wire [15:0] out_h     = args_i[11*32 +: 16];
  wire [15:0] out_w     = args_i[11*32+16 +: 16];
  wire [31:0] arg_flags = args_i[3*32 +: 32];
  assign w_base_o       = args_i[4*32 +: 32];
  assign p_base_o       = args_i[5*32 +: 32];
  assign a_src_base_o   = args_i[6*32 +: 32];
  assign a_dst_base_o   = args_i[7*32 +: 32];

  wire [5:0] flag_n_in = arg_flags[9:4];
  wire       flag_enc  = arg_flags[10];
  assign q_o          = arg_flags[3:0];
  assign straddle_o   = arg_flags[11];
  assign relu_o       = arg_flags[12];
  assign dst_stream_o = arg_flags[13];
  assign a_src_o      = arg_flags[14];
  assign a_dst_o      = arg_flags[15];
  assign shift_o      = arg_flags[21:16];
  wire [1:0] flag_pool = arg_flags[23:22];
  assign x_o          = x_i;
  assign pool_o       = flag_pool == 2'd2;
  assign kh_o         = kh;

  // Decryptor index of the requested N_in (N_IN_COUNT = none / bypass).
  reg [SEL_W-1:0] n_in_idx;
  integer e;
  always @* begin
    n_in_idx = N_IN_COUNT[SEL_W-1:0];
    for (e = 0; e < N_IN_COUNT; e = e + 1)
      if ({2'b00, flag_n_in} == N_IN_LIST[8*e +: 8]) n_in_idx = e[SEL_W-1:0];
  end

  // ---------------- checks ----------------
  // RUNX shape: C*kh*kw (registered in check X) against K; C above K_MAX can never match a legal K.
  wire c_big     = arg_c > K_MAX_32;
  wire [K_W-1:0] c_clip = arg_c[K_W-1:0];
  reg  [K_W+15:0] kcw_q;                      // kw*C*kh
  reg  [31:0]     ncol_q;                     // out_h*out_w
  wire x_zero    = arg_c == 32'd0 || in_h == 16'd0 || in_w == 16'd0 || kh == 8'd0 || kw == 8'd0 ||
                   stride == 8'd0 || out_h == 16'd0 || out_w == 16'd0;
  wire x_shape   = x_zero || c_big || {{(32-K_W-16){1'b0}}, kcw_q} != arg_k || ncol_q > AMEM_DEPTH_32 ||
                   (pool_o && (out_h[0] || out_w[0]));
  wire err_shape = q_o == 4'd0 || q_o > Q_MAX_4 || arg_k == 32'd0 || arg_k > K_MAX_32 ||
                   arg_m == 32'd0 || (x_i ? x_shape : arg_n == 32'd0);
  wire err_n_in  = flag_enc ? (n_in_idx == N_IN_COUNT[SEL_W-1:0]) : (flag_n_in != N_OUT_6);
  wire err_flags = (!dst_stream_o && !relu_o) || (!dst_stream_o && a_src_o == a_dst_o) ||
                   (x_i ? (arg_flags[31:24] != 8'd0 || flag_pool[0] || (pool_o && !relu_o))
                        : arg_flags[31:22] != 10'd0);
  wire m_too_big = arg_m > M_MAX_32;          // G would exceed PMEM_DEPTH: error 4
  wire n_too_big = !x_i && arg_n > AMEM_DEPTH_32;  // N·CH would exceed AMEM_DEPTH: error 4

  // Check cycle 1: layer geometry from K, M clipped to their legal widths.
  // (only K's own checks: RUNX's shape checks use check X's products, not ready in check 1)
  wire               k_bad  = arg_k == 32'd0 || arg_k > K_MAX_32;
  wire [K_DIV_W-1:0] k_clip = k_bad ? {K_DIV_W{1'b0}} : {{(K_DIV_W-K_W){1'b0}}, arg_k[K_W-1:0]};
  assign m_o = m_too_big ? {M_W{1'b0}} : arg_m[M_W-1:0];
  wire [N_W-1:0] ncol_clip = (ncol_q > AMEM_DEPTH_32) ? {N_W{1'b0}} : ncol_q[N_W-1:0];
  assign n_o = x_i ? ncol_clip : n_too_big ? {N_W{1'b0}} : arg_n[N_W-1:0];
  assign out_w_o = (out_w > AMEM_DEPTH_32[15:0]) ? {N_W{1'b0}} : out_w[N_W-1:0];
  wire [M_DIV_W-1:0] m_wide = {{(M_DIV_W-M_W){1'b0}}, m_o};
  /* verilator lint_off UNUSEDSIGNAL */
  wire [K_DIV_W-1:0] ch_calc     = (k_clip + CH_DIVISOR - {{(K_DIV_W-1){1'b0}}, 1'b1}) / CH_DIVISOR;
  wire [M_DIV_W-1:0] groups_calc = (m_wide + G_DIVISOR - {{(M_DIV_W-1){1'b0}}, 1'b1}) / G_DIVISOR;
  wire [M_DIV_W-1:0] ch_out_calc = (m_wide + CH_OUT_DIVISOR - {{(M_DIV_W-1){1'b0}}, 1'b1}) / CH_OUT_DIVISOR;
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [CH_OUT_W-1:0] ch_out_q;

  // Check cycle 2: every memory range (products sized by their left-hand sides).
  wire [G_W+4+CH_W-1:0]  w_words   = groups_o * q_o * slices_o;
  wire [N_W+CH_W-1:0]    src_words = n_o * ch_o;
  wire [N_W+CH_OUT_W-1:0] dst_words = n_o * ch_out_q;
  wire [RANGE_W-1:0] w_end   = {{(RANGE_W-32){1'b0}}, w_base_o} + {{(RANGE_W-G_W-4-CH_W){1'b0}}, w_words};
  wire [RANGE_W-1:0] p_end   = {{(RANGE_W-32){1'b0}}, p_base_o} + {{(RANGE_W-G_W){1'b0}}, groups_o};
  wire [RANGE_W-1:0] src_end = {{(RANGE_W-32){1'b0}}, a_src_base_o} + {{(RANGE_W-N_W-CH_W){1'b0}}, src_words};
  wire [RANGE_W-1:0] dst_end = {{(RANGE_W-32){1'b0}}, a_dst_base_o} + {{(RANGE_W-N_W-CH_OUT_W){1'b0}}, dst_words};
  wire [RANGE_W-1:0] wmem_end = {{(RANGE_W-32){1'b0}}, WMEM_DEPTH_32};  // first address past each memory
  wire [RANGE_W-1:0] pmem_end = {{(RANGE_W-32){1'b0}}, PMEM_DEPTH_32};
  wire [RANGE_W-1:0] amem_end = {{(RANGE_W-32){1'b0}}, AMEM_DEPTH_32};
  // RUNX tensors: base + ceil(bytes / N_OUT) > AMEM_DEPTH  <=>  base > AMEM_DEPTH or
  // bytes > (AMEM_DEPTH - base) * N_OUT (a constant multiplication instead of a division).
  reg  [K_W+31:0] tbf_q;                      // C*in_h*in_w
  reg  [MHW_W-1:0] mhw_q;                     // M*H'*W'
  wire src_base_big = a_src_base_o > AMEM_DEPTH_32;
  wire dst_base_big = a_dst_base_o > AMEM_DEPTH_32;
  wire [SPACE_W-1:0] src_space = {6'd0, AMEM_DEPTH_X - a_src_base_o[AMEM_AW_X-1:0]} * N_OUT_SP;
  wire [SPACE_W-1:0] dst_space = {6'd0, AMEM_DEPTH_X - a_dst_base_o[AMEM_AW_X-1:0]} * N_OUT_SP;
  wire x_src_bad = src_base_big || tbf_q > {{(K_W+32-SPACE_W){1'b0}}, src_space};
  wire x_dst_bad = dst_base_big || {{SPACE_W{1'b0}}, mhw_q} > {{MHW_W{1'b0}}, dst_space};
  wire err_range = m_too_big || n_too_big || w_end > wmem_end || p_end > pmem_end ||
                   (x_i ? x_src_bad : src_end > amem_end) ||
                   (!dst_stream_o && (x_i ? x_dst_bad : dst_end > amem_end));

  // RUNX products: check X, step xs_q, one per cycle on one multiplier (later steps use earlier ones).
  reg  [K_W+7:0]  kwcf_q;                     // kw*C
  reg  [K_W+15:0] rsf_q;                      // in_w*C
  reg  [K_W+7:0]  scf_q, pcf_q;               // s*C, p*C
  wire [BYTE_W-1:0] rs_clip = (rsf_q > {{(K_W+16-BYTE_W){1'b0}}, {BYTE_W{1'b1}}}) ? {BYTE_W{1'b0}}
                                                                                    : rsf_q[BYTE_W-1:0];
  /* verilator lint_off UNUSEDSIGNAL */
  wire [CH_W+6:0] padb_calc = ch_o * N_OUT[6:0] - arg_k[CH_W+6:0];
  /* verilator lint_on UNUSEDSIGNAL */
  wire [N_W-1:0]  hw_out = pool_o ? {2'b00, ncol_clip[N_W-1:2]} : ncol_clip;  // H'*W'
  wire err_any   = err_shape || err_n_in || err_range || err_flags;

  // ---------------- RUN phase ----------------
  localparam integer MA_W = K_W + 16, MB_W = (N_W > 16) ? N_W : 16;  // multiplier operands
  reg  [3:0]         xs_q;
  reg  [MA_W-1:0]    mul_a;
  reg  [MB_W-1:0]    mul_b;
  /* verilator lint_off UNUSEDSIGNAL */
  wire [MA_W+MB_W-1:0] prod = mul_a * mul_b;
  /* verilator lint_on UNUSEDSIGNAL */
  always @* begin
    mul_a = {{(MA_W-K_W){1'b0}}, c_clip};
    mul_b = {MB_W{1'b0}};
    case (xs_q)
      4'd0: mul_b[7:0] = kw;
      4'd1: mul_b[15:0] = in_w;
      4'd2: mul_b[7:0] = stride;
      4'd3: mul_b[7:0] = pad;
      4'd4: begin mul_a = {{(MA_W-16){1'b0}}, out_h}; mul_b[15:0] = out_w; end
      4'd5: begin mul_a = {{(MA_W-K_W-8){1'b0}}, kwcf_q}; mul_b[7:0] = kh; end
      4'd6: begin mul_a = rsf_q; mul_b[15:0] = in_h; end
      4'd7: begin mul_a = {{(MA_W-M_W){1'b0}}, m_o}; mul_b[N_W-1:0] = hw_out; end
      4'd8: begin mul_a = {{(MA_W-BYTE_W){1'b0}}, rs_clip}; mul_b[7:0] = stride; end
      default: begin mul_a = {{(MA_W-BYTE_W){1'b0}}, rs_clip}; mul_b[7:0] = pad; end
    endcase
  end
  wire [BYTE_W-1:0] tb_clip = (prod > {{(MA_W+MB_W-BYTE_W){1'b0}}, {BYTE_W{1'b1}}}) ? {BYTE_W{1'b0}}
                                                                                  : prod[BYTE_W-1:0];

  localparam [2:0] PH_IDLE = 3'd0, PH_CHECK1 = 3'd1, PH_CHECK2 = 3'd2, PH_EXEC = 3'd3, PH_CHECKX = 3'd4;
  reg [2:0] phase_q;

  assign check2_o = phase_q == PH_CHECK2;
  assign go_o     = check2_o && !err_any;
  assign exec_o   = phase_q == PH_EXEC;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      phase_q <= PH_IDLE;
      done_o <= 1'b0; err_o <= 1'b0; err_code_o <= 8'd0;
      ch_o <= {CH_W{1'b0}}; slices_o <= {{(CH_W-1){1'b0}}, 1'b1}; groups_o <= {{(G_W-1){1'b0}}, 1'b1};
      ch_out_q <= {CH_OUT_W{1'b0}}; sel_o <= {SEL_W{1'b0}};
      kcw_q <= {(K_W+16){1'b0}}; ncol_q <= 32'd0; tbf_q <= {(K_W+32){1'b0}}; mhw_q <= {MHW_W{1'b0}};
      kwcf_q <= {(K_W+8){1'b0}}; rsf_q <= {(K_W+16){1'b0}}; scf_q <= {(K_W+8){1'b0}}; pcf_q <= {(K_W+8){1'b0}};
      kwc_o <= {BYTE_W{1'b0}}; rs_o <= {BYTE_W{1'b0}}; tb_o <= {BYTE_W{1'b0}};
      xs_q <= 4'd0;
      sc_o <= {XB_W{1'b0}}; pc_o <= {XB_W{1'b0}}; srs_o <= {XB_W{1'b0}}; prs_o <= {XB_W{1'b0}}; padb_o <= 6'd0;
    end else begin
      done_o <= 1'b0;
      case (phase_q)
        PH_IDLE: if (start_i) phase_q <= PH_CHECK1;
        PH_CHECK1: begin
          ch_o     <= ch_calc[CH_W-1:0];
          slices_o <= ch_calc[CH_W-1:0] + {{(CH_W-1){1'b0}}, straddle_o};
          groups_o <= groups_calc[G_W-1:0];
          ch_out_q <= ch_out_calc[CH_OUT_W-1:0];
          sel_o    <= flag_enc ? n_in_idx : N_IN_COUNT[SEL_W-1:0];
          xs_q     <= 4'd0;
          phase_q  <= x_i ? PH_CHECKX : PH_CHECK2;
        end
        PH_CHECKX: begin
          case (xs_q)
            4'd0: kwcf_q <= prod[K_W+7:0];
            4'd1: rsf_q  <= prod[K_W+15:0];
            4'd2: scf_q  <= prod[K_W+7:0];
            4'd3: pcf_q  <= prod[K_W+7:0];
            4'd4: ncol_q <= prod[31:0];
            4'd5: kcw_q  <= prod[K_W+15:0];
            4'd6: begin tbf_q <= prod[K_W+31:0]; tb_o <= tb_clip; end
            4'd7: mhw_q  <= prod[MHW_W-1:0];
            4'd8: srs_o  <= prod[XB_W-1:0];
            default: begin
              prs_o   <= prod[XB_W-1:0];
              kwc_o   <= kwcf_q[BYTE_W-1:0];
              rs_o    <= rs_clip;
              sc_o    <= {{(XB_W-K_W-8){1'b0}}, scf_q};
              pc_o    <= {{(XB_W-K_W-8){1'b0}}, pcf_q};
              padb_o  <= padb_calc[5:0];
              phase_q <= PH_CHECK2;
            end
          endcase
          xs_q <= xs_q + 4'd1;
        end
        PH_CHECK2: begin
          if (err_any) begin
            done_o <= 1'b1;
            err_o <= 1'b1;
            err_code_o <= err_shape ? 8'd2 : err_n_in ? 8'd3 : err_range ? 8'd4 : 8'd5;
            phase_q <= PH_IDLE;
          end else begin
            err_o <= 1'b0;
            phase_q <= PH_EXEC;
          end
        end
        default: begin  // PH_EXEC
          if (drained_i) begin
            done_o <= 1'b1;
            err_o  <= 1'b0;
            phase_q <= PH_IDLE;
          end
        end
      endcase
    end
  end
endmodule

`default_nettype wire
