# SPDX-License-Identifier: Apache-2.0
# Every source file carries an SPDX licence line (cmake -DSRC=<source dir> -P cmake/check_spdx.cmake).
set(missing "")
foreach(dir sw trainer csim rtl testbench synth cmake .ci)
  file(GLOB_RECURSE files LIST_DIRECTORIES false ${SRC}/${dir}/*.c ${SRC}/${dir}/*.h ${SRC}/${dir}/*.cpp
       ${SRC}/${dir}/*.v ${SRC}/${dir}/*.sv ${SRC}/${dir}/*.sh ${SRC}/${dir}/*.py ${SRC}/${dir}/*.cmake
       ${SRC}/${dir}/*.ys ${SRC}/${dir}/*.cfg ${SRC}/${dir}/CMakeLists.txt)
  list(FILTER files EXCLUDE REGEX "/results/")
  foreach(f ${files})
    file(STRINGS ${f} head LIMIT_COUNT 3)
    if(NOT head MATCHES "SPDX-License-Identifier: Apache-2.0")
      list(APPEND missing ${f})
    endif()
  endforeach()
endforeach()
if(missing)
  string(REPLACE ";" "\n  " m "${missing}")
  message(FATAL_ERROR "source files without an SPDX-License-Identifier line in their first three lines:\n  ${m}")
endif()
