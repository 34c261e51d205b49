/* SPDX-License-Identifier: Apache-2.0 */
/* Area models: NAND2-equivalents per generic gate, the SRAM bit-cell, and the FleXOR weight-memory
 * model of the two reference networks (docs/synth.md states every number and its source). */
#ifndef SX_AREA_H
#define SX_AREA_H
#include "sx_json.h"

/* NAND2_X1 area of the NanGate FreePDK45 Open Cell Library (µm²): 1 NAND2-eq. */
#define SX_NAND2_UM2 0.798
/* 6T SRAM bit cell, Intel 45 nm high-k/metal-gate (Mistry et al., IEDM 2007): 0.346 µm². */
#define SX_SRAM_BIT_UM2 0.346
/* iCE40 embedded block RAM: 4 kbit (SB_RAM40_4K). */
#define SX_EBR_BITS 4096

/* NAND2-eq weight of a Yosys generic cell type, or -1 when the type has none (unmapped). */
double sx_nand2_weight(const char *celltype);
/* The weight table, for reports: returns the number of rows and fills names/weights. */
int sx_nand2_table(const char *const **names, const double **weights, const char *const **cells);

/* Gate counts of one netlist (or of one module, locally). */
typedef struct {
    double cells, n2eq, xor2, ffs, unmapped, transistors;
} sx_gates;
/* Sums a Yosys stat "num_cells_by_type" object into g (adds; module instances are skipped). */
void sx_gates_add(sx_gates *g, const cJSON *cells_by_type, double mult);

/* A FleXOR layer of the reference networks, and its weight-memory cost for one N_in. */
typedef struct {
    const char *net, *layer;
    unsigned m, k; /* output channels, fan-in */
} sx_layer;
extern const sx_layer sx_layers[];
extern const unsigned sx_n_layers;
/* Slices of one plane in the aligned layout (contract §3): M·ceil(K/N_out). */
unsigned long sx_slices(const sx_layer *l, unsigned n_out);
/* Weight-memory bits of a network's FleXOR layers for q planes: q·slices·N_in. */
unsigned long sx_net_bits(const char *net, unsigned n_out, unsigned n_in, unsigned q);
/* iCE40 EBRs for a memory of `words` words of `width` bits, each EBR configured as 256x16, 512x8,
 * 1024x4 or 2048x2 (the narrowest mode that keeps the most bits), blocks side by side. */
unsigned long sx_ebr_blocks(unsigned long words, unsigned width);
/* EBRs of a network's FleXOR layers, each layer its own memory of `slices` words of N_in bits. */
unsigned long sx_net_ebr(const char *net, unsigned n_out, unsigned n_in, unsigned q);
#endif
