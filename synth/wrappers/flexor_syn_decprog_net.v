// SPDX-License-Identifier: Apache-2.0
// flexor_syn_decprog_net: the logic of a programmable M⊕ without its matrix registers (synth only):
// y[r] = parity(m_i row r & x_i) for a matrix given on m_i. With the matrix shared by all lanes, an
// engine needs this network once per lane and the registers (flexor_syn_decprog) once.
`timescale 1ns / 1ps
`default_nettype none

module flexor_syn_decprog_net #(
  parameter integer N_IN  = 16,
  parameter integer N_OUT = 20
) (
  input  wire [N_OUT*N_IN-1:0] m_i,  // row r at [r*N_IN +: N_IN]
  input  wire [N_IN-1:0]       x_i,
  output wire [N_OUT-1:0]      y_o
);
  genvar r;
  generate
    for (r = 0; r < N_OUT; r = r + 1) begin : g_row
      assign y_o[r] = ^(m_i[r*N_IN +: N_IN] & x_i);
    end
  endgenerate
endmodule

`default_nettype wire
