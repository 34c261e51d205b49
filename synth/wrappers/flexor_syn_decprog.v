// SPDX-License-Identifier: Apache-2.0
// flexor_syn_decprog: a *programmable* M⊕ for the hardwired-vs-programmable comparison (synth only,
// not part of the accelerator). The N_OUT x N_IN matrix sits in registers loaded one row per cycle
// and feeds flexor_syn_decprog_net, so any matrix works: N_OUT*N_IN AND gates + XOR trees + the
// matrix flip-flops, where the hardwired network costs about N_OUT*(N_TAP-1) XOR2 and nothing else.
`timescale 1ns / 1ps
`default_nettype none

module flexor_syn_decprog #(
  parameter integer N_IN  = 16,
  parameter integer N_OUT = 20,
  parameter integer RA_W  = 5   // row-address width, 2^RA_W >= N_OUT
) (
  input  wire             clk_i,
  input  wire             ld_i,      // write row ld_row_i of the matrix
  input  wire [RA_W-1:0]  ld_row_i,
  input  wire [N_IN-1:0]  ld_data_i,
  input  wire [N_IN-1:0]  x_i,
  output wire [N_OUT-1:0] y_o
);
  reg [N_OUT*N_IN-1:0] mat;  // a flat vector, so no RAM is inferred
  genvar r;
  generate
    for (r = 0; r < N_OUT; r = r + 1) begin : g_row
      always @(posedge clk_i) if (ld_i && ld_row_i == r) mat[r*N_IN +: N_IN] <= ld_data_i;
    end
  endgenerate
  flexor_syn_decprog_net #(.N_IN(N_IN), .N_OUT(N_OUT)) u_net (.m_i(mat), .x_i(x_i), .y_o(y_o));
endmodule

`default_nettype wire
