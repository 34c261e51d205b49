#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Formal equivalence of flexor_decrypt_array's descriptions (Yosys SAT, the configuration of GEN_DIR).
#   decrypt_equiv.sh YOSYS SRC_ROOT GEN_DIR WORK            simulation description (read without
#       SYNTHESIS, what Verilator and Icarus run) = synthesis description (read as Yosys synthesises it)
#   decrypt_equiv.sh YOSYS SRC_ROOT GEN_DIR WORK COMMIT     the array of git COMMIT (read as synthesised)
#       = today's synthesis description
# Both sides keep the same previous-slice register (prev_q <= cur on en_i), so it is cut on both: prev_q
# becomes an input, cur an output, and the miter proves cur and bits_o equal for every sel code,
# straddle, o_m, stored slice and previous slice. Then a mutant of the synthesis description (operand 0
# of output 0 inverted) must fail the same proof. Exit 0 when both hold, 1 otherwise, 2 on bad use.
set -u
[ $# -eq 4 ] || [ $# -eq 5 ] || { echo "usage: decrypt_equiv.sh YOSYS SRC_ROOT GEN_DIR WORK [COMMIT]" >&2; exit 2; }
yosys=$1 root=$2 work=$4 commit=${5:-}
gen=$(cd "$3" && pwd) || exit 2
rtl=$root/rtl/flexor_decrypt_array.v
rm -rf "$work" && mkdir -p "$work" || exit 2
if [ -n "$commit" ]; then
  git -C "$root" show "$commit:rtl/flexor_decrypt_array.v" > "$work/gold_src.v" || exit 2
  gold_read="read_verilog"
else
  cp "$rtl" "$work/gold_src.v" || exit 2
  gold_read="read_verilog -nosynthesis"
fi
cut() {  # src dst module: the register becomes the input prev_x, cur leaves as cur_x; no reset port
  python3 - "$1" "$2" "$3" <<'P'
import sys
s = open(sys.argv[1]).read().replace("module flexor_decrypt_array", "module " + sys.argv[3])
i = s.index("  reg [N_OUT-1:0] prev_q;")
j = s.index("  end\n", s.index("prev_q <= cur", i)) + 6
s = s[:i] + "  wire [N_OUT-1:0] prev_q = prev_x;\n  assign cur_x = cur;\n" + s[j:]
s = s.replace("  input  wire             rst_ni,\n", "")
s = s.replace("  output wire [N_OUT-1:0] bits_o",
              "  input  wire [N_OUT-1:0] prev_x,\n  output wire [N_OUT-1:0] cur_x,\n  output wire [N_OUT-1:0] bits_o")
open(sys.argv[2], "w").write(s)
P
}
wrap() {  # wrapper module
  cat > "$work/w_$1.v" <<V
\`timescale 1ns / 1ps
module w_$1(sel_i, straddle_i, om_i, slice_i, prev_x, cur_x, bits_o);
\`include "flexor_config.vh"
  localparam integer SEL_W = \$clog2(FXC_N_IN_COUNT + 1);
  localparam integer OM_W  = (FXC_N_OUT > 1) ? \$clog2(FXC_N_OUT) : 1;
  input  wire [SEL_W-1:0]     sel_i;
  input  wire                 straddle_i;
  input  wire [OM_W-1:0]      om_i;
  input  wire [FXC_N_OUT-1:0] slice_i, prev_x;
  output wire [FXC_N_OUT-1:0] cur_x, bits_o;
  arr_$1 #(.N_OUT(FXC_N_OUT), .N_IN_COUNT(FXC_N_IN_COUNT), .N_IN_LIST(FXC_N_IN_LIST), .MXOR_ALL(FXC_MXOR_ALL),
    .SEL_W(SEL_W), .OM_W(OM_W)) u (.clk_i(1'b0), .en_i(1'b0), .sel_i(sel_i), .straddle_i(straddle_i), .om_i(om_i),
    .slice_i(slice_i), .prev_x(prev_x), .cur_x(cur_x), .bits_o(bits_o));
endmodule
V
}
prove() {  # gate-file log
  cat > "$work/eq.ys" <<Y
$gold_read -I$gen "$work/gold.v" "$work/w_gold.v"
read_verilog -I$gen "$1" "$work/w_gate.v"
hierarchy -check
proc
flatten
opt_clean
miter -equiv -flatten -make_assert w_gold w_gate miter
hierarchy -top miter
sat -verify -prove-asserts miter
Y
  (cd "$work" && "$yosys" -q -s eq.ys > "$2" 2>&1)
}
cut "$work/gold_src.v" "$work/gold.v" arr_gold || exit 2
cut "$rtl" "$work/gate.v" arr_gate || exit 2
wrap gold
wrap gate
what=${commit:+"$commit's array"}
what=${what:-"the simulation description"}
if prove "$work/gate.v" "$work/eq.log"; then
  echo "decrypt_equiv: $what = the synthesis description (cur and bits_o, every input)"
else
  echo "decrypt_equiv: $what differs from the synthesis description (or Yosys failed): $work/eq.log"; exit 1
fi
sed 's/op = operands(e, slice_i);/op = operands(e, slice_i) ^ 1;/' "$work/gate.v" > "$work/mutant.v"
grep -q "operands(e, slice_i) ^ 1" "$work/mutant.v" || { echo "decrypt_equiv: mutation site not found" >&2; exit 1; }
if prove "$work/mutant.v" "$work/mutant.log"; then echo "decrypt_equiv: the mutant was NOT caught"; exit 1; fi
echo "decrypt_equiv: mutant (operand 0 of output 0 inverted) caught"
