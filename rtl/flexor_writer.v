// SPDX-License-Identifier: Apache-2.0
// flexor_writer: the RUN's output side (docs/rtl.md "Pipeline control, stalls, output").
// The result register R takes every lane's scaled sum from S5, the output buffer O takes R when the
// serialiser is free or sends its last word (double buffer: back to back with the previous group);
// the serialiser requantizes one result of O per cycle (the one flexor_requant) and either sends it
// on the out stream (waiting for out_ready_i) or writes it as one byte into the destination
// activation buffer through a running (chunk, byte) pointer, continuing the column's last group with
// zero bytes to the end of its last chunk. res_ready_o tells the sequencer that R can take a result.
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
  parameter integer M_W        = $clog2(LANES * PMEM_DEPTH + 1)
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
  output wire                 out_last_o
);
  localparam integer SER_POS_W  = $clog2(LANES + N_OUT + 1);  // serialiser position inside a group
  localparam integer LANE_IDX_W = (LANES > 1) ? $clog2(LANES) : 1;
  localparam [SER_POS_W-1:0] LANES_POS = LANES[SER_POS_W-1:0];
  localparam [5:0]           N_OUT_6   = N_OUT[5:0];  // width of the byte pointer

  // ---------------- result register R, output buffer O, serialiser ----------------
  reg  [LANES*SUM_W-1:0] res_q, out_buf_q;
  reg                    res_full_q, ser_busy_q;
  reg  [M_W-1:0]         res_chan_base_q, ser_chan_base_q;
  reg                    res_last_grp_q, res_last_col_q, ser_last_grp_q, ser_last_col_q;
  reg  [SER_POS_W-1:0]   ser_pos_q;
  reg  [AMEM_AW:0]       dst_chunk_q;
  reg  [5:0]             dst_byte_q;

  // This position's channel; a real result below M (else a padding zero of the column's last chunk).
  wire [M_W:0]       ser_chan = {1'b0, ser_chan_base_q} + {{(M_W+1-SER_POS_W){1'b0}}, ser_pos_q};
  wire [M_W:0]       m_last   = {1'b0, m_i} - {{M_W{1'b0}}, 1'b1};
  wire               ser_real = ser_pos_q < LANES_POS && ser_chan < {1'b0, m_i};
  wire               ser_lane_last = ser_pos_q == LANES_POS - {{(SER_POS_W-1){1'b0}}, 1'b1};
  wire [SUM_W-1:0]   ser_t    = out_buf_q[ser_pos_q[LANE_IDX_W-1:0]*SUM_W +: SUM_W];
  wire [31:0]        ser_y;
  flexor_requant #(.SUM_W(SUM_W)) u_rq (.t_i(ser_t), .shift_i, .relu_i, .y_o(ser_y));
  wire [31:0]        ser_val  = ser_real ? ser_y : 32'd0;
  wire               ser_fire = ser_busy_q && (!dst_stream_i || out_ready_i);
  // Stream: the group's last lane or the layer's last channel. Buffer: the group's last lane, or for a
  // column's last group the last byte of the chunk holding channel M-1 (padding included).
  wire               ser_end  = dst_stream_i ? (ser_lane_last || ser_chan == m_last)
                                             : (ser_last_grp_q ? (ser_chan >= m_last && dst_byte_q == N_OUT_6 - 6'd1)
                                                               : ser_lane_last);
  wire               ser_done = ser_fire && ser_end;                  // the serialiser's last word of the group
  wire               take     = res_full_q && (!ser_busy_q || ser_done);  // R -> O
  assign res_ready_o = !res_full_q || take;
  assign idle_o      = !res_full_q && !ser_busy_q;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      res_full_q <= 1'b0; ser_busy_q <= 1'b0;
      res_q <= {LANES*SUM_W{1'b0}}; out_buf_q <= {LANES*SUM_W{1'b0}};
      res_chan_base_q <= {M_W{1'b0}}; ser_chan_base_q <= {M_W{1'b0}}; ser_pos_q <= {SER_POS_W{1'b0}};
      dst_chunk_q <= {(AMEM_AW+1){1'b0}}; dst_byte_q <= 6'd0;
      res_last_grp_q <= 1'b0; res_last_col_q <= 1'b0; ser_last_grp_q <= 1'b0; ser_last_col_q <= 1'b0;
    end else begin
      if (check2_i) begin
        dst_chunk_q <= a_dst_base_i;
        dst_byte_q  <= 6'd0;
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
      if (take) begin  // after ser_fire: a new group replaces the one just finished
        out_buf_q <= res_q; ser_chan_base_q <= res_chan_base_q;
        ser_last_grp_q <= res_last_grp_q; ser_last_col_q <= res_last_col_q;
        ser_pos_q <= {SER_POS_W{1'b0}}; ser_busy_q <= 1'b1;
        res_full_q <= 1'b0;
      end
      if (res_valid_i) begin
        res_q <= t_i; res_full_q <= 1'b1;
        res_chan_base_q <= res_chan_base_i; res_last_grp_q <= res_last_grp_i; res_last_col_q <= res_last_col_i;
      end
    end
  end

  // ---------------- outputs ----------------
  assign a_we_o    = ser_fire && !dst_stream_i;
  assign a_wbuf_o  = a_dst_i;
  assign a_waddr_o = dst_chunk_q[AMEM_AW-1:0];
  assign a_wdata_o = {N_OUT{ser_val[7:0]}};
  assign a_wbe_o   = {{(N_OUT-1){1'b0}}, 1'b1} << dst_byte_q;

  assign out_valid_o = ser_busy_q && dst_stream_i;
  assign out_data_o  = ser_val;
  assign out_last_o  = ser_last_grp_q && ser_last_col_q && ser_chan == m_last;
endmodule

`default_nettype wire
