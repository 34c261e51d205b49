// SPDX-License-Identifier: Apache-2.0
// flexor_seq: the RUN's loop sequencer and token pipeline (docs/rtl.md "RUN control").
// Stage S0 loops n (column) -> g (group of LANES channels) -> plane -> slice, issues the weight,
// activation and offset reads (one token per cycle; straddle mode adds one priming token per
// (n, g, plane)) and sends the token down S1 (decrypt) -> S2 (partial sum) -> S3 (accumulate) ->
// S4 (alpha scale, plane ends only) -> S5 (result, last plane only), where the writer takes it.
// A token is a set of named fields, one register per field and stage (tok_<field>_s<k>_q), kept
// only up to the last stage that reads the field. The whole pipeline advances together (adv_o);
// it waits only when S5 holds a result the writer cannot take (res_ready_i low).
`timescale 1ns / 1ps
`default_nettype none

module flexor_seq #(
  parameter integer N_OUT        = 20,
  parameter integer LANES        = 16,
  parameter integer K_MAX        = 4096,
  parameter integer WMEM_DEPTH   = 8192,
  parameter integer PMEM_DEPTH   = 256,
  parameter integer AMEM_DEPTH   = 4096,
  parameter integer WMEM_AW      = $clog2(WMEM_DEPTH),
  parameter integer PMEM_AW      = $clog2(PMEM_DEPTH),
  parameter integer AMEM_AW      = $clog2(AMEM_DEPTH),
  parameter integer LANE_COUNT_W = $clog2(LANES + 1),  // an active-lane count
  // flexor_ctrl passes the widths flexor_argchk uses (these defaults give the same values)
  parameter integer M_W          = $clog2(LANES * PMEM_DEPTH + 1),
  parameter integer N_W          = $clog2(AMEM_DEPTH + 1),
  parameter integer G_W          = $clog2(PMEM_DEPTH + 1),
  parameter integer CH_W         = $clog2((K_MAX + N_OUT - 1) / N_OUT + 2),
  parameter integer CHMAX        = (K_MAX + N_OUT - 1) / N_OUT,  // RUNX column buffer: chunks per slot
  parameter integer CB_AW        = $clog2(2 * CHMAX)
) (
  input  wire                    clk_i,
  input  wire                    rst_ni,
  input  wire                    go_i,         // the checks passed: load the loops
  input  wire                    exec_i,
  // the RUN (flexor_argchk)
  input  wire [3:0]              q_i,
  input  wire                    straddle_i,
  input  wire                    a_src_i,
  input  wire [WMEM_AW-1:0]      w_base_i,     // low bits of the bases: what the addresses use
  input  wire [31:0]             p_base_i,
  input  wire [AMEM_AW:0]        a_src_base_i,
  input  wire [M_W-1:0]          m_i,
  input  wire [N_W-1:0]          n_i,
  input  wire [CH_W-1:0]         ch_i,
  input  wire [CH_W-1:0]         slices_i,
  input  wire [G_W-1:0]          groups_i,
  input  wire                    res_ready_i,  // the writer can take S5's result this cycle
  // RUNX: chunks come from the gather's column buffer (slot = column index mod 2)
  input  wire                    x_i,
  input  wire [N_W-1:0]          gat_col_i,    // the column the gather is writing (column order)
  input  wire [CH_W-1:0]         gat_cnt_i,    // its chunks written so far
  input  wire [15:0]             slot_col_i,   // position n of the column in slot n_q mod 2
  output wire [CB_AW-1:0]        cb_raddr_o,
  output wire [N_W-1:0]          seq_col_o,    // the column being issued (column order)
  output wire                    adv_o,        // pipeline enable; also the read enable of every memory
  output wire                    stall_o,
  output wire                    idle_o,       // nothing left to issue, no token in S1..S5
  // S0 reads
  output wire [WMEM_AW-1:0]      w_raddr_o,
  output wire [AMEM_AW-1:0]      a_raddr_o,
  output wire                    a_rbuf_o,
  output wire [PMEM_AW-1:0]      o_raddr_o,    // straddle offsets (data at S1)
  // S3 read
  output wire [PMEM_AW-1:0]      p_raddr_o,    // bias / alpha (data at S4)
  // lane control
  output wire                    v1_o,
  output wire                    v3_o,
  output wire                    first3_o,
  output wire                    last3_o,
  output wire [3:0]              plane3_o,
  // S5 result to the writer (with the lanes' sums)
  output wire                    res_valid_o,
  output wire [M_W-1:0]          res_chan_base_o,
  output wire                    res_last_grp_o,
  output wire                    res_last_col_o,
  // taps and counters
  output wire                    tap_valid_o,
  output wire [15:0]             tap_chunk_o,
  output wire [3:0]              tap_plane_o,
  output wire [15:0]             tap_grp_o,
  output wire [15:0]             tap_col_o,
  output wire                    tap_acc_valid_o,
  output wire [15:0]             tap_acc_col_o,
  output wire [15:0]             tap_acc_grp_o,
  output wire [3:0]              tap_acc_plane_o,
  output wire [LANE_COUNT_W-1:0] slices_inc_o  // active lanes of the chunk leaving S2
);
  localparam [M_W-1:0] LANES_M = LANES[M_W-1:0];
  localparam [CB_AW:0] CHMAX_A = CHMAX[CB_AW:0];

  // ---------------- S0: loop counters ----------------
  reg                 issuing_q;     // tokens still to issue
  reg [N_W-1:0]       n_q;
  reg [G_W-1:0]       g_q;
  reg [M_W-1:0]       chan_base_q;   // g * LANES: the group's first channel
  reg [AMEM_AW:0]     col_addr_q;    // a_src_base + n*CH (reaches AMEM_DEPTH after the last column)
  reg [WMEM_AW-1:0]   w_addr_q;
  reg [3:0]           plane_q;
  reg [CH_W-1:0]      slice_q;

  // The token S0 issues. Straddle mode: slice 0 of a plane only primes the previous-slice register.
  // RUNX: a token waits (no token issues, the pipeline still advances) until the gather has written
  // its chunk: the gather is past this column, or has written more than chunk_s0 chunks of it.
  wire                prime_s0      = straddle_i && slice_q == {CH_W{1'b0}};
  wire [CH_W-1:0]     chunk_s0      = (straddle_i && !prime_s0) ? slice_q - {{(CH_W-1){1'b0}}, 1'b1} : slice_q;
  wire                chunk_ready   = gat_col_i != n_q || gat_cnt_i > chunk_s0;
  wire                valid_s0      = exec_i && issuing_q && (!x_i || chunk_ready);
  wire [N_W-1:0]      col_s0        = x_i ? slot_col_i[N_W-1:0] : n_q;  // the tap's position n
  wire                first_s0      = chunk_s0 == {CH_W{1'b0}} && !prime_s0;
  wire                last_chunk_s0 = slice_q == slices_i - {{(CH_W-1){1'b0}}, 1'b1};
  wire                last_plane_s0 = plane_q == q_i - 4'd1;
  wire                last_grp_s0   = g_q == groups_i - {{(G_W-1){1'b0}}, 1'b1};
  wire                last_col_s0   = n_q == n_i - {{(N_W-1){1'b0}}, 1'b1};

  // ---------------- S1..S5: token fields, each kept up to the last stage that reads it ----------------
  reg                 valid_s1_q, valid_s2_q, valid_s3_q, valid_s4_q, valid_s5_q;
  reg                 tok_prime_s1_q;                                      // S1: no chunk from S2 on
  reg [CH_W-1:0]      tok_chunk_s1_q, tok_chunk_s2_q;                      // S2: tap
  reg [3:0]           tok_plane_s1_q, tok_plane_s2_q, tok_plane_s3_q;      // S2, S3: taps, lane alpha
  reg [G_W-1:0]       tok_grp_s1_q, tok_grp_s2_q, tok_grp_s3_q;            // S3: parameter read
  reg [N_W-1:0]       tok_col_s1_q, tok_col_s2_q, tok_col_s3_q;            // S2, S3: taps
  reg                 tok_first_s1_q, tok_first_s2_q, tok_first_s3_q;      // S3: clear the accumulator
  reg                 tok_last_chunk_s1_q, tok_last_chunk_s2_q, tok_last_chunk_s3_q;  // S3: plane ends
  reg                 tok_last_plane_s1_q, tok_last_plane_s2_q, tok_last_plane_s3_q,
                      tok_last_plane_s4_q;                                 // S4: result follows
  reg [M_W-1:0]       tok_chan_base_s1_q, tok_chan_base_s2_q, tok_chan_base_s3_q, tok_chan_base_s4_q,
                      tok_chan_base_s5_q;                                  // S2: active lanes; S5: writer
  reg                 tok_last_grp_s1_q, tok_last_grp_s2_q, tok_last_grp_s3_q, tok_last_grp_s4_q,
                      tok_last_grp_s5_q;                                   // S5: writer (padding)
  reg                 tok_last_col_s1_q, tok_last_col_s2_q, tok_last_col_s3_q, tok_last_col_s4_q,
                      tok_last_col_s5_q;                                   // S5: writer (out_last)

  wire adv = !valid_s5_q || res_ready_i;  // S5 can hand its result over
  assign adv_o   = adv;
  assign stall_o = exec_i && !adv;
  assign idle_o  = !issuing_q && !valid_s1_q && !valid_s2_q && !valid_s3_q && !valid_s4_q && !valid_s5_q;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      issuing_q <= 1'b0;
      n_q <= {N_W{1'b0}}; g_q <= {G_W{1'b0}}; chan_base_q <= {M_W{1'b0}}; col_addr_q <= {(AMEM_AW+1){1'b0}};
      w_addr_q <= {WMEM_AW{1'b0}}; plane_q <= 4'd0; slice_q <= {CH_W{1'b0}};
    end else if (go_i) begin
      issuing_q <= 1'b1;
      n_q <= {N_W{1'b0}}; g_q <= {G_W{1'b0}}; chan_base_q <= {M_W{1'b0}}; plane_q <= 4'd0;
      slice_q <= {CH_W{1'b0}};
      col_addr_q <= a_src_base_i; w_addr_q <= w_base_i;
    end else if (exec_i && adv && valid_s0) begin
      w_addr_q <= w_addr_q + {{(WMEM_AW-1){1'b0}}, 1'b1};
      if (last_chunk_s0) begin
        slice_q <= {CH_W{1'b0}};
        if (last_plane_s0) begin
          plane_q <= 4'd0;
          if (last_grp_s0) begin
            g_q <= {G_W{1'b0}}; chan_base_q <= {M_W{1'b0}};
            w_addr_q <= w_base_i;
            col_addr_q <= col_addr_q + {{(AMEM_AW+1-CH_W){1'b0}}, ch_i};
            if (last_col_s0) issuing_q <= 1'b0;
            else             n_q <= n_q + {{(N_W-1){1'b0}}, 1'b1};
          end else begin
            g_q <= g_q + {{(G_W-1){1'b0}}, 1'b1};
            chan_base_q <= chan_base_q + LANES_M;
          end
        end else begin
          plane_q <= plane_q + 4'd1;
        end
      end else begin
        slice_q <= slice_q + {{(CH_W-1){1'b0}}, 1'b1};
      end
    end
  end

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      valid_s1_q <= 1'b0; valid_s2_q <= 1'b0; valid_s3_q <= 1'b0; valid_s4_q <= 1'b0; valid_s5_q <= 1'b0;
      tok_prime_s1_q <= 1'b0;
      tok_chunk_s1_q <= {CH_W{1'b0}}; tok_chunk_s2_q <= {CH_W{1'b0}};
      tok_plane_s1_q <= 4'd0; tok_plane_s2_q <= 4'd0; tok_plane_s3_q <= 4'd0;
      tok_grp_s1_q <= {G_W{1'b0}}; tok_grp_s2_q <= {G_W{1'b0}}; tok_grp_s3_q <= {G_W{1'b0}};
      tok_col_s1_q <= {N_W{1'b0}}; tok_col_s2_q <= {N_W{1'b0}}; tok_col_s3_q <= {N_W{1'b0}};
      tok_first_s1_q <= 1'b0; tok_first_s2_q <= 1'b0; tok_first_s3_q <= 1'b0;
      tok_last_chunk_s1_q <= 1'b0; tok_last_chunk_s2_q <= 1'b0; tok_last_chunk_s3_q <= 1'b0;
      tok_last_plane_s1_q <= 1'b0; tok_last_plane_s2_q <= 1'b0; tok_last_plane_s3_q <= 1'b0;
      tok_last_plane_s4_q <= 1'b0;
      tok_chan_base_s1_q <= {M_W{1'b0}}; tok_chan_base_s2_q <= {M_W{1'b0}}; tok_chan_base_s3_q <= {M_W{1'b0}};
      tok_chan_base_s4_q <= {M_W{1'b0}}; tok_chan_base_s5_q <= {M_W{1'b0}};
      tok_last_grp_s1_q <= 1'b0; tok_last_grp_s2_q <= 1'b0; tok_last_grp_s3_q <= 1'b0;
      tok_last_grp_s4_q <= 1'b0; tok_last_grp_s5_q <= 1'b0;
      tok_last_col_s1_q <= 1'b0; tok_last_col_s2_q <= 1'b0; tok_last_col_s3_q <= 1'b0;
      tok_last_col_s4_q <= 1'b0; tok_last_col_s5_q <= 1'b0;
    end else if (exec_i && adv) begin
      // S0 -> S1 -> S2 -> S3 -> S4 (plane ends only) -> S5 (results only)
      valid_s1_q <= valid_s0;
      valid_s2_q <= valid_s1_q && !tok_prime_s1_q;
      valid_s3_q <= valid_s2_q;
      valid_s4_q <= valid_s3_q && tok_last_chunk_s3_q;
      valid_s5_q <= valid_s4_q && tok_last_plane_s4_q;
      tok_prime_s1_q <= prime_s0;
      tok_chunk_s1_q <= chunk_s0;  tok_chunk_s2_q <= tok_chunk_s1_q;
      tok_plane_s1_q <= plane_q;   tok_plane_s2_q <= tok_plane_s1_q; tok_plane_s3_q <= tok_plane_s2_q;
      tok_grp_s1_q <= g_q;         tok_grp_s2_q <= tok_grp_s1_q;     tok_grp_s3_q <= tok_grp_s2_q;
      tok_col_s1_q <= col_s0;         tok_col_s2_q <= tok_col_s1_q;     tok_col_s3_q <= tok_col_s2_q;
      tok_first_s1_q <= first_s0;  tok_first_s2_q <= tok_first_s1_q; tok_first_s3_q <= tok_first_s2_q;
      tok_last_chunk_s1_q <= last_chunk_s0; tok_last_chunk_s2_q <= tok_last_chunk_s1_q;
      tok_last_chunk_s3_q <= tok_last_chunk_s2_q;
      tok_last_plane_s1_q <= last_plane_s0; tok_last_plane_s2_q <= tok_last_plane_s1_q;
      tok_last_plane_s3_q <= tok_last_plane_s2_q; tok_last_plane_s4_q <= tok_last_plane_s3_q;
      tok_chan_base_s1_q <= chan_base_q; tok_chan_base_s2_q <= tok_chan_base_s1_q;
      tok_chan_base_s3_q <= tok_chan_base_s2_q; tok_chan_base_s4_q <= tok_chan_base_s3_q;
      tok_chan_base_s5_q <= tok_chan_base_s4_q;
      tok_last_grp_s1_q <= last_grp_s0; tok_last_grp_s2_q <= tok_last_grp_s1_q;
      tok_last_grp_s3_q <= tok_last_grp_s2_q; tok_last_grp_s4_q <= tok_last_grp_s3_q;
      tok_last_grp_s5_q <= tok_last_grp_s4_q;
      tok_last_col_s1_q <= last_col_s0; tok_last_col_s2_q <= tok_last_col_s1_q;
      tok_last_col_s3_q <= tok_last_col_s2_q; tok_last_col_s4_q <= tok_last_col_s3_q;
      tok_last_col_s5_q <= tok_last_col_s4_q;
    end
  end

  // ---------------- addresses, lane control, result, taps ----------------
  /* verilator lint_off UNUSEDSIGNAL */
  wire [AMEM_AW:0] a_addr       = col_addr_q + {{(AMEM_AW+1-CH_W){1'b0}}, chunk_s0};
  wire [CB_AW:0]   cb_addr      = (n_q[0] ? CHMAX_A : {(CB_AW+1){1'b0}}) + {{(CB_AW+1-CH_W){1'b0}}, chunk_s0};
  wire [15:0]      slot_col_unused = slot_col_i;
  wire [31:0]      o_addr       = p_base_i + {{(32-G_W){1'b0}}, g_q};
  wire [31:0]      p_addr       = p_base_i + {{(32-G_W){1'b0}}, tok_grp_s3_q};
  wire [31:0]      chunk_s2_32  = {{(32-CH_W){1'b0}}, tok_chunk_s2_q};
  wire [31:0]      grp_s2_32    = {{(32-G_W){1'b0}}, tok_grp_s2_q};
  wire [31:0]      col_s2_32    = {{(32-N_W){1'b0}}, tok_col_s2_q};
  wire [31:0]      grp_s3_32    = {{(32-G_W){1'b0}}, tok_grp_s3_q};
  wire [31:0]      col_s3_32    = {{(32-N_W){1'b0}}, tok_col_s3_q};
  wire [M_W:0]     chans_left   = {1'b0, m_i} - {1'b0, tok_chan_base_s2_q};  // channels from this group on
  wire [M_W:0]     lanes_active = (chans_left > {{(M_W+1-LANE_COUNT_W){1'b0}}, LANES_M[LANE_COUNT_W-1:0]})
                                  ? {{(M_W+1-LANE_COUNT_W){1'b0}}, LANES_M[LANE_COUNT_W-1:0]} : chans_left;
  /* verilator lint_on UNUSEDSIGNAL */
  assign w_raddr_o = w_addr_q;
  assign a_raddr_o = a_addr[AMEM_AW-1:0];
  assign a_rbuf_o  = a_src_i;
  assign cb_raddr_o = cb_addr[CB_AW-1:0];
  assign seq_col_o  = n_q;
  assign o_raddr_o = o_addr[PMEM_AW-1:0];
  assign p_raddr_o = p_addr[PMEM_AW-1:0];

  assign v1_o       = valid_s1_q;
  assign v3_o       = valid_s3_q;
  assign first3_o   = tok_first_s3_q;
  assign last3_o    = tok_last_chunk_s3_q;
  assign plane3_o   = tok_plane_s3_q;

  assign res_valid_o     = exec_i && adv && valid_s5_q;
  assign res_chan_base_o = tok_chan_base_s5_q;
  assign res_last_grp_o  = tok_last_grp_s5_q;
  assign res_last_col_o  = tok_last_col_s5_q;

  assign tap_valid_o     = exec_i && adv && valid_s2_q;
  assign tap_chunk_o     = chunk_s2_32[15:0];
  assign tap_plane_o     = tok_plane_s2_q;
  assign tap_grp_o       = grp_s2_32[15:0];
  assign tap_col_o       = col_s2_32[15:0];
  assign tap_acc_valid_o = exec_i && adv && valid_s3_q && tok_last_chunk_s3_q;
  assign tap_acc_col_o   = col_s3_32[15:0];
  assign tap_acc_grp_o   = grp_s3_32[15:0];
  assign tap_acc_plane_o = tok_plane_s3_q;

  assign slices_inc_o = tap_valid_o ? lanes_active[LANE_COUNT_W-1:0] : {LANE_COUNT_W{1'b0}};
endmodule

`default_nettype wire
