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
  // Decrypted slice of every decryptor, entry N_IN_COUNT = bypass.
  wire [(N_IN_COUNT+1)*N_OUT-1:0] dec_all;
  genvar k;
  generate
    for (k = 0; k < N_IN_COUNT; k = k + 1) begin : g_dec
      localparam integer N_IN = {24'd0, N_IN_LIST[8*k +: 8]};
      flexor_decryptor #(
        .N_IN(N_IN), .N_OUT(N_OUT), .ROW_W(32), .MATRIX(MXOR_ALL[k*N_OUT*32 +: N_OUT*32])
      ) u_dec (
        .x_i(slice_i[N_IN-1:0]), .y_o(dec_all[k*N_OUT +: N_OUT]));
    end
  endgenerate
  assign dec_all[N_IN_COUNT*N_OUT +: N_OUT] = slice_i;

  wire [N_OUT-1:0] cur = dec_all[sel_i*N_OUT +: N_OUT];

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
