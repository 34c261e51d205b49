// SPDX-License-Identifier: Apache-2.0
// flexor_argchk: the RUN's arguments (docs/accelerator.md "RUN"). Decodes the 8 argument words into
// named fields, checks them in two cycles (errors 2..5, lowest code first, the order of the C model)
// and owns the RUN phase: idle -> check 1 (layer geometry CH, S, G from K and M; decryptor select) ->
// check 2 (every memory range) -> exec, until the sequencer and the writer have drained.
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
  parameter integer CH_W       = $clog2((K_MAX + N_OUT - 1) / N_OUT + 2)  // CH and S = CH + 1
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             start_i,
  input  wire [8*32-1:0]  args_i,         // K, M, N, flags, w_base, p_base, a_src_base, a_dst_base
  input  wire             drained_i,      // exec: no token and no result left anywhere
  output reg              done_o,         // pulse: RUN finished (or refused)
  output reg              err_o,          // with done_o
  output reg  [7:0]       err_code_o,
  output wire             check2_o,       // second check cycle (the writer loads its pointers)
  output wire             go_o,           // second check cycle, every check passed: exec from the next
  output wire             exec_o,
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
  output reg  [SEL_W-1:0] sel_o           // the lanes' decryptor
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

  // ---------------- decoding ----------------
  wire [31:0] arg_k     = args_i[0*32 +: 32];
  wire [31:0] arg_m     = args_i[1*32 +: 32];
  wire [31:0] arg_n     = args_i[2*32 +: 32];
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

  // Decryptor index of the requested N_in (N_IN_COUNT = none / bypass).
  reg [SEL_W-1:0] n_in_idx;
  integer e;
  always @* begin
    n_in_idx = N_IN_COUNT[SEL_W-1:0];
    for (e = 0; e < N_IN_COUNT; e = e + 1)
      if ({2'b00, flag_n_in} == N_IN_LIST[8*e +: 8]) n_in_idx = e[SEL_W-1:0];
  end

  // ---------------- checks ----------------
  wire err_shape = q_o == 4'd0 || q_o > Q_MAX_4 || arg_k == 32'd0 || arg_k > K_MAX_32 ||
                   arg_m == 32'd0 || arg_n == 32'd0;
  wire err_n_in  = flag_enc ? (n_in_idx == N_IN_COUNT[SEL_W-1:0]) : (flag_n_in != N_OUT_6);
  wire err_flags = (!dst_stream_o && !relu_o) || (!dst_stream_o && a_src_o == a_dst_o) ||
                   arg_flags[31:22] != 10'd0;
  wire m_too_big = arg_m > M_MAX_32;          // G would exceed PMEM_DEPTH: error 4
  wire n_too_big = arg_n > AMEM_DEPTH_32;     // N·CH would exceed AMEM_DEPTH: error 4

  // Check cycle 1: layer geometry from K, M clipped to their legal widths.
  wire [K_DIV_W-1:0] k_clip = err_shape ? {K_DIV_W{1'b0}} : {{(K_DIV_W-K_W){1'b0}}, arg_k[K_W-1:0]};
  assign m_o = m_too_big ? {M_W{1'b0}} : arg_m[M_W-1:0];
  assign n_o = n_too_big ? {N_W{1'b0}} : arg_n[N_W-1:0];
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
  wire err_range = m_too_big || n_too_big || w_end > wmem_end || p_end > pmem_end || src_end > amem_end ||
                   (!dst_stream_o && dst_end > amem_end);
  wire err_any   = err_shape || err_n_in || err_range || err_flags;

  // ---------------- RUN phase ----------------
  localparam [1:0] PH_IDLE = 2'd0, PH_CHECK1 = 2'd1, PH_CHECK2 = 2'd2, PH_EXEC = 2'd3;
  reg [1:0] phase_q;

  assign check2_o = phase_q == PH_CHECK2;
  assign go_o     = check2_o && !err_any;
  assign exec_o   = phase_q == PH_EXEC;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      phase_q <= PH_IDLE;
      done_o <= 1'b0; err_o <= 1'b0; err_code_o <= 8'd0;
      ch_o <= {CH_W{1'b0}}; slices_o <= {{(CH_W-1){1'b0}}, 1'b1}; groups_o <= {{(G_W-1){1'b0}}, 1'b1};
      ch_out_q <= {CH_OUT_W{1'b0}}; sel_o <= {SEL_W{1'b0}};
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
          phase_q  <= PH_CHECK2;
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
