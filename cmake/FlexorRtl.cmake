# SPDX-License-Identifier: Apache-2.0
# The RTL sources and the Verilator flags: the one definition that csim/, csim/systemc, testbench/ and
# synth/ use (each use adds only what is listed below), so a new rtl/ file or a flag change reaches all.
set(FX_RTL_DIR ${CMAKE_SOURCE_DIR}/rtl CACHE PATH "directory holding flexor_top.v and its modules")
if(NOT EXISTS ${FX_RTL_DIR}/flexor_top.v)
  message(FATAL_ERROR "${FX_RTL_DIR}/flexor_top.v not found (FX_RTL_DIR)")
endif()
file(GLOB FX_RTL_SRC CONFIGURE_DEPENDS ${FX_RTL_DIR}/*.v ${FX_RTL_DIR}/*.sv)
list(SORT FX_RTL_SRC)
# The same list as file names relative to rtl/, for synth (compiled in; an installed flexor finds the
# files under <prefix>/share/flexor/rtl).
set(FX_RTL_NAMES)
foreach(f ${FX_RTL_SRC})
  get_filename_component(n ${f} NAME)
  list(APPEND FX_RTL_NAMES ${n})
endforeach()

# Flags of every Verilated model (simulation, not lint: rtl_lint_verilator runs -Wall on its own):
# optimised; registers and memories start from Verilator's seedable X source (--x-initial unique), so
# a run can randomise them and replay a seed; assertions off; lint warnings are not the build's job.
set(FX_VL_FLAGS -O3 --x-initial unique --noassert -Wno-fatal -Wno-lint -Wno-style)
# Additions per use:
#   co-simulation (csim/, csim/systemc): --x-assign ${FX_RTL_XASSIGN} (default unique: X assignments
#     random per seed too; `fast` only for the measurements of docs/csim.md);
#   testbenches (testbench/): --binary --timing --x-assign fast -Wno-TIMESCALEMOD (the benches check
#     their own outputs for X; their timing constructs need --timing).
set(FX_RTL_XASSIGN "unique" CACHE STRING "Verilator --x-assign for the co-simulation model (fast or unique)")

# The same as a Verilator -f file (flags, include path, sources) for running Verilator by hand:
#   verilator -f build/generated/flexor_rtl.f --lint-only --top-module flexor_top
string(REPLACE ";" "\n" _f "${FX_VL_FLAGS};-I${FLEXOR_GEN_DIR};${FX_RTL_SRC}")
file(CONFIGURE OUTPUT ${FLEXOR_GEN_DIR}/flexor_rtl.f CONTENT "${_f}\n")
