// SPDX-License-Identifier: Apache-2.0
// flexor_decrypt_array: one lane's weight-bit source. Decrypts the stored slice with the M⊕ of the
// RUN's N_in (or passes it through: the bypass, unencrypted planes) and, in straddle mode, realigns the
// decrypted bits of the current and previous slice by the channel's offset o_m
// (bits = {cur, prev} >> o_m, zeros above; docs/contract.md §3). Combinational from slice_i to bits_o
// (latency 0); the previous-slice register loads on en_i. One slice per cycle.
// The matrices come in as parameters (the top passes the configuration's FXC_N_IN_LIST and
// FXC_MXOR_ALL), so the block can be instantiated on its own.
//
// Structure (area: docs/synth.md, "Decryption path"): the N_in is selected before the XOR (one XOR
// network per lane for all entries); the realignment is a funnel shifter, largest step first so that
// each step needs only the bits the later ones read; an aligned RUN shifts by N_OUT, i.e. bits = cur.
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
  input  wire             en_i,        // a slice is consumed this cycle: remember it as "previous"
  input  wire [SEL_W-1:0] sel_i,
  input  wire             straddle_i,
  input  wire [OM_W-1:0]  om_i,
  input  wire [N_OUT-1:0] slice_i,     // stored slice (N_in bits used, LSB aligned)
  output wire [N_OUT-1:0] bits_o       // this chunk's weight bits (1 = +1, 0 = -1)
);
  // Row r of entry e as a mask of stored bits; entry N_IN_COUNT is the bypass (the identity).
  function automatic [31:0] row(input integer ent, input integer r);
    reg [31:0] nin_mask;
    begin
      if (ent == N_IN_COUNT) begin
        row = 32'd1 << r;
      end else begin
        nin_mask = (N_IN_LIST[8*ent +: 8] >= 8'd32) ? 32'hFFFF_FFFF : (32'd1 << N_IN_LIST[8*ent +: 8]) - 32'd1;
        row = MXOR_ALL[(ent*N_OUT + r)*32 +: 32] & nin_mask;
      end
    end
  endfunction

  // ---- decrypt ----
  // Two descriptions of one function, proven equal for every input (CTest synth_decrypt_equiv:
  // Yosys reads this file with and without SYNTHESIS, synth/tests/decrypt_equiv.sh):
  // - synthesis: the N_in is selected before the XOR. Operand t of output r is a multiplexer over the
  //   entries' taps, then one N_tap-input XOR per output: one network for every entry, instead of one
  //   network per entry and an N_OUT-bit multiplexer behind them (docs/synth.md, "Decryption path");
  // - simulation (Verilator, Icarus): only the selected entry's rows are evaluated, one AND and one
  //   reduction XOR per row; a multiplexer per operand bit costs a simulator more (the LeNet co-
  //   simulation ran at 0.8x with one description for both: results/synth/decrypt/NOTES.md).
  reg [N_OUT-1:0] cur;
  integer e;
`ifdef SYNTHESIS
  localparam integer ENTRIES = N_IN_COUNT + 1;                  // the configured N_in, then the bypass
  localparam integer IW      = (N_OUT > 1) ? $clog2(N_OUT) : 1;  // a stored-bit index
  localparam integer TW      = IW + 1;                           // a tap: {used, index}

  // N_tap: the largest row weight of any entry (the generator gives every row N_tap taps).
  function automatic integer max_taps(input integer unused);
    integer ent, r, i, n;
    reg [31:0] m;
    begin
      max_taps = 1;
      for (ent = 0; ent < ENTRIES; ent = ent + 1)
        for (r = 0; r < N_OUT; r = r + 1) begin
          m = row(ent, r);
          n = 0;
          for (i = 0; i < 32; i = i + 1) if (m[i]) n = n + 1;
          if (n > max_taps) max_taps = n;
        end
    end
  endfunction
  localparam integer NT = max_taps(0);

  // Tap t of row r of entry e, at [((e*N_OUT + r)*NT + t)*TW +: TW]: the row's t-th set bit in
  // ascending order ({1, index}), or unused ({0, 0}: that operand is 0).
  function automatic [ENTRIES*N_OUT*NT*TW-1:0] tap_table(input integer unused);
    integer ent, r, i, t;
    reg [31:0] m;
    begin
      tap_table = {ENTRIES*N_OUT*NT*TW{1'b0}};
      for (ent = 0; ent < ENTRIES; ent = ent + 1)
        for (r = 0; r < N_OUT; r = r + 1) begin
          m = row(ent, r);
          t = 0;
          for (i = 0; i < N_OUT; i = i + 1)
            if (m[i]) begin
              tap_table[((ent*N_OUT + r)*NT + t)*TW +: TW] = {1'b1, i[IW-1:0]};
              t = t + 1;
            end
        end
    end
  endfunction
  localparam [ENTRIES*N_OUT*NT*TW-1:0] TAPS = tap_table(0);

  // Entry ent's operands of slice x: operand t of output r at [t*N_OUT + r] (constant bit selects).
  function automatic [NT*N_OUT-1:0] operands(input integer ent, input [N_OUT-1:0] x);
    integer r, t;
    begin
      for (t = 0; t < NT; t = t + 1)
        for (r = 0; r < N_OUT; r = r + 1)
          operands[t*N_OUT + r] = TAPS[((ent*N_OUT + r)*NT + t)*TW + IW] & x[TAPS[((ent*N_OUT + r)*NT + t)*TW +: IW]];
    end
  endfunction

  reg [NT*N_OUT-1:0] op;
  integer t;
  always @* begin
    op = {NT*N_OUT{1'b0}};
    for (e = 0; e < ENTRIES; e = e + 1)
      if (e == N_IN_COUNT ? {{(32-SEL_W){1'b0}}, sel_i} >= e : {{(32-SEL_W){1'b0}}, sel_i} == e)  // sel >= N_IN_COUNT: bypass
        op = operands(e, slice_i);
    cur = op[N_OUT-1:0];
    for (t = 1; t < NT; t = t + 1) cur = cur ^ op[t*N_OUT +: N_OUT];
  end
`else
  function automatic [N_OUT-1:0] decrypt(input integer ent, input [N_OUT-1:0] x);
    integer r;
    /* verilator lint_off UNUSEDSIGNAL */
    reg [31+N_OUT:0] wide;  // x zero-extended to at least 32 bits (N_OUT <= 32)
    /* verilator lint_on UNUSEDSIGNAL */
    begin
      wide = {32'd0, x};
      for (r = 0; r < N_OUT; r = r + 1) decrypt[r] = ^(row(ent, r) & wide[31:0]);
    end
  endfunction

  always @* begin
    cur = slice_i;  // sel >= N_IN_COUNT: bypass
    for (e = 0; e < N_IN_COUNT; e = e + 1)
      if ({{(32-SEL_W){1'b0}}, sel_i} == e) cur = decrypt(e, slice_i);
  end
`endif

  // No reset: prev_q is read only by straddle chunks, and every straddle (column, group, plane) begins
  // with a priming slice that loads it (flexor_seq), so its value after reset is never seen.
  reg [N_OUT-1:0] prev_q;
  always @(posedge clk_i) begin
    if (en_i) prev_q <= cur;
  end

  // ---- realign: bits = {cur, prev} >> o, zeros above; aligned RUNs shift by N_OUT (bits = cur) ----
  // One bit wider than o_m, so that N_OUT fits (OM_W = $clog2(N_OUT) in the engine).
  localparam integer   OE_W      = OM_W + 1;
  localparam [OE_W-1:0] O_ALIGNED = N_OUT[OE_W-1:0];
  wire [OE_W-1:0] o = straddle_i ? {1'b0, om_i} : O_ALIGNED;
  /* verilator lint_off UNUSEDSIGNAL */
  reg  [2*N_OUT-1:0] w;  // only the low N_OUT bits leave
  /* verilator lint_on UNUSEDSIGNAL */
`ifdef SYNTHESIS
  // Largest step first: Yosys maps a plain >> least step first, over the full 2*N_OUT bits at every step.
  integer k;
  always @* begin
    w = {cur, prev_q};
    for (k = OE_W - 1; k >= 0; k = k - 1)
      if (o[k]) w = w >> (1 << k);
  end
`else
  always @* w = {cur, prev_q} >> o;  // one shift instruction for a simulator
`endif
  assign bits_o = w[N_OUT-1:0];
endmodule

`default_nettype wire
