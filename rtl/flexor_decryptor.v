// SPDX-License-Identifier: Apache-2.0
// flexor_decryptor: the fixed XOR network M⊕ for one N_in (docs/contract.md §2).
// y[r] = parity(MATRIX row r & x). Purely combinational: latency 0, one slice per cycle.
// MATRIX holds N_OUT rows, row r at [r*ROW_W +: N_IN]; ROW_W = N_IN matches FXC_MXOR_<n>,
// ROW_W = 32 matches one entry of FXC_MXOR_ALL.
`timescale 1ns / 1ps
`default_nettype none

module flexor_decryptor #(
  parameter integer N_IN  = 16,  // stored bits per slice
  parameter integer N_OUT = 20,  // decrypted weight bits per slice
  parameter integer ROW_W = N_IN, // stride of one row inside MATRIX
  parameter [N_OUT*ROW_W-1:0] MATRIX = {N_OUT*ROW_W{1'b0}}
) (
  input  wire [N_IN-1:0]  x_i,  // stored (encrypted) slice
  output wire [N_OUT-1:0] y_o   // decrypted weight bits
);
  genvar r;
  generate
    for (r = 0; r < N_OUT; r = r + 1) begin : g_row
      assign y_o[r] = ^(MATRIX[r*ROW_W +: N_IN] & x_i);
    end
  endgenerate
endmodule

`default_nettype wire
