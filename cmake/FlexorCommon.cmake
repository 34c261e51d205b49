# SPDX-License-Identifier: Apache-2.0
# Helpers shared by every part of the build.

# Compile and link a target with AddressSanitizer + UndefinedBehaviorSanitizer; any finding aborts.
function(flexor_sanitize tgt)
  target_compile_options(${tgt} PRIVATE -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -O1 -g)
  target_link_options(${tgt} PRIVATE -fsanitize=address,undefined)
endfunction()

# Our C++ files of a Verilated target (not Verilator's generated ones, which share the target): the C
# rule, -Wall -Wextra -Werror; Verilator's runtime headers count as system headers (their warnings are
# not ours).
function(flexor_cxx_warnings tgt)
  set_source_files_properties(${ARGN} PROPERTIES COMPILE_OPTIONS "-Wall;-Wextra;-Werror")
  target_include_directories(${tgt} SYSTEM PRIVATE ${VERILATOR_ROOT}/include ${VERILATOR_ROOT}/include/vltstd)
endfunction()

# flexor_add_test(NAME name COMMAND cmd... LABELS l1 l2 [TIMEOUT s] [WORKING_DIRECTORY d])
function(flexor_add_test)
  cmake_parse_arguments(T "" "NAME;TIMEOUT;WORKING_DIRECTORY" "COMMAND;LABELS" ${ARGN})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 600)
  endif()
  if(NOT T_WORKING_DIRECTORY)
    set(T_WORKING_DIRECTORY ${CMAKE_BINARY_DIR})
  endif()
  add_test(NAME ${T_NAME} COMMAND ${T_COMMAND} WORKING_DIRECTORY ${T_WORKING_DIRECTORY})
  set_tests_properties(${T_NAME} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
