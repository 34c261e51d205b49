# SPDX-License-Identifier: Apache-2.0
# Run at build time (cmake -P): the build id of the sources (sw/gen/flexor_buildid.c) plus the git
# commit for information. Args: TOOL OUT LIST RTL SRC.
execute_process(COMMAND git -C ${SRC} describe --always --dirty --abbrev=12
                OUTPUT_VARIABLE commit OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET RESULT_VARIABLE rc)
if(NOT rc EQUAL 0 OR commit STREQUAL "")
  set(commit "unknown")
endif()
execute_process(COMMAND ${TOOL} ${OUT} ${LIST} ${RTL} ${commit} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "flexor-buildid failed (exit ${rc})")
endif()
