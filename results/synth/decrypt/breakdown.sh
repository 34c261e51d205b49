#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Area breakdown of one lane's flexor_decrypt_array (default configuration), through the project's
# generic flow (synth/scripts/generic.ys), flattened. Usage, from the repository root after a build:
#   results/synth/decrypt/breakdown.sh [RTL_FILE]   (default rtl/flexor_decrypt_array.v)
# Each variant ties some inputs of the array to constants, so Yosys removes what they switch off:
#   full         every input free (what the engine instantiates, per lane)
#   net+select   straddle off: the N_in selection and the XOR network(s), no realignment
#   one network  N_in = 16 fixed, straddle off: one M-xor network
#   realign      bypass (no network), straddle free: previous-slice register + realignment
# Prints NAND2-equivalents (docs/synth.md weights) and the generic cell counts.
set -eu
root=$(pwd)
rtl=${1:-$root/rtl/flexor_decrypt_array.v}
case $rtl in /*) ;; *) rtl=$root/$rtl ;; esac
gen=${GEN:-$root/build/generated}  # GEN=DIR: another configuration's flexor-gencfg output
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# rst_ni is connected (a free input, as in the engine) only when the array under test has the port
# (the array before e6a9e26's successor had it)
rst=""; grep -q "rst_ni" "$rtl" && rst=".rst_ni, "
variant() {  # name sel straddle
  mkdir "$work/$1"
  cat > "$work/$1/w.v" <<V
\`timescale 1ns / 1ps
module w(input wire clk_i, input wire rst_ni, input wire en_i, input wire [2:0] sel_i, input wire straddle_i, input wire [4:0] om_i,
  input wire [19:0] slice_i, output wire [19:0] bits_o);
\`include "flexor_config.vh"
  flexor_decrypt_array #(.N_OUT(FXC_N_OUT), .N_IN_COUNT(FXC_N_IN_COUNT), .N_IN_LIST(FXC_N_IN_LIST),
    .MXOR_ALL(FXC_MXOR_ALL), .SEL_W(3), .OM_W(5)) u (.clk_i, ${rst}.en_i, .sel_i($2), .straddle_i($3), .om_i,
    .slice_i, .bits_o);
endmodule
V
  { echo "read_verilog -I$gen \"$work/$1/w.v\" \"$rtl\""; echo "hierarchy -top w"; echo "flatten"
    cat "$root/synth/scripts/generic.ys"; } > "$work/$1/run.ys"
  (cd "$work/$1" && yosys -q -s run.ys > log.txt 2>&1)
  python3 - "$1" "$work/$1/stat.json" <<'P'
import json, sys
# Yosys 0.23 may print text lines into stat -json output; keep the JSON ones (as synth/src/sx_json.c does)
lines = [l for l in open(sys.argv[2]).read().splitlines() if l.strip() and l.lstrip()[0] in '{}[]"0123456789-,']
cells = json.loads("\n".join(lines))["design"]["num_cells_by_type"]
weight = {"$_NOT_": 0.667, "$_BUF_": 1, "$_NAND_": 1, "$_NOR_": 1, "$_AND_": 1.333, "$_OR_": 1.333,
          "$_XOR_": 2, "$_XNOR_": 2, "$_MUX_": 2.333, "$_DFF_P_": 5.667}
print("%-12s %7.1f  %s" % (sys.argv[1], sum(weight[k] * n for k, n in cells.items()),
                           " ".join("%s=%d" % (k.strip("$_"), n) for k, n in sorted(cells.items()))))
P
}
echo "$rtl"
variant full sel_i straddle_i
variant net+select sel_i "1'b0"
variant one-network "3'd1" "1'b0"
variant realign "3'd4" straddle_i
