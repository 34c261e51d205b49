// SPDX-License-Identifier: Apache-2.0
// flexor_gather: RUNX's column builder (docs/accelerator.md "RUNX", docs/rtl.md "RUNX").
// For every column, in the RUNX column order (n ascending, or 2x2 pooling-window order), it builds the
// CH chunks of the column from the HWC input tensor in buffer a_src: per window row dy one run of kw*C
// contiguous bytes, split into segments: zeros left of the input, the in-image bytes (read one
// activation word per cycle), zeros right of it; a row outside the input is one zero segment, and the
// column ends with CH*N_OUT-K zero bytes. Segments of length 0 take no cycle; a zero segment gives
// up to N_OUT bytes per cycle, a memory segment one word per cycle. The bytes go through a
// 2*N_OUT-byte packer (append <= N_OUT bytes per cycle at the fill position, emit one N_OUT-byte chunk
// per cycle) into a double-buffered column buffer (2 slots of ceil(K_MAX/N_OUT) chunks, slot = column
// index mod 2), so column k+1 is gathered while flexor_seq computes column k. A chunk of column k is
// written only when the sequencer has moved on to column k-1 (it has finished column k-2, the slot's
// previous column). The sequencer reads the slot chunks through cb_* and waits for a chunk not yet
// written (col_o, cnt_o). One cycle per column computes its first segment (no segment is issued then).
// Stage A (segment state, activation read issued) -> stage B (read data, append to the packer): both
// hold while the packer has no room (its fill after this cycle's emit above N_OUT).
`timescale 1ns / 1ps
`default_nettype none

module flexor_gather #(
  parameter integer N_OUT      = 20,
  parameter integer K_MAX      = 4096,
  parameter integer AMEM_DEPTH = 4096,
  parameter integer AMEM_AW    = $clog2(AMEM_DEPTH),
  parameter integer N_W        = $clog2(AMEM_DEPTH + 1),                       // a column index
  parameter integer CH_W       = $clog2((K_MAX + N_OUT - 1) / N_OUT + 2),      // CH
  parameter integer BYTE_W     = ($clog2(AMEM_DEPTH * N_OUT + 1) > $clog2(K_MAX + 1)) ?
                                 $clog2(AMEM_DEPTH * N_OUT + 1) : $clog2(K_MAX + 1),
  parameter integer XB_W       = BYTE_W + 8,
  parameter integer CHMAX      = (K_MAX + N_OUT - 1) / N_OUT,                  // chunks of a slot
  parameter integer CB_AW      = $clog2(2 * CHMAX)
) (
  input  wire                clk_i,
  input  wire                rst_ni,
  input  wire                go_i,          // a RUNX passed its checks: start with column 0
  // the layer (flexor_argchk)
  input  wire [AMEM_AW:0]    a_src_base_i,
  input  wire                pool_i,
  input  wire [7:0]          kh_i,
  input  wire [N_W-1:0]      out_w_i,
  input  wire [N_W-1:0]      n_i,           // columns: out_h*out_w
  input  wire [CH_W-1:0]     ch_i,
  input  wire [BYTE_W-1:0]   kwc_i, rs_i, tb_i,
  input  wire [XB_W-1:0]     sc_i, pc_i, srs_i, prs_i,
  input  wire [5:0]          padb_i,
  // the sequencer's column (index in column order) and its chunk reads
  input  wire [N_W-1:0]      seq_col_i,
  input  wire                cb_re_i,
  input  wire [CB_AW-1:0]    cb_raddr_i,
  output wire [N_OUT*8-1:0]  cb_rdata_o,
  output wire [N_W-1:0]      col_o,         // column being written (column order)
  output wire [CH_W-1:0]     cnt_o,         // its chunks written so far
  output wire [15:0]         slot_col_o,    // the position n of the column in slot seq_col_i mod 2
  // activation buffer read port (buffer a_src)
  output wire                a_re_o,
  output wire [AMEM_AW-1:0]  a_raddr_o,
  input  wire [N_OUT*8-1:0]  a_rdata_i,
  output wire                idle_o,
  // tap: every chunk as it is written
  output wire                tap_valid_o,
  output wire [15:0]         tap_col_o,
  output wire [15:0]         tap_chunk_o,
  output wire [N_OUT*8-1:0]  tap_data_o
);
  localparam integer SW    = N_W + XB_W + 2;             // signed byte offsets of a window position
  localparam integer REM_W = BYTE_W + 1;
  localparam integer F_W   = $clog2(2 * N_OUT + 1);      // packer fill
  localparam integer PK_B  = 2 * N_OUT;                  // packer bytes
  localparam [F_W-1:0]     N_OUT_F = N_OUT[F_W-1:0];
  localparam [REM_W-1:0]   N_OUT_R = N_OUT[REM_W-1:0];
  localparam [CB_AW-1:0]   CHMAX_A = CHMAX[CB_AW-1:0];
  localparam [1:0] GS_IDLE = 2'd0, GS_FIRST = 2'd1, GS_SEG = 2'd2;
  localparam [1:0] PH_LZ = 2'd0, PH_MID = 2'd1, PH_RZ = 2'd2, PH_PAD = 2'd3;

  // Walk one column along the column order: next ox, quadrant and how x and y change (x: 0 +1, 1 -1,
  // 2 back to 0; y: 0 same, 1 +1, 2 -1).
  function [N_W+2+2+2-1:0] walk;
    input [N_W-1:0] ox, out_w;
    input [1:0]     quad;
    input           pool;
    reg   [N_W-1:0] ox_n;
    reg   [1:0]     quad_n, dxk, dyk;
    reg             row_end;
    begin
      row_end = ox == out_w - {{(N_W-1){1'b0}}, 1'b1};
      quad_n = 2'd0;
      if (!pool) begin
        ox_n = row_end ? {N_W{1'b0}} : ox + {{(N_W-1){1'b0}}, 1'b1};
        dxk  = row_end ? 2'd2 : 2'd0;
        dyk  = row_end ? 2'd1 : 2'd0;
      end else begin
        quad_n = quad + 2'd1;
        case (quad)
          2'd0, 2'd2: begin ox_n = ox + {{(N_W-1){1'b0}}, 1'b1}; dxk = 2'd0; dyk = 2'd0; end
          2'd1:       begin ox_n = ox - {{(N_W-1){1'b0}}, 1'b1}; dxk = 2'd1; dyk = 2'd1; end
          default: begin
            ox_n = row_end ? {N_W{1'b0}} : ox + {{(N_W-1){1'b0}}, 1'b1};
            dxk  = row_end ? 2'd2 : 2'd0;
            dyk  = row_end ? 2'd1 : 2'd2;
          end
        endcase
      end
      walk = {ox_n, quad_n, dxk, dyk};
    end
  endfunction

  function signed [SW-1:0] sx;  // an unsigned byte quantity as a signed offset
    input [XB_W-1:0] v;
    sx = $signed({{(SW-XB_W){1'b0}}, v});
  endfunction

  wire signed [SW-1:0] kwc_s = sx({8'd0, kwc_i});
  wire signed [SW-1:0] rs_s  = sx({8'd0, rs_i});
  wire signed [SW-1:0] tb_s  = sx({8'd0, tb_i});
  wire signed [SW-1:0] zero_s = {SW{1'b0}};

  // ---------------- stage A: columns, rows, segments ----------------
  reg  [1:0]           gs_q;
  reg  [N_W-1:0]       gk_q, gox_q;       // column (column order), its ox
  reg  [1:0]           gquad_q;
  reg  signed [SW-1:0] x0c_q, y0rs_q;     // (ox*s - p)*C, (oy*s - p)*in_w*C
  reg  [7:0]           dy_q;
  reg  signed [SW-1:0] rb_q;              // byte index of the current row's x = 0
  reg                  seg_z_q;           // zero segment (else memory)
  reg  [1:0]           seg_ph_q;
  reg  [REM_W-1:0]     seg_rem_q;         // bytes left
  reg  [AMEM_AW:0]     seg_word_q;        // memory: word of the tensor
  reg  [5:0]           seg_off_q;         // memory: byte inside it

  // The column's split of a window row (the same for every row inside the input).
  wire signed [SW-1:0] xac  = (x0c_q < zero_s) ? zero_s : x0c_q;
  wire signed [SW-1:0] nx0c = zero_s - x0c_q;
  wire signed [SW-1:0] lzb  = (x0c_q < zero_s) ? ((nx0c < kwc_s) ? nx0c : kwc_s) : zero_s;
  wire signed [SW-1:0] xend0 = x0c_q + kwc_s;
  wire signed [SW-1:0] xend = (xend0 < rs_s) ? xend0 : rs_s;
  wire signed [SW-1:0] midb = (xend > xac) ? xend - xac : zero_s;
  wire signed [SW-1:0] rzb  = kwc_s - lzb - midb;
  wire                 lz_nz = lzb != zero_s, mid_nz = midb != zero_s, rz_nz = rzb != zero_s;

  // The next segment, when the current one ends (or a column starts): a row start (first row from
  // y0rs, else the next row's base), the middle or right part of this row, the padding, or the end.
  reg                  nx_row, nx_colend, nx_z;
  reg  [1:0]           nx_ph;
  reg  signed [SW-1:0] nx_len, nx_rb, nx_b;
  wire                 first = gs_q == GS_FIRST;
  wire                 last_row = dy_q == kh_i - 8'd1;
  always @* begin
    nx_row = 1'b0; nx_colend = 1'b0; nx_z = 1'b1; nx_ph = PH_RZ; nx_len = kwc_s;
    nx_rb = first ? y0rs_q : rb_q + rs_s;
    nx_b = rb_q + xac;
    if (!first && seg_ph_q == PH_LZ && mid_nz) begin
      nx_z = 1'b0; nx_ph = PH_MID; nx_len = midb;
    end else if (!first && (seg_ph_q == PH_LZ || seg_ph_q == PH_MID) && rz_nz) begin
      nx_ph = PH_RZ; nx_len = rzb;
    end else if (first || (seg_ph_q != PH_PAD && !last_row)) begin
      nx_row = 1'b1;
      nx_b = nx_rb + xac;
      if (nx_rb < zero_s || nx_rb >= tb_s) begin nx_ph = PH_RZ; nx_len = kwc_s; end  // outside: zeros
      else if (lz_nz)  begin nx_ph = PH_LZ; nx_len = lzb; end
      else if (mid_nz) begin nx_z = 1'b0; nx_ph = PH_MID; nx_len = midb; end
      else             begin nx_ph = PH_RZ; nx_len = rzb; end
    end else if (seg_ph_q != PH_PAD && padb_i != 6'd0) begin
      nx_ph = PH_PAD; nx_len = sx({{(XB_W-6){1'b0}}, padb_i});
    end else begin
      nx_colend = 1'b1;
    end
  end
  /* verilator lint_off UNUSEDSIGNAL */
  wire [SW-1:0]     nx_b_u   = nx_b;
  wire [SW-1:0]     nx_len_u = nx_len;
  wire [BYTE_W-1:0] nx_byte  = nx_b_u[BYTE_W-1:0];   // inside the tensor when a memory segment starts
  wire [BYTE_W-1:0] nx_word  = nx_byte / N_OUT[BYTE_W-1:0];
  wire [BYTE_W-1:0] nx_off   = nx_byte % N_OUT[BYTE_W-1:0];
  /* verilator lint_on UNUSEDSIGNAL */

  // This cycle's operation: up to N_OUT zeros, or the rest of one activation word.
  wire              op_valid = gs_q == GS_SEG;
  wire [REM_W-1:0]  op_cap   = seg_z_q ? N_OUT_R : N_OUT_R - {{(REM_W-6){1'b0}}, seg_off_q};
  wire              op_end   = seg_rem_q <= op_cap;
  wire [REM_W-1:0]  op_n     = op_end ? seg_rem_q : op_cap;

  // ---------------- stage B and the packer ----------------
  reg                  b_valid_q, b_z_q;
  reg  [5:0]           b_n_q, b_off_q;
  reg  [PK_B*8-1:0]    pk_q;
  reg  [F_W-1:0]       f_q;
  reg  [N_W-1:0]       ek_q, en_q, eox_q;  // column written: index, position n, its ox
  reg  [1:0]           equad_q;
  reg  [CH_W-1:0]      ej_q;
  reg  [15:0]          slot_col_q [0:1];

  /* verilator lint_off UNUSEDSIGNAL */
  wire [N_W:0]       ahead  = {1'b0, ek_q} - {1'b0, seq_col_i};
  /* verilator lint_on UNUSEDSIGNAL */
  wire               emit   = f_q >= N_OUT_F && ahead[N_W:1] == {N_W{1'b0}};  // ek <= seq_col + 1
  wire [F_W-1:0]     f_e    = emit ? f_q - N_OUT_F : f_q;
  wire               adv    = f_e <= N_OUT_F;          // room for N_OUT more bytes
  wire [PK_B*8-1:0]  pk_e   = emit ? (pk_q >> (8 * N_OUT)) : pk_q;
  wire [N_OUT*8-1:0] b_data = b_z_q ? {N_OUT*8{1'b0}} : (a_rdata_i >> (8 * b_off_q));
  wire [N_OUT*8-1:0] b_mask = ~({N_OUT*8{1'b1}} << (8 * b_n_q));
  wire [PK_B*8-1:0]  b_put  = {{(PK_B-N_OUT)*8{1'b0}}, b_data & b_mask} << (8 * f_e);
  wire               append = adv && b_valid_q;

  // Walker steps.
  wire [N_W+5:0] gwalk = walk(gox_q, out_w_i, gquad_q, pool_i);
  wire [N_W+5:0] ewalk = walk(eox_q, out_w_i, equad_q, pool_i);
  wire [1:0]     gdx = gwalk[3:2], gdy = gwalk[1:0], edx = ewalk[3:2], edy = ewalk[1:0];
  wire           g_colend = op_valid && op_end && nx_colend;
  wire           g_last   = gk_q == n_i - {{(N_W-1){1'b0}}, 1'b1};
  wire           e_last_chunk = ej_q == ch_i - {{(CH_W-1){1'b0}}, 1'b1};
  reg  [N_W-1:0] en_next;
  always @* begin
    case (edx)
      2'd0:    en_next = en_q + {{(N_W-1){1'b0}}, 1'b1};
      2'd1:    en_next = en_q - {{(N_W-1){1'b0}}, 1'b1};
      default: en_next = en_q - out_w_i + {{(N_W-1){1'b0}}, 1'b1};
    endcase
    case (edy)
      2'd1:    en_next = en_next + out_w_i;
      2'd2:    en_next = en_next - out_w_i;
      default: en_next = en_next;
    endcase
  end

  /* verilator lint_off UNUSEDSIGNAL */
  wire [31:0] en_q_32 = {{(32-N_W){1'b0}}, en_q};
  wire [31:0] ej_q_32 = {{(32-CH_W){1'b0}}, ej_q};
  wire [AMEM_AW:0] a_addr = a_src_base_i + seg_word_q;
  wire [CB_AW:0]   cb_waddr = (ek_q[0] ? {1'b0, CHMAX_A} : {(CB_AW+1){1'b0}}) + {{(CB_AW+1-CH_W){1'b0}}, ej_q};
  /* verilator lint_on UNUSEDSIGNAL */
  wire [15:0] en_q_16 = en_q_32[15:0];

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      gs_q <= GS_IDLE; gk_q <= {N_W{1'b0}}; gox_q <= {N_W{1'b0}}; gquad_q <= 2'd0;
      x0c_q <= zero_s; y0rs_q <= zero_s; dy_q <= 8'd0; rb_q <= zero_s;
      seg_z_q <= 1'b1; seg_ph_q <= PH_LZ; seg_rem_q <= {REM_W{1'b0}}; seg_word_q <= {(AMEM_AW+1){1'b0}};
      seg_off_q <= 6'd0;
      b_valid_q <= 1'b0; b_z_q <= 1'b1; b_n_q <= 6'd0; b_off_q <= 6'd0;
      pk_q <= {PK_B*8{1'b0}}; f_q <= {F_W{1'b0}};
      ek_q <= {N_W{1'b0}}; en_q <= {N_W{1'b0}}; eox_q <= {N_W{1'b0}}; equad_q <= 2'd0; ej_q <= {CH_W{1'b0}};
      slot_col_q[0] <= 16'd0; slot_col_q[1] <= 16'd0;
    end else if (go_i) begin
      gs_q <= GS_FIRST; gk_q <= {N_W{1'b0}}; gox_q <= {N_W{1'b0}}; gquad_q <= 2'd0;
      x0c_q <= zero_s - sx(pc_i); y0rs_q <= zero_s - sx(prs_i);
      b_valid_q <= 1'b0; pk_q <= {PK_B*8{1'b0}}; f_q <= {F_W{1'b0}};
      ek_q <= {N_W{1'b0}}; en_q <= {N_W{1'b0}}; eox_q <= {N_W{1'b0}}; equad_q <= 2'd0; ej_q <= {CH_W{1'b0}};
    end else begin
      // stage A
      if (adv && (first || op_valid)) begin
        if (first || op_end) begin
          if (nx_row) begin
            rb_q <= nx_rb;
            dy_q <= first ? 8'd0 : dy_q + 8'd1;
          end
          seg_z_q <= nx_z; seg_ph_q <= nx_ph; seg_rem_q <= nx_len_u[REM_W-1:0];
          seg_word_q <= nx_word[AMEM_AW:0]; seg_off_q <= nx_off[5:0];
          gs_q <= GS_SEG;
          if (g_colend) begin
            gk_q <= gk_q + {{(N_W-1){1'b0}}, 1'b1};
            gs_q <= g_last ? GS_IDLE : GS_FIRST;
            gox_q <= gwalk[N_W+5:6]; gquad_q <= gwalk[5:4];
            case (gdx)
              2'd0:    x0c_q <= x0c_q + sx(sc_i);
              2'd1:    x0c_q <= x0c_q - sx(sc_i);
              default: x0c_q <= zero_s - sx(pc_i);
            endcase
            case (gdy)
              2'd1:    y0rs_q <= y0rs_q + sx(srs_i);
              2'd2:    y0rs_q <= y0rs_q - sx(srs_i);
              default: y0rs_q <= y0rs_q;
            endcase
          end
        end else begin
          seg_rem_q <= seg_rem_q - op_n;
          if (!seg_z_q) begin
            seg_word_q <= seg_word_q + {{AMEM_AW{1'b0}}, 1'b1};
            seg_off_q <= 6'd0;
          end
        end
      end
      // stage A -> B
      if (adv) begin
        b_valid_q <= op_valid;
        b_z_q <= seg_z_q; b_n_q <= op_n[5:0]; b_off_q <= seg_off_q;
      end
      // packer
      pk_q <= append ? (pk_e | b_put) : pk_e;
      f_q  <= append ? f_e + {{(F_W-6){1'b0}}, b_n_q} : f_e;
      // emit side: slot chunks, columns
      if (emit) begin
        if (ej_q == {CH_W{1'b0}}) slot_col_q[ek_q[0]] <= en_q_16;
        if (e_last_chunk) begin
          ej_q <= {CH_W{1'b0}};
          ek_q <= ek_q + {{(N_W-1){1'b0}}, 1'b1};
          en_q <= en_next; eox_q <= ewalk[N_W+5:6]; equad_q <= ewalk[5:4];
        end else begin
          ej_q <= ej_q + {{(CH_W-1){1'b0}}, 1'b1};
        end
      end
    end
  end


  flexor_ram #(.W(N_OUT*8), .DEPTH(2 * CHMAX), .AW(CB_AW)) u_colbuf (
    .clk_i, .we_i(emit), .waddr_i(cb_waddr[CB_AW-1:0]), .wdata_i(pk_q[N_OUT*8-1:0]), .wseg_i(1'b1),
    .re_i(cb_re_i), .raddr_i(cb_raddr_i), .rdata_o(cb_rdata_o));

  assign a_re_o     = adv && op_valid && !seg_z_q;
  assign a_raddr_o  = a_addr[AMEM_AW-1:0];
  assign col_o      = ek_q;
  assign cnt_o      = ej_q;
  assign slot_col_o = slot_col_q[seq_col_i[0]];
  assign idle_o     = gs_q == GS_IDLE && !b_valid_q && f_q == {F_W{1'b0}};

  assign tap_valid_o = emit;
  assign tap_col_o   = en_q_16;
  assign tap_chunk_o = ej_q_32[15:0];
  assign tap_data_o  = pk_q[N_OUT*8-1:0];
endmodule

`default_nettype wire
