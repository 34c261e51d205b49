// SPDX-License-Identifier: Apache-2.0
// flexor_syn_declanes: LANES decryptors of one N_in between registers, with a serial scan interface so
// the block fits an FPGA package (synth only). Every input bit comes from a flip-flop of a shift chain
// and every decrypted bit is captured and shifted out, so no logic can be optimised away.
// PROG = 1 uses the programmable M⊕ (matrix registers shared by all lanes: M⊕ is one matrix).
`timescale 1ns / 1ps
`default_nettype none

module flexor_syn_declanes #(
  parameter integer LANES = 16,
  parameter integer N_IN  = 16,
  parameter integer N_OUT = 20,
  parameter integer PROG  = 0,
  parameter [N_OUT*N_IN-1:0] MATRIX = {N_OUT*N_IN{1'b0}}
) (
  input  wire clk_i,
  input  wire sin_i,     // scan-in: shifts the stored slices (and, PROG, the matrix rows)
  input  wire shift_i,   // 1: shift chains; 0: capture decrypted bits
  input  wire ld_i,      // PROG: load matrix row ld_row from the scan register's lane 0
  input  wire [4:0] ld_row_i,
  output wire sout_o     // scan-out of the captured decrypted bits
);
  reg  [LANES*N_IN-1:0]  x_q;
  reg  [LANES*N_OUT-1:0] y_q;
  wire [LANES*N_OUT-1:0] y_d;

  always @(posedge clk_i) begin
    if (shift_i) begin
      x_q <= {x_q[LANES*N_IN-2:0], sin_i};
      y_q <= {y_q[LANES*N_OUT-2:0], 1'b0};
    end else
      y_q <= y_d;
  end
  assign sout_o = y_q[LANES*N_OUT-1];

  genvar l;
  generate
    if (PROG != 0) begin : g_prog
      // one matrix for all lanes (M⊕ is one matrix): registers once, an AND-XOR network per lane
      reg [N_OUT*N_IN-1:0] mat;  // a flat vector, so no RAM is inferred
      genvar r;
      for (r = 0; r < N_OUT; r = r + 1) begin : g_row
        always @(posedge clk_i) if (ld_i && ld_row_i == r) mat[r*N_IN +: N_IN] <= x_q[N_IN-1:0];
      end
      for (l = 0; l < LANES; l = l + 1) begin : g_lane
        flexor_syn_decprog_net #(.N_IN(N_IN), .N_OUT(N_OUT)) u_net (
          .m_i(mat), .x_i(x_q[l*N_IN +: N_IN]), .y_o(y_d[l*N_OUT +: N_OUT]));
      end
    end else begin : g_hw
      for (l = 0; l < LANES; l = l + 1) begin : g_lane
        flexor_decryptor #(.N_IN(N_IN), .N_OUT(N_OUT), .MATRIX(MATRIX)) u_dec (
          .x_i(x_q[l*N_IN +: N_IN]), .y_o(y_d[l*N_OUT +: N_OUT]));
      end
    end
  endgenerate
endmodule

`default_nettype wire
