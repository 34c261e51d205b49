// SPDX-License-Identifier: Apache-2.0
// flexor_syn_ice40_top: flexor_top behind a serial interface so it fits an iCE40 package (synth only).
// Command words are shifted in LSB first (32 bits make a word, presented to in_* until accepted);
// each result word is loaded into a shift register and shifted out LSB first. The 64-bit counters,
// err_code and the debug taps are left unconnected: synthesis removes them (see docs/synth.md).
`timescale 1ns / 1ps
`default_nettype none

module flexor_syn_ice40_top (
  input  wire clk_i,
  input  wire rst_ni,
  input  wire sin_i,         // serial command data, LSB first
  input  wire sin_en_i,      // shift sin_i in this cycle (ignored while sin_full_o)
  output wire sin_full_o,    // a whole word waits for the engine
  output wire sout_o,        // current bit of the result word
  input  wire sout_shift_i,  // take sout_o, move to the next bit
  output wire sout_valid_o,  // a result word is being shifted out
  output wire last_o,        // it is the RUN's last word
  output wire busy_o,
  output wire err_o
);
  reg  [31:0] isr;
  reg  [5:0]  icnt;
  wire        in_ready;
  wire        in_valid = icnt[5];   // 32 bits shifted in
  always @(posedge clk_i) begin
    if (!rst_ni) icnt <= 6'd0;
    else if (in_valid) begin
      if (in_ready) icnt <= 6'd0;
    end else if (sin_en_i) begin
      isr  <= {sin_i, isr[31:1]};
      icnt <= icnt + 6'd1;
    end
  end
  assign sin_full_o = in_valid;

  wire        out_valid, out_last;
  wire [31:0] out_data;
  reg  [31:0] osr;
  reg  [5:0]  ocnt;
  reg         olast;
  wire        oempty = ocnt == 6'd0;
  always @(posedge clk_i) begin
    if (!rst_ni) ocnt <= 6'd0;
    else if (oempty) begin
      if (out_valid) begin
        osr   <= out_data;
        olast <= out_last;
        ocnt  <= 6'd32;
      end
    end else if (sout_shift_i) begin
      osr  <= {1'b0, osr[31:1]};
      ocnt <= ocnt - 6'd1;
    end
  end
  assign sout_o       = osr[0];
  assign sout_valid_o = !oempty;
  assign last_o       = olast;

  /* verilator lint_off PINCONNECTEMPTY */
  flexor_top u_top (
    .clk_i(clk_i), .rst_ni(rst_ni),
    .in_valid_i(in_valid), .in_ready_o(in_ready), .in_data_i(isr),
    .out_valid_o(out_valid), .out_ready_i(oempty), .out_data_o(out_data), .out_last_o(out_last),
    .busy_o(busy_o), .err_o(err_o), .err_code_o(),
    .cnt_cycles_o(), .cnt_busy_o(), .cnt_stall_o(), .cnt_slices_o(),
    .tap_valid_o(), .tap_chunk_o(), .tap_plane_o(), .tap_grp_o(), .tap_col_o(), .tap_dec_o(), .tap_psum_o(),
    .tap_acc_valid_o(), .tap_acc_o(), .tap_acc_col_o(), .tap_acc_grp_o(), .tap_acc_plane_o()
  );
  /* verilator lint_on PINCONNECTEMPTY */
endmodule

`default_nettype wire
