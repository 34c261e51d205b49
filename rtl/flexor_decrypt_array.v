// SPDX-License-Identifier: Apache-2.0
// flexor_decrypt_array: one lane's weight-bit source. Holds one flexor_decryptor per configured
// N_in plus the bypass (unencrypted planes), selected by the RUN; in straddle mode realigns the
// decrypted bits of the current and previous slice by the channel's offset o_m
// (bits = {cur, prev} >> o_m, docs/contract.md §3). Combinational from slice_i to bits_o
// (latency 0); the previous-slice register loads on en_i. One slice per cycle.
// The matrices come in as parameters (the top passes the configuration's FXC_N_IN_LIST and
// FXC_MXOR_ALL), so the block can be instantiated on its own.
`timescale 1ns / 1ps
`default_nettype none

module flexor_decrypt_array #(
  parameter integer N_OUT      = 20,
  parameter integer N_IN_COUNT = 4,   // configured N_in values (decryptors)
  parameter [8*N_IN_COUNT-1:0] N_IN_LIST = 32'h14100C08,  // entry e (an N_in) at [8e +: 8]
  // entry e's matrix: row r at [(e*N_OUT + r)*32 +: 32], the low N_in bits used
  parameter [32*N_OUT*N_IN_COUNT-1:0] MXOR_ALL = {32*N_OUT*N_IN_COUNT{1'b0}},
  parameter integer SEL_W      = $clog2(N_IN_COUNT + 1),  // width of sel_i (entry of N_IN_LIST; N_IN_COUNT = bypass)
  parameter integer OM_W       = 5    // width of the straddle offset
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             en_i,        // a slice is consumed this cycle: remember it as "previous"
  input  wire [SEL_W-1:0] sel_i,
  input  wire             straddle_i,
  input  wire [OM_W-1:0]  om_i,
  input  wire [N_OUT-1:0] slice_i,     // stored slice (N_in bits used, LSB aligned)
  output wire [N_OUT-1:0] bits_o       // this chunk's weight bits (1 = +1, 0 = -1)
);
  // The selected decryptor's output (entry N_IN_COUNT = bypass). Written as one branch per entry so that
  // a simulator evaluates only the selected network each cycle; synthesis builds every network and the
  // multiplexer, as flexor_decryptor instances would (area: synth_baseline; equivalence: the decryptor
  // proofs and the cosim suites).
  function automatic [N_OUT-1:0] decrypt(input integer e, input [N_OUT-1:0] x);
    integer r;
    /* verilator lint_off UNUSEDSIGNAL */
    reg [31+N_OUT:0] wide;  // x zero-extended to at least 32 bits (N_OUT <= 32)
    /* verilator lint_on UNUSEDSIGNAL */
    reg [31:0] in;
    begin
      wide = {32'd0, x};
      in = wide[31:0] & ((32'd1 << N_IN_LIST[8*e +: 8]) - 32'd1);
      for (r = 0; r < N_OUT; r = r + 1) decrypt[r] = ^(MXOR_ALL[(e*N_OUT + r)*32 +: 32] & in);
    end
  endfunction

  reg [N_OUT-1:0] cur;
  integer e;
  always @* begin
    cur = slice_i;
    for (e = 0; e < N_IN_COUNT; e = e + 1)
      if ({{(32-SEL_W){1'b0}}, sel_i} == e) cur = decrypt(e, slice_i);
  end

  reg [N_OUT-1:0] prev_q;
  always @(posedge clk_i) begin
    if (!rst_ni)   prev_q <= {N_OUT{1'b0}};
    else if (en_i) prev_q <= cur;
  end

  /* verilator lint_off UNUSEDSIGNAL */
  wire [2*N_OUT-1:0] both = {cur, prev_q} >> om_i;
  /* verilator lint_on UNUSEDSIGNAL */
  assign bits_o = straddle_i ? both[N_OUT-1:0] : cur;
endmodule

`default_nettype wire
