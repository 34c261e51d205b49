/* SPDX-License-Identifier: Apache-2.0 */
/* One configuration's synthesis results and how they are produced / reported. */
#ifndef SX_SYNTH_H
#define SX_SYNTH_H
#include "sx_flows.h"

enum {
    SX_STEP_DEC = 1,      /* generic flow: hardwired decryptor per N_in */
    SX_STEP_PROVE = 2,    /* equivalence proof of every hardwired decryptor (+ broken-matrix check) */
    SX_STEP_DEC_FPGA = 4, /* iCE40 + Xilinx LUTs of the decryptors */
    SX_STEP_ENGINE = 8,   /* generic flow of the whole engine (flexor_top), per-module breakdown */
    SX_STEP_ENG_XIL = 16, /* synth_xilinx of the engine */
    SX_STEP_PNR = 32,     /* iCE40 synthesis + nextpnr place-and-route of the engine (Fmax) */
    SX_STEP_PROG = 64,    /* generic flow: programmable decryptor (registers + network, network alone) */
    SX_STEP_ALL = 127
};

typedef struct {
    unsigned n_in;
    sx_generic_res dec, prog, net; /* hardwired; programmable (registers + net); net alone */
    sx_ice40_res dec_ice, prog_ice;
    sx_xil_res dec_xil, prog_xil;
    int proof;  /* 1 proven equal, 0 counterexample, -1 not run / failed */
    int broken; /* 1 a broken matrix was caught, 0 it was not, -1 not run */
    int proof_arr; /* the same proof for flexor_decrypt_array (the engine's instance, FXC_MXOR_ALL) */
} sx_dec_row;

typedef struct {
    char job[32], what[96];
    sx_ice40_res ice;
    int fits;       /* within the device's logic cells and EBRs */
    sx_pnr_res pnr; /* ok = 0 when not placed (does not fit) */
} sx_fpga;

typedef struct {
    sx_cfg cfg;
    unsigned steps;
    sx_dec_row dec[FX_MAX_NIN_SET];
    int have_engine;
    char engine_top[64];
    sx_generic_res eng;
    sx_xil_res eng_xil;
    char fpga_device[16];
    int n_fpga;
    sx_fpga fpga[3]; /* engine (serial wrapper), one lane (scan wrapper), the decryptor lanes */
    double seconds;
} sx_result;

/* Generates the config and runs the selected steps into out/ (decryptor steps only for N_in = only_n_in
 * when it is not 0). Returns 0, 1 when a proof failed or a
 * broken matrix was not caught, 2 on bad input or a tool failure. */
int sx_synth_config(const char *cfgname, const char *out, unsigned steps, const char *device, double freq,
                    unsigned only_n_in, sx_result *r);
/* report.json / report.md in out/. */
int sx_write_reports(const sx_result *r, const char *out);

/* Derived figures shared by the report, the sweep and the baselines. */
/* The decryption path (flexor_decrypt_array: XOR networks, N_in select, straddle realign) / engine logic */
double sx_dec_share_logic(const sx_result *r);
/* The engine's XOR networks: the XOR2/XNOR2 gates of its decrypt category (flexor_decrypt_array selects
 * the N_in before the XOR: one network per lane; the rest of the category is operand selection and
 * realignment). 0 without an engine run. */
double sx_dec_networks_n2eq(const sx_result *r);
double sx_logic_um2(const sx_generic_res *g);
double sx_sram_um2(const sx_generic_res *g);
const sx_cat *sx_find_cat(const sx_generic_res *g, const char *name);
/* Engine NAND2-eq with only the decryptor of row d (hardwired, or programmable with the matrix
 * registers shared by all lanes), i.e. an engine built for that one ratio. */
double sx_engine_one_ratio(const sx_result *r, const sx_dec_row *d, int prog, double *dec_part);
#endif
