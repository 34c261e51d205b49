// SPDX-License-Identifier: Apache-2.0
// flexor_requant: contract §4 requantization. r = (t + (shift ? 1<<(shift-1) : 0)) >>> shift
// (round half up), then clamp to 0..255 (RELU_U8, zero-extended) or to int32 (RAW).
// Combinational: latency 0. One instance serves all lanes (it sits in the output serialiser).
`timescale 1ns / 1ps
`default_nettype none

module flexor_requant #(
  parameter integer SUM_W = 39  // width of the scaled sum t (>= 33)
) (
  input  wire [SUM_W-1:0] t_i,      // signed
  input  wire [5:0]       shift_i,  // 0..63; every shift >= SUM_W gives 0 (|t| < 2^(SUM_W-1))
  input  wire             relu_i,
  output reg  [31:0]      y_o
);
  localparam integer ROUND_W = SUM_W + 1;  // t + 2^(shift-1) fits for shift < SUM_W

  wire signed [ROUND_W-1:0] t_x = {t_i[SUM_W-1], t_i};
  reg  signed [ROUND_W-1:0] rnd, r;

  always @* begin
    rnd = {ROUND_W{1'b0}};
    r   = {ROUND_W{1'b0}};
    if (shift_i < SUM_W[5:0]) begin
      if (shift_i != 6'd0) rnd[shift_i - 6'd1] = 1'b1;
      r = (t_x + rnd) >>> shift_i;
    end
    if (relu_i) begin
      if (r < 0)                                                  y_o = 32'd0;
      else if (r > $signed({{(ROUND_W-9){1'b0}}, 9'd255}))        y_o = 32'd255;
      else                                                        y_o = {24'd0, r[7:0]};
    end else begin
      if (r < $signed({{(ROUND_W-32){1'b1}}, 1'b1, 31'd0}))            y_o = 32'h8000_0000;
      else if (r > $signed({{(ROUND_W-32){1'b0}}, 1'b0, {31{1'b1}}})) y_o = 32'h7FFF_FFFF;
      else                                                            y_o = r[31:0];
    end
  end
endmodule

`default_nettype wire
