// SPDX-License-Identifier: Apache-2.0
// flexor_syn_lane_scan: one flexor_lane (decryptor array, add/sub tree, accumulate, alpha-scale) between
// scan chains, for iCE40 place and route when the whole engine does not fit (synth only). Every lane
// input comes from a flip-flop of the scan-in chain and every output is captured into the scan-out
// chain, so the timed paths are the lane's own register-to-register paths.
`timescale 1ns / 1ps
`default_nettype none

module flexor_syn_lane_scan (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,
  input  wire shift_i,  // 1: shift both chains; 0: the lane advances and the outputs are captured
  output wire sout_o
);
  /* verilator lint_off UNUSEDPARAM */
  `include "flexor_config.vh"
  /* verilator lint_on UNUSEDPARAM */
  // the configuration's names without the prefix, as the lane calls them
  localparam integer N_OUT = FXC_N_OUT, PSUM_W = FXC_PSUM_W, ACC_W = FXC_ACC_W, SUM_W = FXC_SUM_W;
  localparam integer SEL_W   = $clog2(FXC_N_IN_COUNT + 1);
  localparam integer OM_W    = (N_OUT > 1) ? $clog2(N_OUT) : 1;
  localparam integer PARAM_W = 32 * (FXC_P_WORDS - 1);
  localparam integer IN_W    = 1 + SEL_W + 1 + OM_W + N_OUT + 8*N_OUT + PSUM_W + 1 + 1 + 1 + 4 + PARAM_W;
  localparam integer OUT_W   = N_OUT + PSUM_W + ACC_W + SUM_W;

  reg  [IN_W-1:0]  si;
  reg  [OUT_W-1:0] so;
  wire [OUT_W-1:0] y;
  always @(posedge clk_i) begin
    if (shift_i) begin
      si <= {si[IN_W-2:0], sin_i};
      so <= {so[OUT_W-2:0], 1'b0};
    end else
      so <= y;
  end
  assign sout_o = so[OUT_W-1];

  wire               v1, straddle, v3, first3, last3;
  wire [SEL_W-1:0]   sel;
  wire [OM_W-1:0]    om;
  wire [N_OUT-1:0]   slice;
  wire [8*N_OUT-1:0] act;
  wire [PSUM_W-1:0]  asum;
  wire [3:0]         plane3;
  wire [PARAM_W-1:0] param;
  assign {v1, sel, straddle, om, slice, act, asum, v3, first3, last3, plane3, param} = si;

  flexor_lane #(
    .N_OUT(N_OUT), .PSUM_W(PSUM_W), .ACC_W(ACC_W), .SUM_W(SUM_W), .N_IN_COUNT(FXC_N_IN_COUNT),
    .N_IN_LIST(FXC_N_IN_LIST), .MXOR_ALL(FXC_MXOR_ALL), .SEL_W(SEL_W), .OM_W(OM_W), .PARAM_W(PARAM_W)
  ) u_lane (
    .clk_i(clk_i), .rst_ni(rst_ni), .adv_i(!shift_i),
    .v1_i(v1), .sel_i(sel), .straddle_i(straddle), .om_i(om), .slice_i(slice),
    .act_i(act), .asum_i(asum),
    .v3_i(v3), .first3_i(first3), .last3_i(last3), .plane3_i(plane3), .param_i(param),
    .dec_o(y[0 +: N_OUT]), .psum_o(y[N_OUT +: PSUM_W]), .acc_o(y[N_OUT+PSUM_W +: ACC_W]),
    .t_o(y[N_OUT+PSUM_W+ACC_W +: SUM_W]));
endmodule

`default_nettype wire
