// SPDX-License-Identifier: Apache-2.0
// tb_units: block-level self-checking benches, one selected by +test=NAME:
//   decryptor  flexor_decrypt_array (every configured N_in, bypass, straddle realignment) vs dec.hex
//   requant    flexor_requant: ties, saturation at 0/255 and at the int32 limits, every shift, vs requant.hex
//   ram        flexor_ram: random writes with segment enables and reads with read enable (hold) vs a
//              behavioural array in this bench
//   lane       flexor_lane: add/sub tree, plane accumulation, alpha scaling (S4), bias; random stall cycles
//              (adv = 0) must change nothing; vs lane.hex
// Vectors come from tb-unit-vectors (libflexor). +dir=DIR names their directory.
`timescale 1ns / 1ps
`default_nettype none

module tb_units;
  /* verilator lint_off UNUSEDPARAM */
  `include "flexor_config.vh"
  /* verilator lint_on UNUSEDPARAM */
  localparam integer N_OUT = FXC_N_OUT, N_IN_COUNT = FXC_N_IN_COUNT, SUM_W = FXC_SUM_W;
  localparam integer PSUM_W = FXC_PSUM_W, ACC_W = FXC_ACC_W;
  localparam integer SEL_W = $clog2(N_IN_COUNT + 1), OM_W = 5, PARAM_W = 32 * (FXC_P_WORDS - 1);

  reg clk = 1'b0, rst_n = 1'b0;
  always #5 clk = ~clk;

  string dir, test;
  integer errors = 0, checks = 0, fd, r;

  task automatic fail(input string what);
    begin
      errors = errors + 1;
      $display("tb_units: FAIL %s: %s", test, what);
      if (errors >= 10) begin $display("tb_units: too many errors"); $fatal(1); end
    end
  endtask

  task automatic open_vec(input string name);
    begin
      fd = $fopen({dir, "/", name}, "r");
      if (fd == 0) begin $display("tb_units: FAIL cannot open %s/%s", dir, name); $fatal(1); end
    end
  endtask

  // ---------------- decrypt array ----------------
  reg              d_en = 1'b0, d_strd = 1'b0;
  reg [SEL_W-1:0]  d_sel = {SEL_W{1'b0}};
  reg [OM_W-1:0]   d_om = {OM_W{1'b0}};
  reg [N_OUT-1:0]     d_slice = {N_OUT{1'b0}};
  wire [N_OUT-1:0]    d_bits;
  flexor_decrypt_array #(
    .N_OUT(N_OUT), .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(FXC_N_IN_LIST), .MXOR_ALL(FXC_MXOR_ALL), .SEL_W(SEL_W),
    .OM_W(OM_W)
  ) u_dec (
    .clk_i(clk), .en_i(d_en), .sel_i(d_sel), .straddle_i(d_strd), .om_i(d_om),
    .slice_i(d_slice), .bits_o(d_bits));

  task automatic run_decryptor;
    reg [31:0] f [0:5];
    begin
      open_vec("dec.hex");
      r = $fscanf(fd, "%h %h %h %h %h %h", f[0], f[1], f[2], f[3], f[4], f[5]);
      while (r == 6) begin
        d_sel = f[0][SEL_W-1:0]; d_strd = f[1][0]; d_om = f[2][OM_W-1:0];
        d_en = 1'b1; d_slice = f[3][N_OUT-1:0];
        @(negedge clk);
        d_en = 1'b0; d_slice = f[4][N_OUT-1:0];
        #1;
        checks = checks + 1;
        if ({{(32-N_OUT){1'b0}}, d_bits} !== f[5])
          fail($sformatf("sel %0d straddle %0d om %0d prev %05x x %05x: bits %05x, expected %05x", f[0], f[1], f[2],
                         f[3], f[4], d_bits, f[5]));
        r = $fscanf(fd, "%h %h %h %h %h %h", f[0], f[1], f[2], f[3], f[4], f[5]);
      end
      $fclose(fd);
    end
  endtask

  // ---------------- requantizer ----------------
  reg  [SUM_W-1:0] q_t = {SUM_W{1'b0}};
  reg  [5:0]    q_shift = 6'd0;
  reg           q_relu = 1'b0;
  wire [31:0]   q_y;
  flexor_requant #(.SUM_W(SUM_W)) u_rq (.t_i(q_t), .shift_i(q_shift), .relu_i(q_relu), .y_o(q_y));

  task automatic run_requant;
    reg [31:0] f [0:4];
    begin
      open_vec("requant.hex");
      r = $fscanf(fd, "%h %h %h %h %h", f[0], f[1], f[2], f[3], f[4]);
      while (r == 5) begin
        q_t = {f[0], f[1]};
        q_shift = f[2][5:0]; q_relu = f[3][0];
        #1;
        checks = checks + 1;
        if (q_y !== f[4])
          fail($sformatf("t %0d shift %0d relu %0d: y %08x, expected %08x", $signed(q_t), q_shift, q_relu, q_y, f[4]));
        r = $fscanf(fd, "%h %h %h %h %h", f[0], f[1], f[2], f[3], f[4]);
      end
      $fclose(fd);
    end
  endtask

  // ---------------- RAM ----------------
  localparam integer RW = 24, RD = 37, RAW = $clog2(RD);
  reg            m_we = 1'b0, m_re = 1'b0;
  reg  [RAW-1:0] m_wa = {RAW{1'b0}}, m_ra = {RAW{1'b0}};
  reg  [RW-1:0]  m_wd = {RW{1'b0}};
  reg  [2:0]     m_seg = 3'd0;
  wire [RW-1:0]  m_rd;
  reg  [RW-1:0]  model [0:RD-1];
  reg  [RW-1:0]  m_exp;
  flexor_ram #(.W(RW), .DEPTH(RD), .SEG(8)) u_ram (
    .clk_i(clk), .we_i(m_we), .waddr_i(m_wa), .wdata_i(m_wd), .wseg_i(m_seg),
    .re_i(m_re), .raddr_i(m_ra), .rdata_o(m_rd));

  task automatic run_ram;
    integer k, s;
    begin
      // fill every word, then random traffic; reads never hit the address written in the same cycle
      for (k = 0; k < RD; k = k + 1) begin
        m_we = 1'b1; m_wa = k[RAW-1:0]; m_wd = $urandom; m_seg = 3'b111; model[k] = m_wd;
        @(negedge clk);
      end
      m_we = 1'b0;
      m_re = 1'b1; m_ra = 0; m_exp = model[0]; @(negedge clk);
      for (k = 0; k < 3000; k = k + 1) begin
        m_we = ($urandom % 2) == 0; m_wa = $urandom % RD; m_wd = $urandom; m_seg = $urandom;
        m_re = ($urandom % 3) != 0; m_ra = $urandom % RD;
        if (m_ra == m_wa) m_ra = (m_ra == RD - 1) ? 0 : m_ra + 1;
        if (m_re) m_exp = model[m_ra];     // registered read; held when re = 0
        if (m_we) for (s = 0; s < 3; s = s + 1) if (m_seg[s]) model[m_wa][8*s +: 8] = m_wd[8*s +: 8];
        @(negedge clk);
        checks = checks + 1;
        if (m_rd !== m_exp) fail($sformatf("cycle %0d: rdata %06x, expected %06x", k, m_rd, m_exp));
      end
    end
  endtask

  // ---------------- lane ----------------
  reg               l_adv = 1'b0, l_v1 = 1'b0, l_v3 = 1'b0, l_first = 1'b0, l_last = 1'b0;
  reg [N_OUT-1:0]      l_slice = {N_OUT{1'b0}};
  reg [N_OUT*8-1:0]    l_act = {N_OUT*8{1'b0}};
  reg [3:0]         l_plane = 4'd0;
  reg [PARAM_W-1:0]      l_param = {PARAM_W{1'b0}};
  reg  [PSUM_W-1:0]     l_asum;  // what flexor_top computes once for all lanes
  integer           ab;
  always @* begin
    l_asum = {PSUM_W{1'b0}};
    for (ab = 0; ab < N_OUT; ab = ab + 1) l_asum = l_asum + {{(PSUM_W-8){1'b0}}, l_act[8*ab +: 8]};
  end
  wire [N_OUT-1:0]     l_dec;
  wire [PSUM_W-1:0]     l_psum;
  wire [ACC_W-1:0]     l_acc;
  wire [SUM_W-1:0]     l_t;
  flexor_lane #(
    .N_OUT(N_OUT), .PSUM_W(PSUM_W), .ACC_W(ACC_W), .SUM_W(SUM_W), .N_IN_COUNT(N_IN_COUNT), .N_IN_LIST(FXC_N_IN_LIST),
    .MXOR_ALL(FXC_MXOR_ALL), .SEL_W(SEL_W), .OM_W(OM_W), .PARAM_W(PARAM_W)
  ) u_lane (
    .clk_i(clk), .rst_ni(rst_n), .adv_i(l_adv),
    .v1_i(l_v1), .sel_i(N_IN_COUNT[SEL_W-1:0]), .straddle_i(1'b0), .om_i({OM_W{1'b0}}), .slice_i(l_slice),
    .act_i(l_act), .asum_i(l_asum), .v3_i(l_v3), .first3_i(l_first), .last3_i(l_last), .plane3_i(l_plane), .param_i(l_param),
    .dec_o(l_dec), .psum_o(l_psum), .acc_o(l_acc), .t_o(l_t));

  // Random cycles with adv = 0 and garbage on every input: nothing may change.
  task automatic stall_noise;
    integer n;
    reg [N_OUT-1:0] s0; reg [N_OUT*8-1:0] a0; reg v1s, v3s; reg [SUM_W-1:0] t0;
    begin
      n = $urandom % 3;
      while (n > 0) begin
        v1s = l_v1; v3s = l_v3; s0 = l_slice; a0 = l_act; t0 = l_t;
        l_adv = 1'b0; l_v1 = $urandom; l_v3 = $urandom; l_slice = $urandom;
        @(negedge clk);
        if (l_t !== t0) fail("t changed while adv = 0");
        l_v1 = v1s; l_v3 = v3s; l_slice = s0; l_act = a0; l_adv = 1'b1;
        n = n - 1;
      end
    end
  endtask

  task automatic run_lane;
    reg [31:0] q, ch, w, thi, tlo, ps, accv;
    reg [63:0] texp;
    reg [32*FXC_A_WORDS-1:0] actw;
    integer i, j, p, a, cs;
    begin
      open_vec("lane.hex");
      cs = 0;
      while ($fscanf(fd, "%h %h", q, ch) == 2) begin
        for (p = 0; p < FXC_P_WORDS - 1; p = p + 1) begin r = $fscanf(fd, "%h", w); l_param[32*p +: 32] = w; end
        for (i = 0; i < q; i = i + 1) begin
          for (j = 0; j < ch; j = j + 1) begin
            r = $fscanf(fd, "%h", w); l_slice = w[N_OUT-1:0];
            for (a = 0; a < FXC_A_WORDS; a = a + 1) begin
              r = $fscanf(fd, "%h", w);
              actw[32*a +: 32] = w;
            end
            l_act = actw[N_OUT*8-1:0];
            r = $fscanf(fd, "%h", ps);
            // S1
            l_adv = 1'b1; l_v1 = 1'b1; l_v3 = 1'b0;
            @(negedge clk);
            l_v1 = 1'b0;
            stall_noise();
            // S2: the partial sum
            checks = checks + 1;
            if ({{(32-PSUM_W){l_psum[PSUM_W-1]}}, l_psum} !== ps)
              fail($sformatf("case %0d plane %0d chunk %0d: psum %0d, expected %0d", cs, i, j, $signed(l_psum), $signed(ps)));
            @(negedge clk);
            stall_noise();
            // S3: accumulate
            l_v3 = 1'b1; l_first = j == 0; l_last = j == ch - 1; l_plane = i[3:0];
            #1;
            if (j == ch - 1) begin
              r = $fscanf(fd, "%h", accv);
              checks = checks + 1;
              if ({{(32-ACC_W){l_acc[ACC_W-1]}}, l_acc} !== accv)
                fail($sformatf("case %0d plane %0d: acc %0d, expected %0d", cs, i, $signed(l_acc), $signed(accv)));
            end
            @(negedge clk);
            l_v3 = 1'b0;
            stall_noise();
          end
        end
        // S4 of the last plane: one more advancing cycle
        @(negedge clk);
        stall_noise();
        r = $fscanf(fd, "%h %h", thi, tlo);
        texp = {thi, tlo};
        checks = checks + 1;
        if (l_t !== texp[SUM_W-1:0])
          fail($sformatf("case %0d: t %0d, expected %0d", cs, $signed(l_t), $signed(texp[SUM_W-1:0])));
        cs = cs + 1;
      end
      $fclose(fd);
    end
  endtask

  integer seed, r_seed;
  initial begin
    if (!$value$plusargs("test=%s", test)) test = "decryptor";
    if (!$value$plusargs("dir=%s", dir)) dir = ".";
    if (!$value$plusargs("seed=%d", seed)) seed = 1;
    r_seed = seed;
    r_seed = $urandom(r_seed);
    repeat (2) @(posedge clk);
    rst_n = 1'b1;
    @(negedge clk);
    if (test == "decryptor") run_decryptor();
    else if (test == "requant") run_requant();
    else if (test == "ram") run_ram();
    else if (test == "lane") run_lane();
    else begin $display("tb_units: FAIL unknown +test=%s", test); $fatal(1); end
    if (checks == 0) fail("no checks ran");
    if (errors == 0) $display("tb_units: PASS %s (%0d checks)", test, checks);
    else begin $display("tb_units: FAIL %s (%0d errors in %0d checks)", test, errors, checks); $fatal(1); end
    $finish;
  end
endmodule

`default_nettype wire
