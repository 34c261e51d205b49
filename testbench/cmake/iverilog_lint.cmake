# SPDX-License-Identifier: Apache-2.0
# Icarus lint of the RTL: elaborate flexor_top with -Wall; any warning or error fails.
string(REPLACE "|" ";" SRC "${SRC}")
execute_process(COMMAND ${IVERILOG} -g2005 -Wall -I${GEN} -s flexor_top -o ${OUT} ${SRC}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
message("${out}")
if(NOT rc EQUAL 0 OR out MATCHES "warning|error")
  message(FATAL_ERROR "iverilog lint failed")
endif()
