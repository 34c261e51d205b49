// SPDX-License-Identifier: Apache-2.0
// flexor_lane: one output channel's datapath (contract §4), four pipeline stages after the memories:
//   S1 (weight slice from the lane's weight RAM): decrypt + straddle realign -> dec_q
//   S2: partial sum p = sum_b (bit_b ? +a_b : -a_b) = 2*sum_b (bit_b ? a_b : 0) - sum_b a_b over the
//       N_out activations (sum_b a_b is the same for every lane: computed once, asum_i) -> psum_q
//   S3: acc += p; at plane end the plane's acc -> accf_q
//   S4 (parameters from the lane's RAM): t = (plane 0 ? bias : t) + alpha*acc  (the multiplier has a
//       stage of its own, apart from the accumulator's adder)
// Every register advances on adv_i (global pipeline enable). Throughput: one chunk per cycle.
`timescale 1ns / 1ps
`default_nettype none

module flexor_lane #(
  parameter integer N_OUT      = 20,
  parameter integer PSUM_W     = 14,
  parameter integer ACC_W      = 21,
  parameter integer SUM_W      = 39,  // >= 32
  parameter integer N_IN_COUNT = 4,   // the decrypt array's matrices (see flexor_decrypt_array)
  parameter [8*N_IN_COUNT-1:0]        N_IN_LIST = 32'h14100C08,
  parameter [32*N_OUT*N_IN_COUNT-1:0] MXOR_ALL  = {32*N_OUT*N_IN_COUNT{1'b0}},
  parameter integer SEL_W      = $clog2(N_IN_COUNT + 1),
  parameter integer OM_W       = 5,
  parameter integer PARAM_W    = 96   // parameter word: bias [31:0], alpha i at [32+16i +: 16]
) (
  input  wire                clk_i,
  input  wire                rst_ni,
  input  wire                adv_i,
  // S1
  input  wire                v1_i,
  input  wire [SEL_W-1:0]    sel_i,
  input  wire                straddle_i,
  input  wire [OM_W-1:0]     om_i,
  input  wire [N_OUT-1:0]    slice_i,
  // S2
  input  wire [N_OUT*8-1:0]  act_i,     // the chunk's activations (shared by all lanes)
  input  wire [PSUM_W-1:0]   asum_i,    // their sum (unsigned, < 2^(PSUM_W-1))
  // S3 (S4 follows internally; param_i belongs to the token in S4)
  input  wire                v3_i,
  input  wire                first3_i,  // first chunk of the plane
  input  wire                last3_i,   // last chunk of the plane
  input  wire [3:0]          plane3_i,
  input  wire [PARAM_W-1:0]  param_i,
  // results and taps
  output wire [N_OUT-1:0]    dec_o,     // S2: weight bits of the chunk
  output wire [PSUM_W-1:0]   psum_o,    // S2: chunk partial sum
  output wire [ACC_W-1:0]    acc_o,     // S3: plane accumulator including this chunk
  output wire [SUM_W-1:0]    t_o        // scaled sum, complete one cycle after S4 of the last plane
);

  // ---- S1: decrypt ----
  wire [N_OUT-1:0] bits;
  flexor_decrypt_array #(
    .N_OUT(N_OUT), .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(N_IN_LIST), .MXOR_ALL(MXOR_ALL), .SEL_W(SEL_W), .OM_W(OM_W)
  ) u_dec (
    .clk_i, .en_i(adv_i && v1_i), .sel_i, .straddle_i, .om_i, .slice_i, .bits_o(bits));

  reg [N_OUT-1:0] dec_q;
  always @(posedge clk_i) begin
    if (!rst_ni)              dec_q <= {N_OUT{1'b0}};
    else if (adv_i && v1_i)   dec_q <= bits;
  end

  // ---- S2: adder tree of the +1 weights' activations; p = 2*pos - asum ----
  // (exact modulo 2^PSUM_W: 2*pos <= 2*255*N_OUT < 2^PSUM_W and |p| < 2^(PSUM_W-1))
  reg [PSUM_W-1:0] pos;
  integer b;
  always @* begin
    pos = {PSUM_W{1'b0}};
    for (b = 0; b < N_OUT; b = b + 1)
      if (dec_q[b]) pos = pos + {{(PSUM_W-8){1'b0}}, act_i[8*b +: 8]};
  end
  wire signed [PSUM_W-1:0] psum = {pos[PSUM_W-2:0], 1'b0} - asum_i;

  reg signed [PSUM_W-1:0] psum_q;
  always @(posedge clk_i) begin
    if (!rst_ni)     psum_q <= {PSUM_W{1'b0}};
    else if (adv_i)  psum_q <= psum;
  end

  // ---- S3: accumulate ----
  reg  signed [ACC_W-1:0] acc_q, accf_q;
  reg                  vf_q;        // S4 holds a finished plane
  reg  [3:0]           planef_q;
  wire signed [ACC_W-1:0] acc_sum = (first3_i ? {ACC_W{1'b0}} : acc_q) + {{(ACC_W-PSUM_W){psum_q[PSUM_W-1]}}, psum_q};

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      acc_q    <= {ACC_W{1'b0}};
      accf_q   <= {ACC_W{1'b0}};
      vf_q     <= 1'b0;
      planef_q <= 4'd0;
    end else if (adv_i) begin
      if (v3_i) acc_q <= acc_sum;
      vf_q <= v3_i && last3_i;
      if (v3_i && last3_i) begin
        accf_q   <= acc_sum;
        planef_q <= plane3_i;
      end
    end
  end

  // ---- S4: scale and sum the planes ----
  reg  signed [SUM_W-1:0] t_q;
  wire signed [15:0]   alpha   = param_i[32 + 16*planef_q +: 16];
  wire signed [SUM_W-1:0] bias_x  = {{(SUM_W-32){param_i[31]}}, param_i[31:0]};
  // A 16 x ACC_W signed multiplier (operands at their own widths), then sign-extended to SUM_W: exact,
  // |alpha*acc| < 2^(15+ACC_W-1) <= 2^(SUM_W-1).
  wire signed [15+ACC_W:0] prod_n = alpha * accf_q;
  wire signed [SUM_W-1:0]  prod;
  generate
    if (SUM_W > 16 + ACC_W) begin : g_ext
      assign prod = {{(SUM_W-16-ACC_W){prod_n[15+ACC_W]}}, prod_n};
    end else begin : g_cut  // SUM_W = 16+ACC_W-1 or 16+ACC_W: the dropped bits are sign copies
      /* verilator lint_off UNUSEDSIGNAL */
      wire [15+ACC_W:0] prod_u = prod_n;
      /* verilator lint_on UNUSEDSIGNAL */
      assign prod = prod_u[SUM_W-1:0];
    end
  endgenerate

  always @(posedge clk_i) begin
    if (!rst_ni)              t_q <= {SUM_W{1'b0}};
    else if (adv_i && vf_q)   t_q <= ((planef_q == 4'd0) ? bias_x : t_q) + prod;
  end

  assign dec_o  = dec_q;
  assign psum_o = psum;
  assign acc_o  = acc_sum;
  assign t_o    = t_q;
endmodule

`default_nettype wire
