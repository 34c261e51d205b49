# SPDX-License-Identifier: Apache-2.0
# Every RTL block rtl/flexor_<stem>.v has a C twin sw/src/accel/<stem>.c (the command-level C model, one
# file per block), and every C file there is the twin of an RTL block, so a mismatch at a block points at
# both files (docs/rtl.md "Blocks"). Fails with one line naming each missing twin.
#   cmake -DSRC=<source dir> -DWORK=<scratch dir> -P check_c_twins.cmake
# The check first runs on made-up trees in WORK to show that it catches a missing twin either way.
cmake_minimum_required(VERSION 3.25)

# Sets out to "" when src's twins match, else to one line naming the missing twins.
function(twin_problems src out)
  file(GLOB rtl RELATIVE ${src}/rtl ${src}/rtl/flexor_*.v ${src}/rtl/flexor_*.sv)
  file(GLOB model RELATIVE ${src}/sw/src/accel ${src}/sw/src/accel/*.c)
  set(bad "")
  foreach(f ${rtl})
    string(REGEX REPLACE "^flexor_(.*)\\.s?v$" "\\1" stem ${f})
    if(NOT "${stem}.c" IN_LIST model)
      list(APPEND bad "rtl/${f} has no C twin sw/src/accel/${stem}.c")
    endif()
  endforeach()
  foreach(f ${model})
    string(REGEX REPLACE "\\.c$" "" stem ${f})
    if(NOT EXISTS ${src}/rtl/flexor_${stem}.v AND NOT EXISTS ${src}/rtl/flexor_${stem}.sv)
      list(APPEND bad "sw/src/accel/${f} has no RTL twin rtl/flexor_${stem}.v")
    endif()
  endforeach()
  list(JOIN bad "; " bad)
  set(${out} "${bad}" PARENT_SCOPE)
endfunction()

# A made-up tree with the given RTL stems and C stems; check that twin_problems reports `want`.
function(expect_problems name rtl_stems c_stems want)
  set(t ${WORK}/${name})
  file(REMOVE_RECURSE ${t})
  file(MAKE_DIRECTORY ${t}/rtl ${t}/sw/src/accel)
  foreach(s ${rtl_stems})
    file(WRITE ${t}/rtl/flexor_${s}.v "")
  endforeach()
  foreach(s ${c_stems})
    file(WRITE ${t}/sw/src/accel/${s}.c "")
  endforeach()
  file(WRITE ${t}/sw/src/accel/accel.h "")
  twin_problems(${t} got)
  if(NOT got STREQUAL want)
    message(FATAL_ERROR "self-test ${name}: got '${got}', expected '${want}'")
  endif()
endfunction()

expect_problems(match "top;lane;seq" "top;lane;seq" "")
expect_problems(no_c "top;lane" "top" "rtl/flexor_lane.v has no C twin sw/src/accel/lane.c")
expect_problems(no_rtl "top" "top;extra" "sw/src/accel/extra.c has no RTL twin rtl/flexor_extra.v")

twin_problems(${SRC} problems)
if(problems)
  message(FATAL_ERROR "${problems}")
endif()
