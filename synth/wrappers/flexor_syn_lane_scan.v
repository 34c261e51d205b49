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
  localparam integer NO    = FXC_N_OUT;
  localparam integer SEL_W = $clog2(FXC_N_IN_COUNT + 1);
  localparam integer OM_W  = (NO > 1) ? $clog2(NO) : 1;
  localparam integer PW    = 32 * (FXC_P_WORDS - 1);
  localparam integer IN_W  = 1 + SEL_W + 1 + OM_W + NO + 8*NO + 1 + 1 + 1 + 4 + PW;
  localparam integer OUT_W = NO + FXC_PSUM_W + FXC_ACC_W + FXC_SUM_W;

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

  wire             v1, straddle, v3, first3, last3;
  wire [SEL_W-1:0] sel;
  wire [OM_W-1:0]  om;
  wire [NO-1:0]    slice;
  wire [8*NO-1:0]  act;
  wire [3:0]       plane3;
  wire [PW-1:0]    param;
  assign {v1, sel, straddle, om, slice, act, v3, first3, last3, plane3, param} = si;

  flexor_lane #(.NO(NO), .PS(FXC_PSUM_W), .AC(FXC_ACC_W), .SW(FXC_SUM_W), .SEL_W(SEL_W), .OM_W(OM_W), .PW(PW)) u_lane (
    .clk_i(clk_i), .rst_ni(rst_ni), .adv_i(!shift_i),
    .v1_i(v1), .sel_i(sel), .straddle_i(straddle), .om_i(om), .slice_i(slice),
    .act_i(act),
    .v3_i(v3), .first3_i(first3), .last3_i(last3), .plane3_i(plane3), .param_i(param),
    .dec_o(y[0 +: NO]), .psum_o(y[NO +: FXC_PSUM_W]), .acc_o(y[NO+FXC_PSUM_W +: FXC_ACC_W]),
    .t_o(y[NO+FXC_PSUM_W+FXC_ACC_W +: FXC_SUM_W]));
endmodule

`default_nettype wire
