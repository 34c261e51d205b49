// SPDX-License-Identifier: Apache-2.0
// flexor_cmd: command-stream parser (docs/accelerator.md "Commands"). Accepts one word per cycle on
// the in stream while parsing or loading, turns LOAD_W/P/A data words into memory writes (one word
// per cycle, no stall), collects the 8 RUN (or 11 RUNX) arguments, starts the RUN (flexor_argchk) and
// holds in_ready low until the RUN is done. Answers ID with two words on the out stream (interface version,
// config hash), in_ready low until both are taken. Owns the sticky error register (codes 1 and 6 here, 2..5 reported by the RUN).
`timescale 1ns / 1ps
`default_nettype none

module flexor_cmd #(
  parameter integer LANES      = 16,
  parameter integer P_WORDS    = 4,
  parameter integer A_WORDS    = 5,
  parameter integer WMEM_DEPTH = 8192,
  parameter integer PMEM_DEPTH = 256,
  parameter integer AMEM_DEPTH = 4096,
  parameter [31:0]  HASH       = 32'd0,  // configuration hash of this instance (FXC_HASH), ID word 1
  parameter integer LANE_IDX_W = (LANES > 1) ? $clog2(LANES) : 1
) (
  input  wire            clk_i,
  input  wire            rst_ni,
  input  wire            in_valid_i,
  output wire            in_ready_o,
  input  wire [31:0]     in_data_i,
  // memory writes (data is in_data_i; one write per accepted data word)
  output wire            wm_we_o,      // weight memory of lane mem_lane_o, word mem_addr_o
  output wire            pm_we_o,      // parameter memory of lane mem_lane_o, entry mem_addr_o, word pm_word_o
  output wire            am_we_o,      // activation buffer am_buf_o, chunk mem_addr_o, word pm_word_o
  output wire [LANE_IDX_W-1:0]   mem_lane_o,
  output wire            am_buf_o,
  output wire [31:0]     mem_addr_o,
  output wire [7:0]      pm_word_o,
  // RUN
  output reg             run_start_o,  // one-cycle pulse; run_args_o and run_x_o stable until run_done_i
  // K, M, N, flags, w_base, p_base, a_src_base, a_dst_base, then (RUNX) C, in_hw, kernel, out_hw; RUNX
  // has no N word: its words 2.. land in slots 3.. and slot 2 is 0
  output reg  [12*32-1:0] run_args_o,
  output reg             run_x_o,      // the command is RUNX (interface 1.2)
  input  wire            run_done_i,
  input  wire            run_err_i,    // with run_done_i: the RUN was refused
  input  wire [7:0]      run_err_code_i,
  output wire            running_o,    // inside a RUN command
  output wire            clear_cnt_o,  // CLEAR_COUNTERS
  // ID reply (muxed onto the out stream by the top; no RUN streams while it is pending)
  output wire            id_valid_o,
  input  wire            id_ready_i,
  output wire [31:0]     id_data_o,
  output wire            id_last_o,
  output wire            busy_o,
  output reg             err_o,
  output reg  [7:0]      err_code_o
);
  localparam [7:0] OP_LOAD_W = 8'h01, OP_LOAD_P = 8'h02, OP_LOAD_A = 8'h03, OP_RUN = 8'h04,
                   OP_CLEAR  = 8'h05, OP_ID = 8'h06, OP_RUNX = 8'h07;
  localparam [2:0] S_OP = 3'd0, S_ADDR = 3'd1, S_COUNT = 3'd2, S_DATA = 3'd3, S_ARGS = 3'd4,
                   S_RUN = 3'd5, S_ID = 3'd6;
  // ID word 0: "FX", interface version 1.2 (docs/accelerator.md); word 1: HASH.
  localparam [31:0] ID_WORD0 = {16'h4658, 8'd1, 8'd2};

  reg  [2:0]  state_q;
  reg  [7:0]  op_q;
  reg  [23:0] tgt_q;
  reg  [31:0] addr_q, cnt_q;
  reg  [7:0]  sub_q;      // word inside the current entry
  reg         drop_q;     // LOAD refused: consume and drop the data words
  reg  [3:0]  argi_q;

  wire fire   = in_valid_i && in_ready_o;
  // RUNX word i (no N word) goes to the RUN layout's slot i, or i + 1 from its flags word on.
  wire [3:0] arg_slot = (run_x_o && argi_q >= 4'd2) ? argi_q + 4'd1 : argi_q;
  wire [7:0] op_in = in_data_i[31:24];

  // Words per entry and the memory limits of the current LOAD.
  reg  [7:0]  words;
  reg  [31:0] depth, ntgt;
  always @* begin
    case (op_q)
      OP_LOAD_P: begin words = P_WORDS[7:0]; depth = PMEM_DEPTH; ntgt = LANES; end
      OP_LOAD_A: begin words = A_WORDS[7:0]; depth = AMEM_DEPTH; ntgt = 32'd2; end
      default:   begin words = 8'd1;         depth = WMEM_DEPTH; ntgt = LANES; end
    endcase
  end
  // Refused when the target does not exist or any entry addr..addr+count-1 is outside the memory.
  wire load_bad = ({8'd0, tgt_q} >= ntgt) || ({1'b0, addr_q} + {1'b0, in_data_i} > {1'b0, depth});

  reg       err_set;
  reg [7:0] err_set_code;

  always @(posedge clk_i) begin
    if (!rst_ni) begin
      state_q     <= S_OP;
      op_q        <= 8'd0;
      tgt_q       <= 24'd0;
      addr_q      <= 32'd0;
      cnt_q       <= 32'd0;
      sub_q       <= 8'd0;
      drop_q      <= 1'b0;
      argi_q      <= 4'd0;
      run_start_o <= 1'b0;
      run_args_o  <= {12*32{1'b0}};
      run_x_o     <= 1'b0;
    end else begin
      run_start_o <= 1'b0;
      case (state_q)
        S_OP: if (fire) begin
          op_q  <= op_in;
          tgt_q <= in_data_i[23:0];
          argi_q <= 4'd0;
          case (op_in)
            OP_LOAD_W, OP_LOAD_P, OP_LOAD_A: state_q <= S_ADDR;
            OP_RUN, OP_RUNX:                 begin
              state_q    <= S_ARGS;
              run_x_o    <= op_in == OP_RUNX;
              run_args_o <= {12*32{1'b0}};
            end
            OP_ID:                           begin state_q <= S_ID; sub_q <= 8'd0; end
            default:                         state_q <= S_OP;  // CLEAR_COUNTERS or unknown
          endcase
        end
        S_ADDR: if (fire) begin
          addr_q  <= in_data_i;
          state_q <= S_COUNT;
        end
        S_COUNT: if (fire) begin
          cnt_q   <= in_data_i;
          sub_q   <= 8'd0;
          drop_q  <= load_bad;
          state_q <= (in_data_i == 32'd0) ? S_OP : S_DATA;
        end
        S_DATA: if (fire) begin
          if (sub_q == words - 8'd1) begin
            sub_q  <= 8'd0;
            addr_q <= addr_q + 32'd1;
            cnt_q  <= cnt_q - 32'd1;
            if (cnt_q == 32'd1) state_q <= S_OP;
          end else begin
            sub_q <= sub_q + 8'd1;
          end
        end
        S_ARGS: if (fire) begin
          run_args_o[arg_slot*32 +: 32] <= in_data_i;
          argi_q <= argi_q + 4'd1;
          if (argi_q == (run_x_o ? 4'd10 : 4'd7)) begin
            state_q     <= S_RUN;
            run_start_o <= 1'b1;
          end
        end
        S_RUN: if (run_done_i) state_q <= S_OP;
        S_ID: if (id_ready_i) begin
          sub_q <= 8'd1;
          if (sub_q[0]) state_q <= S_OP;
        end
        default: state_q <= S_OP;
      endcase
    end
  end

  // Sticky first error.
  always @* begin
    err_set      = 1'b0;
    err_set_code = 8'd0;
    if (state_q == S_OP && fire && (op_in == 8'd0 || op_in > OP_RUNX)) begin
      err_set = 1'b1; err_set_code = 8'd1;
    end else if (state_q == S_COUNT && fire && load_bad) begin
      err_set = 1'b1; err_set_code = 8'd6;
    end else if (state_q == S_RUN && run_done_i && run_err_i) begin
      err_set = 1'b1; err_set_code = run_err_code_i;
    end
  end
  always @(posedge clk_i) begin
    if (!rst_ni) begin
      err_o      <= 1'b0;
      err_code_o <= 8'd0;
    end else if (err_set && !err_o) begin
      err_o      <= 1'b1;
      err_code_o <= err_set_code;
    end
  end

  wire data_we = state_q == S_DATA && fire && !drop_q;
  assign wm_we_o     = data_we && op_q == OP_LOAD_W;
  assign pm_we_o     = data_we && op_q == OP_LOAD_P;
  assign am_we_o     = data_we && op_q == OP_LOAD_A;
  assign mem_lane_o  = tgt_q[LANE_IDX_W-1:0];
  assign am_buf_o    = tgt_q[0];
  assign mem_addr_o  = addr_q;
  assign pm_word_o   = sub_q;
  assign in_ready_o  = state_q != S_RUN && state_q != S_ID;
  assign running_o   = state_q == S_RUN;
  assign clear_cnt_o = state_q == S_OP && fire && op_in == OP_CLEAR;
  assign busy_o      = state_q != S_OP;
  assign id_valid_o  = state_q == S_ID;
  assign id_data_o   = sub_q[0] ? HASH : ID_WORD0;
  assign id_last_o   = sub_q[0];
endmodule

`default_nettype wire
