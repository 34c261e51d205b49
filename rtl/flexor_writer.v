// SPDX-License-Identifier: Apache-2.0
// flexor_writer: the RUN's output side (docs/rtl.md "Pipeline control, stalls, output").
// The result register R takes every lane's scaled sum from S5, the output buffer O takes R when the
// serialiser is free or sends its last word (double buffer: back to back with the previous group);
// the serialiser requantizes one result of O per cycle (the one flexor_requant) and either sends it
// on the out stream (waiting for out_ready_i) or writes it as one byte into the destination
// activation buffer through a running (chunk, byte) pointer, continuing the column's last group with
// zero bytes to the end of its last chunk. res_ready_o tells the sequencer that R can take a result.
// RUNX (docs/rtl.md "RUNX") into a buffer, or pooled: stage P takes R whole, requantizes all LANES
// results at once (one flexor_requant per lane), pools them (running maxima per (group, lane) in a
// PMEM_DEPTH x LANES-byte RAM across the window's four columns) and appends the group's real channels
// to an (N_OUT+LANES)-byte packer that writes one whole N_OUT-byte word per cycle (the last one
// zero-padded) from a_dst_base on; pooled groups on the out stream go to O as bytes. RUNX without
// pooling on the out stream is RUN's path.
`timescale 1ns / 1ps
`default_nettype none

module flexor_writer #(
  parameter integer N_OUT      = 20,
  parameter integer LANES      = 16,
  parameter integer SUM_W      = 39,
  parameter integer PMEM_DEPTH = 256,
  parameter integer AMEM_DEPTH = 4096,
  parameter integer AMEM_AW    = $clog2(AMEM_DEPTH),
  // flexor_ctrl passes the width flexor_argchk uses (this default gives the same value)
  parameter integer M_W        = $clog2(LANES * PMEM_DEPTH + 1),
  parameter integer G_W        = $clog2(PMEM_DEPTH + 1),
  parameter integer PMEM_AW    = $clog2(PMEM_DEPTH)
) (
  input  wire                 clk_i,
  input  wire                 rst_ni,
  // the RUN (flexor_argchk)
  input  wire                 check2_i,          // load the destination pointer
  input  wire [AMEM_AW:0]     a_dst_base_i,      // low bits: what the pointer uses
  input  wire                 a_dst_i,
  input  wire                 dst_stream_i,
  input  wire                 relu_i,
  input  wire [5:0]           shift_i,
  input  wire [M_W-1:0]       m_i,
  input  wire                 x_i,               // RUNX
  input  wire                 pool_i,            // RUNX: 2x2 max-pooling
  // S5 result (flexor_seq) and the lanes' sums
  input  wire                 res_valid_i,
  input  wire [M_W-1:0]       res_chan_base_i,   // the group's first channel
  input  wire                 res_last_grp_i,    // last group of its column
  input  wire                 res_last_col_i,    // last column
  input  wire [LANES*SUM_W-1:0] t_i,
  output wire                 res_ready_o,       // R is free, or passes its content to O this cycle
  output wire                 idle_o,            // R empty, serialiser done
  // destination buffer writes
  output wire                 a_we_o,
  output wire                 a_wbuf_o,
  output wire [AMEM_AW-1:0]   a_waddr_o,
  output wire [N_OUT*8-1:0]   a_wdata_o,
  output wire [N_OUT-1:0]     a_wbe_o,
  // out stream
  output wire                 out_valid_o,
  input  wire                 out_ready_i,
  output wire [31:0]          out_data_o,
  output wire                 out_last_o,
  // tap: every word a RUNX writes into the destination buffer
  output wire                 tap_wr_valid_o,
  output wire [15:0]          tap_wr_addr_o,
  output wire [N_OUT*8-1:0]   tap_wr_data_o
);
  localparam integer SER_POS_W  = $clog2(LANES + N_OUT + 1);  // serialiser position inside a group
  localparam integer LANE_IDX_W = (LANES > 1) ? $clog2(LANES) : 1;
  localparam [SER_POS_W-1:0] LANES_POS = LANES[SER_POS_W-1:0];
  localparam [5:0]           N_OUT_6   = N_OUT[5:0];  // width of the byte pointer
  localparam integer PK_B   = N_OUT + LANES;             // RUNX packer bytes
  localparam integer PK_F_W = $clog2(PK_B + 1);
  localparam [PK_F_W-1:0]    N_OUT_F   = N_OUT[PK_F_W-1:0];
  localparam [PK_F_W-1:0]    LANES_F   = LANES[PK_F_W-1:0];

  // ---------------- result register R, output buffer O, serialiser ----------------
  reg  [LANES*SUM_W-1:0] res_q, out_buf_q;
  reg                    res_full_q, ser_busy_q;
  reg  [M_W-1:0]         res_chan_base_q, ser_chan_base_q;
  reg                    res_last_grp_q, res_last_col_q, ser_last_grp_q, ser_last_col_q;
  reg  [SER_POS_W-1:0]   ser_pos_q;
  reg  [AMEM_AW:0]       dst_chunk_q;
  reg  [5:0]             dst_byte_q;
  reg                    ser_bytes_q;       // O holds pooled bytes (RUNX, pooled, out stream)

  // This position's channel; a real result below M (else a padding zero of the column's last chunk).
  wire [M_W:0]       ser_chan = {1'b0, ser_chan_base_q} + {{(M_W+1-SER_POS_W){1'b0}}, ser_pos_q};
  wire [M_W:0]       m_last   = {1'b0, m_i} - {{M_W{1'b0}}, 1'b1};
  wire               ser_real = ser_pos_q < LANES_POS && ser_chan < {1'b0, m_i};
  wire               ser_lane_last = ser_pos_q == LANES_POS - {{(SER_POS_W-1){1'b0}}, 1'b1};
  wire [SUM_W-1:0]   ser_t    = out_buf_q[ser_pos_q[LANE_IDX_W-1:0]*SUM_W +: SUM_W];
  wire [31:0]        ser_y;
  // Pooled bytes in O are final: shift 0 passes them unchanged (RELU_U8).
  flexor_requant #(.SUM_W(SUM_W)) u_rq (.t_i(ser_t), .shift_i(ser_bytes_q ? 6'd0 : shift_i), .relu_i,
                                        .y_o(ser_y));
  wire [31:0]        ser_val  = ser_real ? ser_y : 32'd0;
  wire               ser_fire = ser_busy_q && (!dst_stream_i || out_ready_i);
  // Stream: the group's last lane or the layer's last channel. Buffer: the group's last lane, or for a
  // column's last group the last byte of the chunk holding channel M-1 (padding included).
  wire               ser_end  = dst_stream_i ? (ser_lane_last || ser_chan == m_last)
                                             : (ser_last_grp_q ? (ser_chan >= m_last && dst_byte_q == N_OUT_6 - 6'd1)
                                                               : ser_lane_last);
  wire               ser_done = ser_fire && ser_end;                  // the serialiser's last word of the group
  wire               o_free   = !ser_busy_q || ser_done;
  wire               take     = res_full_q && !xpath && o_free;  // R -> O
  assign res_ready_o = !res_full_q || take || p_take;
  assign idle_o      = !res_full_q && !ser_busy_q && pk_f_q == {PK_F_W{1'b0}};

  // ---------------- RUNX stage P: all lanes requantized, pooled, packed ----------------
  // xpath: R goes through P (RUNX into the buffer, or pooled); else R -> O as in RUN.
  wire               xpath = x_i && (pool_i || !dst_stream_i);
  /* verilator lint_off UNUSEDSIGNAL */
  reg  [G_W-1:0]     grp_in_q, res_grp_q;   // group index in its column (entering R, in R): < PMEM_DEPTH
  /* verilator lint_on UNUSEDSIGNAL */
  reg  [1:0]         quad_in_q, res_quad_q; // pooling quadrant: column of the window
  reg  [LANES*8-1:0] fwd_q;                 // pool RAM bypass: written while R's read was issued
  reg                fwd_hit_q, fin_q;
  wire [LANES*8-1:0] pool_rdata;
  wire [LANES*8-1:0] p_bytes, p_old;
  wire               p_final = !pool_i || res_quad_q == 2'd3;   // the group leaves P (else pool RAM)
  /* verilator lint_off UNUSEDSIGNAL */
  wire [M_W:0]       p_left  = {1'b0, m_i} - {1'b0, res_chan_base_q};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [PK_F_W-1:0]  p_cnt   = (p_left > {{(M_W+1-PK_F_W){1'b0}}, LANES_F}) ? LANES_F : p_left[PK_F_W-1:0];
  wire               p_room  = pk_fe <= N_OUT_F;
  wire               p_take  = res_full_q && xpath &&
                               (!p_final || (dst_stream_i ? o_free : p_room));
  wire               p_pack  = p_take && p_final && !dst_stream_i;
  wire               p_to_o  = p_take && p_final && dst_stream_i;
  wire               pool_we = p_take && !p_final;
  wire               pool_re = res_valid_i;
  wire [PMEM_AW-1:0] pool_raddr = grp_in_q[PMEM_AW-1:0];
  wire [PMEM_AW-1:0] pool_waddr = res_grp_q[PMEM_AW-1:0];

  genvar gl;
  generate
    for (gl = 0; gl < LANES; gl = gl + 1) begin : g_rq
      wire [31:0] y;
      wire [7:0]  old = p_old[8*gl +: 8];
      flexor_requant #(.SUM_W(SUM_W)) u_rq (.t_i(res_q[gl*SUM_W +: SUM_W]), .shift_i, .relu_i, .y_o(y));
      assign p_bytes[8*gl +: 8] = (pool_i && old > y[7:0]) ? old : y[7:0];
      /* verilator lint_off UNUSEDSIGNAL */
      wire [23:0] y_high_unused = y[31:8];  // RELU_U8: 0
      /* verilator lint_on UNUSEDSIGNAL */
    end
  endgenerate
  // Pooled bytes as O's results (zero-extended to SUM_W; the serialiser passes them with shift 0).
  wire [LANES*SUM_W-1:0] p_bytes_wide;
  generate
    for (gl = 0; gl < LANES; gl = gl + 1) begin : g_pw
      assign p_bytes_wide[gl*SUM_W +: SUM_W] = {{(SUM_W-8){1'b0}}, p_bytes[8*gl +: 8]};
    end
  endgenerate
  assign p_old = (res_quad_q == 2'd0) ? {LANES*8{1'b0}} : fwd_hit_q ? fwd_q : pool_rdata;

  flexor_ram #(.W(LANES*8), .DEPTH(PMEM_DEPTH), .AW(PMEM_AW)) u_pool (
    .clk_i, .we_i(pool_we), .waddr_i(pool_waddr), .wdata_i(p_bytes), .wseg_i(1'b1),
    .re_i(pool_re), .raddr_i(pool_raddr), .rdata_o(pool_rdata));

  // The packer: bytes [0, pk_f_q) valid, the rest 0; emits a word when full, or the last one padded.
  reg  [PK_B*8-1:0]  pk_q;
  reg  [PK_F_W-1:0]  pk_f_q;
  reg  [AMEM_AW:0]   wptr_q;
  wire               pk_emit = pk_f_q >= N_OUT_F || (fin_q && pk_f_q != {PK_F_W{1'b0}});
  wire [PK_F_W-1:0]  pk_fe   = !pk_emit ? pk_f_q : (pk_f_q >= N_OUT_F) ? pk_f_q - N_OUT_F : {PK_F_W{1'b0}};
  wire [PK_B*8-1:0]  pk_e    = pk_emit ? (pk_q >> (8 * N_OUT)) : pk_q;
  wire [LANES*8-1:0] p_mask  = ~({LANES*8{1'b1}} << (8 * p_cnt));
  wire [PK_B*8-1:0]  pk_put  = {{(PK_B-LANES)*8{1'b0}}, p_bytes & p_mask} << (8 * pk_fe);

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      res_full_q <= 1'b0; ser_busy_q <= 1'b0;
      res_q <= {LANES*SUM_W{1'b0}}; out_buf_q <= {LANES*SUM_W{1'b0}};
      res_chan_base_q <= {M_W{1'b0}}; ser_chan_base_q <= {M_W{1'b0}}; ser_pos_q <= {SER_POS_W{1'b0}};
      dst_chunk_q <= {(AMEM_AW+1){1'b0}}; dst_byte_q <= 6'd0;
      res_last_grp_q <= 1'b0; res_last_col_q <= 1'b0; ser_last_grp_q <= 1'b0; ser_last_col_q <= 1'b0;
      ser_bytes_q <= 1'b0;
      grp_in_q <= {G_W{1'b0}}; res_grp_q <= {G_W{1'b0}}; quad_in_q <= 2'd0; res_quad_q <= 2'd0;
      fwd_q <= {LANES*8{1'b0}}; fwd_hit_q <= 1'b0; fin_q <= 1'b0;
      pk_q <= {PK_B*8{1'b0}}; pk_f_q <= {PK_F_W{1'b0}}; wptr_q <= {(AMEM_AW+1){1'b0}};
    end else begin
      if (check2_i) begin
        dst_chunk_q <= a_dst_base_i;
        dst_byte_q  <= 6'd0;
        wptr_q      <= a_dst_base_i;
        grp_in_q    <= {G_W{1'b0}};
        quad_in_q   <= 2'd0;
        fin_q       <= 1'b0;
      end
      // RUNX stage P and the packer
      if (pk_emit) wptr_q <= wptr_q + {{AMEM_AW{1'b0}}, 1'b1};
      pk_q   <= p_pack ? (pk_e | pk_put) : pk_e;
      pk_f_q <= p_pack ? pk_fe + p_cnt : pk_fe;
      if (p_pack && res_last_grp_q && res_last_col_q) fin_q <= 1'b1;
      if (p_take) res_full_q <= 1'b0;
      if (res_valid_i) begin  // the pool RAM read for the entering group, with its bypass
        grp_in_q  <= res_last_grp_i ? {G_W{1'b0}} : grp_in_q + {{(G_W-1){1'b0}}, 1'b1};
        if (res_last_grp_i) quad_in_q <= quad_in_q + 2'd1;
        res_grp_q <= grp_in_q; res_quad_q <= quad_in_q;
        fwd_hit_q <= pool_we && pool_waddr == pool_raddr;
        fwd_q     <= p_bytes;
      end
      if (ser_fire) begin
        if (ser_end) ser_busy_q <= 1'b0;
        else         ser_pos_q <= ser_pos_q + {{(SER_POS_W-1){1'b0}}, 1'b1};
        if (!dst_stream_i) begin
          if (dst_byte_q == N_OUT_6 - 6'd1) begin
            dst_byte_q <= 6'd0; dst_chunk_q <= dst_chunk_q + {{AMEM_AW{1'b0}}, 1'b1};
          end else begin
            dst_byte_q <= dst_byte_q + 6'd1;
          end
        end
      end
      if (p_to_o) begin  // after ser_fire, as take
        out_buf_q <= p_bytes_wide; ser_chan_base_q <= res_chan_base_q;
        ser_last_grp_q <= res_last_grp_q; ser_last_col_q <= res_last_col_q;
        ser_pos_q <= {SER_POS_W{1'b0}}; ser_busy_q <= 1'b1; ser_bytes_q <= 1'b1;
      end
      if (take) begin  // after ser_fire: a new group replaces the one just finished
        out_buf_q <= res_q; ser_chan_base_q <= res_chan_base_q;
        ser_last_grp_q <= res_last_grp_q; ser_last_col_q <= res_last_col_q;
        ser_pos_q <= {SER_POS_W{1'b0}}; ser_busy_q <= 1'b1; ser_bytes_q <= 1'b0;
        res_full_q <= 1'b0;
      end
      if (res_valid_i) begin
        res_q <= t_i; res_full_q <= 1'b1;
        res_chan_base_q <= res_chan_base_i; res_last_grp_q <= res_last_grp_i; res_last_col_q <= res_last_col_i;
      end
    end
  end

  // ---------------- outputs ----------------
  // RUN: one byte per serialiser word; RUNX: whole packer words (the serialiser never writes then).
  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0]        wptr_32 = {{(31-AMEM_AW){1'b0}}, wptr_q};
  /* verilator lint_on UNUSEDSIGNAL */
  assign a_we_o    = x_i ? pk_emit : ser_fire && !dst_stream_i;
  assign a_wbuf_o  = a_dst_i;
  assign a_waddr_o = x_i ? wptr_q[AMEM_AW-1:0] : dst_chunk_q[AMEM_AW-1:0];
  assign a_wdata_o = x_i ? pk_q[N_OUT*8-1:0] : {N_OUT{ser_val[7:0]}};
  assign a_wbe_o   = x_i ? {N_OUT{1'b1}} : {{(N_OUT-1){1'b0}}, 1'b1} << dst_byte_q;
  assign tap_wr_valid_o = x_i && pk_emit;
  assign tap_wr_addr_o  = wptr_32[15:0];
  assign tap_wr_data_o  = pk_q[N_OUT*8-1:0];

  assign out_valid_o = ser_busy_q && dst_stream_i;
  assign out_data_o  = ser_val;
  assign out_last_o  = ser_last_grp_q && ser_last_col_q && ser_chan == m_last;
endmodule

`default_nettype wire
