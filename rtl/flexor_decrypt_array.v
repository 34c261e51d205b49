// SPDX-License-Identifier: Apache-2.0
// flexor_decrypt_array: one lane's weight-bit source. Holds one flexor_decryptor per configured
// N_in plus the bypass (unencrypted planes), selected by the RUN; in straddle mode realigns the
// decrypted bits of the current and previous slice by the channel's offset o_m
// (bits = {cur, prev} >> o_m, docs/contract.md §3). Combinational from slice_i to bits_o
// (latency 0); the previous-slice register loads on en_i. One slice per cycle.
`timescale 1ns / 1ps
`default_nettype none

module flexor_decrypt_array #(
  parameter integer N_OUT = 20, // must equal FXC_N_OUT (the matrices come from flexor_config.vh)
  parameter integer SEL_W = 3,  // width of sel_i (index into FXC_N_IN_LIST; FXC_N_IN_COUNT = bypass)
  parameter integer OM_W  = 5   // width of the straddle offset
) (
  input  wire             clk_i,
  input  wire             rst_ni,
  input  wire             en_i,        // a slice is consumed this cycle: remember it as "previous"
  input  wire [SEL_W-1:0] sel_i,
  input  wire             straddle_i,
  input  wire [OM_W-1:0]  om_i,
  input  wire [N_OUT-1:0]     slice_i,  // stored slice (N_in bits used, LSB aligned)
  output wire [N_OUT-1:0]     bits_o    // this chunk's weight bits (1 = +1, 0 = -1)
);
  /* verilator lint_off UNUSEDPARAM */
  `include "flexor_config.vh"
  /* verilator lint_on UNUSEDPARAM */
  localparam integer NO = N_OUT;
  localparam integer ND = FXC_N_IN_COUNT;

  // Decrypted slice of every decryptor, entry ND = bypass.
  wire [(ND+1)*NO-1:0] dec_all;
  genvar k;
  generate
    for (k = 0; k < ND; k = k + 1) begin : g_dec
      localparam integer NIN = {24'd0, FXC_N_IN_LIST[8*k +: 8]};
      flexor_decryptor #(
        .N_IN(NIN), .N_OUT(NO), .ROW_W(32), .MATRIX(FXC_MXOR_ALL[k*NO*32 +: NO*32])
      ) u_dec (
        .x_i(slice_i[NIN-1:0]), .y_o(dec_all[k*NO +: NO]));
    end
  endgenerate
  assign dec_all[ND*NO +: NO] = slice_i;

  wire [NO-1:0] cur = dec_all[sel_i*NO +: NO];

  reg [NO-1:0] prev_q;
  always @(posedge clk_i) begin
    if (!rst_ni)   prev_q <= {NO{1'b0}};
    else if (en_i) prev_q <= cur;
  end

  /* verilator lint_off UNUSEDSIGNAL */
  wire [2*NO-1:0] both = {cur, prev_q} >> om_i;
  /* verilator lint_on UNUSEDSIGNAL */
  assign bits_o = straddle_i ? both[NO-1:0] : cur;
endmodule

`default_nettype wire
