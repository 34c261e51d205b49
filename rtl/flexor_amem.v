// SPDX-License-Identifier: Apache-2.0
// flexor_amem: the two activation buffers (double buffer). A RUN reads chunks from one buffer and
// writes output bytes into the other; LOAD_A writes 32-bit words. One chunk (N_OUT bytes) per word,
// byte enables on the write port. Registered read: latency 1, one chunk per cycle.
`timescale 1ns / 1ps
`default_nettype none

module flexor_amem #(
  parameter integer N_OUT      = 20,    // bytes per chunk
  parameter integer AMEM_DEPTH = 4096,  // chunks per buffer
  parameter integer AMEM_AW    = (AMEM_DEPTH > 1) ? $clog2(AMEM_DEPTH) : 1
) (
  input  wire               clk_i,
  input  wire               we_i,
  input  wire               wbuf_i,   // buffer written
  input  wire [AMEM_AW-1:0]      waddr_i,
  input  wire [N_OUT*8-1:0] wdata_i,
  input  wire [N_OUT-1:0]   wbe_i,    // byte enables
  input  wire               re_i,
  input  wire               rbuf_i,   // buffer read
  input  wire [AMEM_AW-1:0]      raddr_i,
  output wire [N_OUT*8-1:0] rdata_o
);
  wire [N_OUT*8-1:0] rdata0, rdata1;
  reg                rbuf_q;  // which buffer the registered read data came from

  always @(posedge clk_i) begin
    if (re_i) rbuf_q <= rbuf_i;
  end

  flexor_ram #(.W(N_OUT*8), .DEPTH(AMEM_DEPTH), .SEG(8), .AW(AMEM_AW)) u_buf0 (
    .clk_i, .we_i(we_i && !wbuf_i), .waddr_i, .wdata_i, .wseg_i(wbe_i),
    .re_i, .raddr_i, .rdata_o(rdata0));
  flexor_ram #(.W(N_OUT*8), .DEPTH(AMEM_DEPTH), .SEG(8), .AW(AMEM_AW)) u_buf1 (
    .clk_i, .we_i(we_i && wbuf_i), .waddr_i, .wdata_i, .wseg_i(wbe_i),
    .re_i, .raddr_i, .rdata_o(rdata1));

  assign rdata_o = rbuf_q ? rdata1 : rdata0;
endmodule

`default_nettype wire
