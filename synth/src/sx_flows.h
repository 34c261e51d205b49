/* SPDX-License-Identifier: Apache-2.0 */
/* Running Yosys / nextpnr on one job and reading their results back. A job is a set of Verilog files
 * and a top module; each flow runs in its own directory WORK/JOB-FLOW so results never collide. */
#ifndef SX_FLOWS_H
#define SX_FLOWS_H
#include "sx_area.h"
#include "sx_config.h"

typedef struct {
    const char *name;  /* directory-safe job name */
    const char *top;   /* top module */
    const char *files; /* Verilog files, each double-quoted (Yosys syntax), space separated */
    const char *extra; /* Yosys commands after `hierarchy` (may be NULL) */
} sx_job;

#define SX_MAX_CAT 12
typedef struct {
    char name[32];
    sx_gates g;
    double mem_bits;
} sx_cat;

typedef struct {
    int ok;
    sx_gates total;   /* whole design, hierarchy expanded */
    double mem_bits;  /* inferred memories (SRAM macros) */
    double transistors;
    int transistors_partial; /* Yosys printed "N+": unknown cells (memories) not counted */
    int depth;        /* ltp length of the flattened netlist */
    int ncat;
    sx_cat cat[SX_MAX_CAT];
    char dir[1100];   /* job directory (netlist.v lives there) */
} sx_generic_res;

typedef struct {
    int ok;
    double lut4, carry, ff, ebr, dsp;
} sx_ice40_res;

typedef struct {
    int ok;
    double lut, ff, carry4, bram36, bram18, dsp, lutram;
} sx_xil_res;

typedef struct {
    int ok;      /* placed and routed */
    double fmax; /* MHz, worst clock after routing */
    double lc, ebr, io; /* used logic cells / EBR / IO from the report */
    char device[16];
} sx_pnr_res;

/* Module-name -> category rules (synth/categories.txt); loaded once. */
const char *sx_category(const char *module);

int sx_generic(const sx_cfg *c, const char *work, const sx_job *j, sx_generic_res *r);
int sx_ice40(const sx_cfg *c, const char *work, const sx_job *j, const char *device, sx_ice40_res *r);
int sx_xilinx(const sx_cfg *c, const char *work, const sx_job *j, sx_xil_res *r);
/* nextpnr-ice40 on the JSON netlist of a previous sx_ice40 run of the same job. */
int sx_pnr(const char *work, const sx_job *j, const char *device, double target_mhz, sx_pnr_res *r);
/* The Yosys version line ("Yosys 0.23 (git sha1 ...)"). */
const char *sx_yosys_version(void);
/* "rtl/ at <commit>" (+ " with local changes"), so a report names the RTL it measured. */
const char *sx_rtl_rev(void);
#endif
