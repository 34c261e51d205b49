#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Output files respect their target and inputs are checked before use, through the CLI:
#  - `infer --csv` to a character device (a null and a full one), a FIFO, a symlink, a missing folder;
#  - `train --out` into a missing folder fails before training, naming the target;
#  - `inspect` of a device fails at once; a model of 65,536 classes gives bounded output;
#  - a dataset label >= 10, a test set of 0 images: one line, exit 2.
# Usage: test_outputs.sh FLEXOR GENMODEL SCRATCH
set -u
flexor=$1; genmodel=$2; t=$3
rm -rf "$t"; mkdir -p "$t"
fail() { echo "FAIL: $*"; exit 1; }
# Bounded memory and time, so that a regression (or the old code) cannot eat the machine; an ASan
# binary reserves terabytes of address space, so it only gets the time limit.
asan=0; grep -qa __asan_init "$flexor" && asan=1
limited() { local kb=$1; shift; if [ $asan = 1 ]; then timeout 60 "$@"; else (ulimit -v "$kb"; timeout 60 "$@"); fi; }
one_line() { [ "$(wc -l < "$1")" -eq 1 ] || { cat "$1"; fail "$2: stderr is not one line"; }; }

# IDX files: mkidx DIR SPLIT N LABEL (every label LABEL, black 28x28 images)
be32() { printf "\\x$(printf %02x $(($1 >> 24 & 255)))\\x$(printf %02x $(($1 >> 16 & 255)))\\x$(printf %02x $(($1 >> 8 & 255)))\\x$(printf %02x $(($1 & 255)))"; }
mkidx() {
  mkdir -p "$1"
  { be32 2051; be32 "$3"; be32 28; be32 28; head -c $(($3 * 784)) /dev/zero; } > "$1/$2-images-idx3-ubyte"
  local labels="" x i
  for ((i = 0; i < $3; i++)); do printf -v x '\\x%02x' $(($4 >= 0 ? $4 : i % 10)); labels+=$x; done
  { be32 2049; be32 "$3"; printf "$labels"; } > "$1/$2-labels-idx1-ubyte"
}
mkidx "$t/good" train 200 -1; mkidx "$t/good" t10k 20 -1
"$genmodel" mlp "$t/m.fxm" > /dev/null || fail "genmodel"

# Devices: as root, copies made with mknod here, so that a writer that replaces its target cannot
# replace the machine's /dev/null or /dev/full (root may rename over them).
null=/dev/null; full=/dev/full
if [ "$(id -u)" = 0 ] && mknod "$t/null" c 1 3 && mknod "$t/full" c 1 7; then null=$t/null; full=$t/full; fi
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv "$null" > /dev/null 2> "$t/e" || { cat "$t/e"; fail "--csv $null failed"; }
[ -c "$null" ] || fail "--csv $null replaced the device"
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv "$full" > /dev/null 2> "$t/e"
[ $? -eq 2 ] || fail "--csv $full did not exit 2 (ENOSPC ignored)"
one_line "$t/e" "--csv $full"
grep -q "^flexor infer: $full: cannot write: No space left on device$" "$t/e" || { cat "$t/e"; fail "ENOSPC message"; }
[ -c "$full" ] || fail "--csv $full replaced the device"

# A FIFO is written through (a reader on the other end), and stays a FIFO.
mkfifo "$t/fifo"
cat "$t/fifo" > "$t/from-fifo" & reader=$!
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv "$t/fifo" > /dev/null 2> "$t/e" || { cat "$t/e"; fail "--csv FIFO failed"; }
wait $reader
[ -p "$t/fifo" ] || fail "the FIFO was replaced"
grep -q '^model,split,images' "$t/from-fifo" || fail "the reader got no CSV"

# A symlink stays a link; the file it points to gets the CSV.
ln -s real.csv "$t/link.csv"
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv "$t/link.csv" > /dev/null 2> "$t/e" || { cat "$t/e"; fail "--csv symlink"; }
[ -L "$t/link.csv" ] || fail "the symlink was replaced"
grep -q ',t10k,20,' "$t/real.csv" || fail "the link's target was not written"
ls -a "$t" | grep -q '\.tmp\.' && fail "a temp file was left behind"

# /dev/stdout, redirected to a file or a pipe: the CSV follows the summary (it once replaced the
# redirected file, or failed on "pipe:[N]").
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv /dev/stdout > "$t/so" 2> "$t/e" || { cat "$t/e"; fail "--csv /dev/stdout"; }
grep -q '^accuracy' "$t/so" && grep -q '^model,split' "$t/so" || { cat "$t/so"; fail "/dev/stdout to a file"; }
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv /dev/stdout 2> "$t/e" | cat > "$t/sp"
grep -q '^accuracy' "$t/sp" && grep -q '^model,split' "$t/sp" || { cat "$t/e" "$t/sp"; fail "/dev/stdout to a pipe"; }

# A missing folder: one line naming the target, before any work.
"$flexor" infer "$t/m.fxm" --data "$t/good" --csv "$t/no/dir/x.csv" > "$t/o" 2> "$t/e"
[ $? -eq 2 ] || fail "--csv into a missing folder did not exit 2"
one_line "$t/e" "--csv missing folder"
grep -q "$t/no/dir/x.csv: cannot write" "$t/e" || { cat "$t/e"; fail "message does not name the target"; }
grep -q accuracy "$t/o" && fail "infer ran before noticing the unwritable --csv"

# flexor train --out into a missing folder: noticed before the first epoch.
"$flexor" train --epochs 1 --data "$t/good" --out "$t/no/dir/m.fxm" > "$t/o" 2> "$t/e"
[ $? -eq 2 ] || { cat "$t/e"; fail "train --out into a missing folder did not exit 2"; }
one_line "$t/e" "train --out missing folder"
grep -q "^flexor train: $t/no/dir/m.fxm: cannot write: No such file or directory$" "$t/e" || { cat "$t/e"; fail "train message"; }

# A label out of range (12 with 10 classes): refused before training (was a heap overflow).
mkidx "$t/badlab" train 200 12; mkidx "$t/badlab" t10k 20 -1
"$flexor" train --epochs 1 --data "$t/badlab" --out "$t/bl.fxm" > /dev/null 2> "$t/e"
[ $? -eq 2 ] || { cat "$t/e"; fail "a label of 12 was not refused"; }
one_line "$t/e" "label 12"
grep -q "label 12 out of range" "$t/e" || { cat "$t/e"; fail "label message"; }
[ -e "$t/bl.fxm" ] && fail "a model was written from out-of-range labels"
mkidx "$t/badlab2" t10k 20 12
"$flexor" infer "$t/m.fxm" --data "$t/badlab2" > /dev/null 2> "$t/e"
[ $? -eq 2 ] && grep -q "labels up to 12 but the model has 10 classes" "$t/e" || { cat "$t/e"; fail "infer: label 12"; }

# A test set of 0 images: refused, not "0.00 %".
mkidx "$t/empty" t10k 0 -1
"$flexor" infer "$t/m.fxm" --data "$t/empty" > "$t/o" 2> "$t/e"
[ $? -eq 2 ] || { cat "$t/o" "$t/e"; fail "0 test images not refused"; }
one_line "$t/e" "0 images"
grep -q "no images" "$t/e" || { cat "$t/e"; fail "0 images message"; }

# A device as a model file: refused at once, without reading it (ulimit: the old reader ate memory).
limited 2000000 "$flexor" inspect /dev/zero > /dev/null 2> "$t/e"
[ $? -eq 2 ] || fail "inspect /dev/zero did not exit 2"
one_line "$t/e" "inspect /dev/zero"
grep -q "^flexor inspect: /dev/zero: not a regular file$" "$t/e" || { cat "$t/e"; fail "inspect /dev/zero message"; }
truncate -s 5G "$t/huge.fxm" # sparse: no disk used
limited 2000000 "$flexor" inspect "$t/huge.fxm" > /dev/null 2> "$t/e"
[ $? -eq 2 ] || fail "inspect of a 5 GiB file did not exit 2"
grep -q "huge.fxm: 5368709120 bytes, more than a model file can hold" "$t/e" || { cat "$t/e"; fail "5 GiB message"; }

# 65,536 classes: valid, and infer's output stays small (the confusion matrix had 2^32 cells).
"$genmodel" wide "$t/wide.fxm" > /dev/null || fail "genmodel wide"
limited 4000000 "$flexor" infer "$t/wide.fxm" --data "$t/good" --limit 2 2> "$t/e" | head -c 100000 > "$t/o"
[ "${PIPESTATUS[0]}" -eq 0 ] || { cat "$t/e"; fail "infer of a 65,536-class model failed"; }
[ "$(wc -c < "$t/o")" -lt 2000 ] || fail "infer printed $(wc -c < "$t/o") bytes for 65,536 classes"
grep -q "confusion matrix: not printed for 65536 classes" "$t/o" || { cat "$t/o"; fail "no note for the omitted matrix"; }

rm -rf "$t"
echo "PASS: output targets respected, inputs checked"
