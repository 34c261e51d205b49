// SPDX-License-Identifier: Apache-2.0
// flexor_ram: simple dual-port RAM (one write port with segment enables, one read port).
// Registered read: rdata_o is mem[raddr_i] one cycle after a cycle with re_i (held while !re_i),
// so a stalled pipeline keeps its read data. Plain inferred memory, no reset of the contents.
// Used for the weight, parameter and straddle-offset memories and both activation buffers.
`timescale 1ns / 1ps
`default_nettype none

module flexor_ram #(
  parameter integer W     = 32,   // word width
  parameter integer DEPTH = 256,  // words
  parameter integer SEG   = W,    // write-enable granularity (W must be a multiple)
  parameter integer AW    = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
  input  wire             clk_i,
  input  wire             we_i,
  input  wire [AW-1:0]    waddr_i,
  input  wire [W-1:0]     wdata_i,
  input  wire [W/SEG-1:0] wseg_i,   // segment s written when we_i && wseg_i[s]
  input  wire             re_i,
  input  wire [AW-1:0]    raddr_i,
  output reg  [W-1:0]     rdata_o
);
  localparam integer NSEG = W / SEG;

  reg [W-1:0] mem [0:DEPTH-1];

  integer s;
  always @(posedge clk_i) begin
    for (s = 0; s < NSEG; s = s + 1) begin
      if (we_i && wseg_i[s]) mem[waddr_i][s*SEG +: SEG] <= wdata_i[s*SEG +: SEG];
    end
  end

  always @(posedge clk_i) begin
    if (re_i) rdata_o <= mem[raddr_i];
  end
endmodule

`default_nettype wire
