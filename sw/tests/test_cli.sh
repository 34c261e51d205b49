#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# One CLI discipline (docs/cli.md): every subcommand takes --help and -h (usage on stdout, exit 0); an
# unknown option, a missing value or a bad number is one line "flexor CMD: ... (flexor CMD --help)" on
# stderr and exit 2, never usage text, never a silently misread value; one vocabulary (--images,
# --train-images, --config NAME|PATH) with the old spellings as aliases.
# Usage: test_cli.sh FLEXOR FLEXOR-GENMODEL SCRATCH
set -u
flexor=$1; gen=$2; t=$3
rm -rf "$t"; mkdir -p "$t"; cd "$t" || exit 2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
cmds=$("$flexor" --help | awk '/^commands:/{on=1; next} on && NF {print $1}')
[ -n "$cmds" ] || { echo "FAIL: flexor --help lists no commands"; exit 1; }
for c in $cmds; do
  for h in --help -h; do
    "$flexor" $c $h > out 2> err; rc=$?
    [ $rc -eq 0 ] && grep -q "^usage: flexor $c" out && [ ! -s err ] || bad "flexor $c $h: exit $rc, stdout must start with the usage, stderr empty"
  done
done
# one-line errors: "flexor CMD: ..." ending with the --help hint
expect2() {
  local c=$1; shift
  "$flexor" "$@" > out 2> err; rc=$?
  if [ $rc -ne 2 ] || [ "$(wc -l < err)" -ne 1 ] || ! grep -q "^flexor $c: .*(flexor $c --help)\$" err; then
    bad "flexor $*: exit $rc, stderr: $(head -c 300 err)"
  fi
}
for c in $cmds; do
  expect2 $c $c --no-such-option
done
expect2 run run --epochs 5x
expect2 run run --images 1e3
expect2 run run --limit x
expect2 run run --epochs 4294967297
expect2 run run --model vgg
expect2 run run --net vgg
expect2 run run --net conv8k3,relu,mp3,fc10
expect2 run run --net conv8k3s2p1,relu,fc10,relu
expect2 run run --epochs
expect2 infer infer m.fxm --limit 1e3
expect2 infer infer m.fxm --threads 0
expect2 infer infer m.fxm --limit -1
expect2 infer infer
expect2 inspect inspect
expect2 cosim cosim m.fxm --limit 1e3
expect2 cosim cosim m.fxm --seed -1
expect2 cosim cosim m.fxm --stall 1
expect2 cosim cosim m.fxm --watchdog 0
expect2 regress regress --kmax 4294967296
expect2 regress regress --layers 0
expect2 regress regress --errors 101
expect2 train train --epochs 5x
expect2 train train --seed 1.5
expect2 train train --lr nan
expect2 sweep sweep --epochs-mlp 1e3
expect2 sweep sweep --models mlp,,lenet --out sweep_bad
expect2 sweep sweep --settings 0.8, --out sweep_bad
expect2 sweep-hw sweep-hw --images 0
expect2 sweep-hw sweep --hw --settings 0.8,,0.6
expect2 sweep-hw sweep-hw --models mlp,mlp,mlp,mlp,mlp
expect2 sweep-hw sweep-hw --nets mlp,mlp
expect2 sweep-hw sweep-hw --nets /nonexistent/x.net
expect2 sweep-hw sweep-hw --nets mlp,resnet20
expect2 sweep sweep --epochs-mlp 2 --hw
"$flexor" sweep --hw --help > out 2> err && grep -q "^usage: flexor sweep-hw" out || bad "the alias sweep --hw --help"
expect2 bench bench --batch 0
expect2 synth synth --freq 0
expect2 synth synth --n-in 33
expect2 synth synth --steps dec,bogus
expect2 stage stage x --record d -- infer
for m in random:mlp:abc random:mlp:1:bogus random::1 random:mlp:1:straddle:x; do
  "$flexor" cosim "$m" --random-images --limit 1 > out 2> err; rc=$?
  [ $rc -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'expected random:ARCH' err || bad "flexor cosim $m: exit $rc, $(head -c 200 err)"
done
# the vocabulary: the same name for the same concept in every subcommand, old spellings kept as aliases
"$gen" mlp m.fxm --seed 3 > /dev/null || bad "genmodel"
for o in --images --limit; do
  "$flexor" cosim random:mlp --random-images $o 2 --quiet --json c$o.json > /dev/null 2>&1 || bad "cosim $o 2 failed"
  grep -q '"images":[[:space:]]*2,' c$o.json || bad "cosim $o 2 did not run 2 images"
done
for c in default "$(dirname "$0")/../../rtl/config/default.cfg"; do
  "$flexor" inspect --config "$c" m.fxm > out 2> err || bad "inspect --config $c: $(head -c 200 err)"
done
"$flexor" inspect --config no_such_config m.fxm > out 2> err
[ $? -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q 'config/no_such_config.cfg' err || bad "inspect --config NAME of no file: $(head -c 200 err)"
for h in "train --help" "run --help" "sweep --help"; do
  "$flexor" $h | grep -q -- '--train-images' || bad "flexor $h does not name --train-images"
done
"$flexor" > out 2> err; rc=$?
[ $rc -eq 2 ] && [ "$(wc -l < err)" -eq 1 ] || bad "flexor with no command: exit $rc, $(wc -l < err) lines"
[ $fail -eq 0 ] && echo "PASS: $(echo $cmds | wc -w) subcommands: --help, -h, one-line errors"
exit $fail
