// SPDX-License-Identifier: Apache-2.0
// tb_top: self-checking testbench of flexor_top against vector files written by flexor-vectors
// (command-level C model): drives cmd.hex on the in stream with random idle cycles, takes the out
// stream with random back-pressure and compares it with out.hex, compares every chunk and accumulator
// tap of every active lane, the final error code and cnt_slices. A watchdog turns a deadlock into a
// failure. One binary serves every vector directory (files are read at run time).
// Plusargs: +vec=DIR  +seed=N  +idle=PCT  +bp=PCT  +reset_mid=CYCLES (reset after CYCLES of the first
// RUN, then replay the whole stream and check it)  +verbose
`timescale 1ns / 1ps
`default_nettype none

module tb_top;
  /* verilator lint_off UNUSEDPARAM */
  `include "flexor_config.vh"
  /* verilator lint_on UNUSEDPARAM */
  localparam integer LANES = FXC_LANES, N_OUT = FXC_N_OUT, PSUM_W = FXC_PSUM_W, ACC_W = FXC_ACC_W;
  localparam integer WATCHDOG = 20000;  // cycles without any handshake or tap

  reg clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  reg         in_valid = 1'b0;
  wire        in_ready;
  reg  [31:0] in_data = 32'd0;
  wire        out_valid, out_last;
  reg         out_ready = 1'b0;
  wire [31:0] out_data;
  wire        busy, err;
  wire [7:0]  err_code;
  wire [63:0] cnt_cycles, cnt_busy, cnt_stall, cnt_slices;
  wire        tap_valid, tap_acc_valid;
  wire [15:0] tap_chunk, tap_grp, tap_col, tap_acc_col, tap_acc_grp;
  wire [3:0]  tap_plane, tap_acc_plane;
  wire [LANES*N_OUT-1:0] tap_dec;
  wire [LANES*PSUM_W-1:0] tap_psum;
  wire [LANES*ACC_W-1:0] tap_acc;

  flexor_top dut (
    .clk_i(clk), .rst_ni(rst_n),
    .in_valid_i(in_valid), .in_ready_o(in_ready), .in_data_i(in_data),
    .out_valid_o(out_valid), .out_ready_i(out_ready), .out_data_o(out_data), .out_last_o(out_last),
    .busy_o(busy), .err_o(err), .err_code_o(err_code),
    .cnt_cycles_o(cnt_cycles), .cnt_busy_o(cnt_busy), .cnt_stall_o(cnt_stall), .cnt_slices_o(cnt_slices),
    .tap_valid_o(tap_valid), .tap_chunk_o(tap_chunk), .tap_plane_o(tap_plane), .tap_grp_o(tap_grp),
    .tap_col_o(tap_col), .tap_dec_o(tap_dec), .tap_psum_o(tap_psum),
    .tap_acc_valid_o(tap_acc_valid), .tap_acc_o(tap_acc), .tap_acc_col_o(tap_acc_col),
    .tap_acc_grp_o(tap_acc_grp), .tap_acc_plane_o(tap_acc_plane));

  // ---------------- vectors, streamed from the files (one record of look-ahead each) ----------------
  // public: Verilator 5.006 would otherwise localise the descriptors into the initial block (V3Localize)
  integer fd_cmd /* verilator public_flat */, fd_out /* verilator public_flat */;
  integer fd_tc /* verilator public_flat */, fd_ta /* verilator public_flat */, exp_err;
  reg [63:0] exp_slices, exp_busy;  // cnt_slices_o exactly; cnt_busy_o at least (the bound without overhead)
  reg [31:0] cmd_next, tc_rec [0:5], ta_rec [0:3];
  reg [32:0] out_next;               // {last, data}
  reg        cmd_have, out_have, tc_have, ta_have;

  string dir;
  integer seed, idle_pct, bp_pct, reset_mid, verbose;

  function automatic integer open_vec(input string name);
    begin
      open_vec = $fopen({dir, "/", name}, "r");
      if (open_vec == 0) begin $display("tb_top: FAIL cannot open %s/%s", dir, name); $fatal(1); end
    end
  endfunction

  task automatic cmd_advance; begin cmd_have = $fscanf(fd_cmd, "%h", cmd_next) == 1; end endtask
  task automatic out_advance; begin out_have = $fscanf(fd_out, "%h", out_next) == 1; end endtask
  task automatic tc_advance;
    begin
      tc_have = $fscanf(fd_tc, "%h %h %h %h %h %h", tc_rec[0], tc_rec[1], tc_rec[2], tc_rec[3], tc_rec[4],
                        tc_rec[5]) == 6;
    end
  endtask
  task automatic ta_advance;
    begin
      ta_have = $fscanf(fd_ta, "%h %h %h %h", ta_rec[0], ta_rec[1], ta_rec[2], ta_rec[3]) == 4;
    end
  endtask

  // (Re)start every stream at its first record.
  task automatic open_all;
    begin
      if (fd_cmd != 0) begin $fclose(fd_cmd); $fclose(fd_out); $fclose(fd_tc); $fclose(fd_ta); end
      fd_cmd = open_vec("cmd.hex");
      fd_out = open_vec("out.hex");
      fd_tc  = open_vec("tap_chunk.hex");
      fd_ta  = open_vec("tap_acc.hex");
      cmd_advance(); out_advance(); tc_advance(); ta_advance();
    end
  endtask

  // The number in a token such as "64'd1988;" or "2;": the digits after the last non-digit (';' skipped).
  function automatic [63:0] tok_num(input [8*64-1:0] tok);
    integer i;
    reg [7:0] c;
    begin
      tok_num = 64'd0;
      for (i = 63; i >= 0; i = i - 1) begin
        c = tok[8*i +: 8];
        if (c >= "0" && c <= "9") tok_num = tok_num * 10 + {56'd0, c - 8'h30};
        else if (c != ";" && c != 8'd0) tok_num = 64'd0;
      end
    end
  endfunction

  // Expected error code and counters from vectors.vh, token by token ("... NAME = VALUE;").
  task automatic read_err_code;
    integer fd;
    reg [8*64-1:0] tok, name;
    begin
      exp_err = 0;
      exp_slices = -1;
      exp_busy = 0;
      name = 0;
      fd = $fopen({dir, "/vectors.vh"}, "r");
      if (fd == 0) begin $display("tb_top: FAIL cannot open %s/vectors.vh", dir); $fatal(1); end
      while ($fscanf(fd, "%s", tok) == 1) begin
        if (name == "VEC_ERR_CODE" && tok != "=") exp_err = tok_num(tok);
        if (name == "VEC_SLICES" && tok != "=") exp_slices = tok_num(tok);
        if (name == "VEC_BUSY" && tok != "=") exp_busy = tok_num(tok);
        if (tok != "=") name = tok;
      end
      $fclose(fd);
      if (exp_slices == -1) begin $display("tb_top: FAIL no VEC_SLICES in %s/vectors.vh", dir); $fatal(1); end
    end
  endtask

  // ---------------- checking state ----------------
  integer ci, oi, tci, tai, errors, cycle, last_progress, checking;

  task automatic fail(input string what);
    begin
      errors = errors + 1;
      $display("tb_top: FAIL at cycle %0d: %s (rerun: +vec=%s +seed=%0d +idle=%0d +bp=%0d)", cycle, what, dir,
               seed, idle_pct, bp_pct);
      if (errors >= 10) begin $display("tb_top: too many errors"); $fatal(1); end
    end
  endtask

  // Input driver: random idle; valid and data held until accepted.
  task automatic drive_input;
    begin
    if (!rst_n) begin
      in_valid <= 1'b0;
    end else begin
      if (in_valid && in_ready) begin
        ci = ci + 1;
        last_progress = cycle;
      end
      if (!in_valid || in_ready) begin
        if (cmd_have && ($urandom % 100) >= idle_pct) begin
          in_valid <= 1'b1;
          in_data  <= cmd_next;
          cmd_advance();
        end else begin
          in_valid <= 1'b0;
        end
      end
    end
    end
  endtask

  // Output checker with random back-pressure; also the stream rule: once valid, out_valid_o, out_data_o
  // and out_last_o hold until the word is taken.
  reg        held_valid = 1'b0;
  reg [32:0] held_word;
  task automatic check_output;
    begin
    if (rst_n) begin
      if (held_valid && !(out_valid && {out_last, out_data} == held_word))
        fail($sformatf("out stream changed while not ready: was last=%0d data=%08x, now valid=%0d last=%0d data=%08x",
                       held_word[32], held_word[31:0], out_valid, out_last, out_data));
      held_valid = out_valid && !out_ready;
      held_word  = {out_last, out_data};
      if (out_valid && out_ready) begin
        last_progress = cycle;
        if (checking) begin
          if (!out_have) fail($sformatf("unexpected output word %08x", out_data));
          else if ({out_last, out_data} !== out_next)
            fail($sformatf("output word %0d: got last=%0d data=%08x, expected last=%0d data=%08x", oi,
                           out_last, out_data, out_next[32], out_next[31:0]));
          out_advance();
        end
        oi = oi + 1;
      end
      out_ready <= ($urandom % 100) >= bp_pct;
    end else begin
      held_valid = 1'b0;  // a reset may drop a pending word
    end
    end
  endtask

  // Tap checkers: the records of one tap cycle are the active lanes of group tap_grp, m ascending from
  // m = grp*LANES (lane 0 is always active).
  integer m_c, lane_c, prev_m_c, m_a, lane_a, prev_m_a;  // one set per checker
  reg [31:0] got_psum, got_acc;
  task automatic check_chunk_taps;
    begin
    if (rst_n && checking && tap_valid) begin
      last_progress = cycle;
      prev_m_c = -1;
      while (tc_have && tc_rec[0] == {16'd0, tap_col} && tc_rec[2] == {28'd0, tap_plane} &&
             tc_rec[3] == {16'd0, tap_chunk} && tc_rec[1] / LANES == {16'd0, tap_grp} &&
             (prev_m_c < 0 ? tc_rec[1] % LANES == 0 : tc_rec[1] == prev_m_c + 1)) begin
        m_c = tc_rec[1];
        lane_c = m_c % LANES;
        got_psum = {{(32-PSUM_W){tap_psum[lane_c*PSUM_W+PSUM_W-1]}}, tap_psum[lane_c*PSUM_W +: PSUM_W]};
        if ({{(32-N_OUT){1'b0}}, tap_dec[lane_c*N_OUT +: N_OUT]} !== tc_rec[4] || got_psum !== tc_rec[5])
          fail($sformatf("chunk tap col %0d m %0d plane %0d chunk %0d: dec %05x psum %0d, expected dec %05x psum %0d",
                         tap_col, m_c, tap_plane, tap_chunk, tap_dec[lane_c*N_OUT +: N_OUT], $signed(got_psum),
                         tc_rec[4], $signed(tc_rec[5])));
        prev_m_c = m_c;
        tci = tci + 1;
        tc_advance();
      end
      if (prev_m_c < 0)
        fail($sformatf("chunk tap col %0d grp %0d plane %0d chunk %0d not expected (next expected record %0d: col %0d m %0d plane %0d chunk %0d)",
                       tap_col, tap_grp, tap_plane, tap_chunk, tci, tc_rec[0], tc_rec[1], tc_rec[2], tc_rec[3]));
    end
    end
  endtask
  task automatic check_acc_taps;
    begin
    if (rst_n && checking && tap_acc_valid) begin
      prev_m_a = -1;
      while (ta_have && ta_rec[0] == {16'd0, tap_acc_col} && ta_rec[2] == {28'd0, tap_acc_plane} &&
             ta_rec[1] / LANES == {16'd0, tap_acc_grp} &&
             (prev_m_a < 0 ? ta_rec[1] % LANES == 0 : ta_rec[1] == prev_m_a + 1)) begin
        m_a = ta_rec[1];
        lane_a = m_a % LANES;
        got_acc = {{(32-ACC_W){tap_acc[lane_a*ACC_W+ACC_W-1]}}, tap_acc[lane_a*ACC_W +: ACC_W]};
        if (got_acc !== ta_rec[3])
          fail($sformatf("acc tap col %0d m %0d plane %0d: acc %0d, expected %0d", tap_acc_col, m_a, tap_acc_plane,
                         $signed(got_acc), $signed(ta_rec[3])));
        prev_m_a = m_a;
        tai = tai + 1;
        ta_advance();
      end
      if (prev_m_a < 0)
        fail($sformatf("acc tap col %0d grp %0d plane %0d not expected", tap_acc_col, tap_acc_grp, tap_acc_plane));
    end
    end
  endtask

  // Everything per cycle in one process, in a fixed order (no races between checkers).
  always @(posedge clk) begin
    cycle = cycle + 1;
    drive_input();
    check_output();
    check_chunk_taps();
    check_acc_taps();
  end

  // Watchdog: no handshake, no tap, for WATCHDOG cycles while work remains.
  always @(posedge clk) begin
    if (rst_n && cycle - last_progress > WATCHDOG) begin
      $display("tb_top: FAIL deadlock: no progress for %0d cycles at cycle %0d (in word %0d, out word %0d, more input %0d, more output expected %0d, busy %0d, in_ready %0d, out_valid %0d) (rerun: +vec=%s +seed=%0d +idle=%0d +bp=%0d)",
               WATCHDOG, cycle, ci, oi, cmd_have, out_have, busy, in_ready, out_valid, dir, seed, idle_pct, bp_pct);
      $fatal(1);
    end
  end

  integer run_cycles, r_seed;
  initial begin
    errors = 0; cycle = 0; last_progress = 0; ci = 0; oi = 0; tci = 0; tai = 0; checking = 1;
    if (!$value$plusargs("vec=%s", dir)) begin $display("tb_top: FAIL no +vec=DIR"); $fatal(1); end
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    if (!$value$plusargs("idle=%d", idle_pct)) idle_pct = 0;
    if (!$value$plusargs("bp=%d", bp_pct)) bp_pct = 0;
    if (!$value$plusargs("reset_mid=%d", reset_mid)) reset_mid = 0;
    verbose = $test$plusargs("verbose");
    r_seed = seed;
    r_seed = $urandom(r_seed);
    fd_cmd = 0;
    open_all();
    read_err_code();

    if (reset_mid > 0) begin
      // First pass, unchecked: reset after reset_mid cycles of the first RUN, then the clean rerun.
      checking = 0;
      repeat (3) @(posedge clk);
      rst_n <= 1'b1;
      run_cycles = 0;
      while (run_cycles < reset_mid) begin
        @(posedge clk);
        if (busy && !in_ready) run_cycles = run_cycles + 1;
        if (!cmd_have && !in_valid && !busy) begin $display("tb_top: FAIL +reset_mid: no RUN long enough"); $fatal(1); end
      end
      rst_n <= 1'b0;
      repeat (2) @(posedge clk);
      if (busy || out_valid || err || cnt_slices != 0) fail("state not cleared by reset");
      ci = 0; oi = 0; tci = 0; tai = 0; checking = 1;
      open_all();
    end
    repeat (3) @(posedge clk);
    rst_n <= 1'b1;
    // Run until every word went in and every result came out, then let the device go idle.
    while (cmd_have || in_valid || out_have || busy) @(posedge clk);
    repeat (20) @(posedge clk);
    if (out_have) fail($sformatf("%0d output words came, more expected", oi));
    if (tc_have) fail($sformatf("%0d chunk tap records matched, more expected", tci));
    if (ta_have) fail($sformatf("%0d acc tap records matched, more expected", tai));
    if ({24'd0, err_code} != exp_err[31:0] || err != (exp_err != 0))
      fail($sformatf("err_o %0d err_code %0d, expected code %0d", err, err_code, exp_err));
    if (cnt_slices != exp_slices) fail($sformatf("cnt_slices %0d, expected %0d", cnt_slices, exp_slices));
    if (cnt_busy < exp_busy) fail($sformatf("cnt_busy %0d below the bound %0d", cnt_busy, exp_busy));
    $display("tb_top: %0d command words, %0d output words, %0d chunk and %0d acc tap records checked, error code %0d",
             ci, oi, tci, tai, err_code);
    $display("tb_top: cycles %0d busy %0d stall %0d slices %0d", cnt_cycles, cnt_busy, cnt_stall, cnt_slices);
    if (errors == 0) $display("tb_top: PASS %s", dir);
    else begin $display("tb_top: FAIL %s (%0d errors)", dir, errors); $fatal(1); end
    $finish;
  end
endmodule

`default_nettype wire
