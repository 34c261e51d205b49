#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package flexor needs; idempotent, non-interactive, runs apt-get update at most once.
set -euo pipefail
pkgs=(build-essential cmake pkg-config clang libclang-rt-14-dev git
      verilator yosys iverilog libsystemc-dev zlib1g-dev libopenblas-dev libdnnl-dev
      nextpnr-ice40 fpga-icestorm dataset-fashion-mnist gnuplot-nox libcjson-dev python3 python3-numpy
      python3-pytest python3-pip python3-setuptools python3-torch)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
