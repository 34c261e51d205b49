/* SPDX-License-Identifier: Apache-2.0 */
/* Formal check of a synthesized decryptor against its config's GF(2) matrix. */
#ifndef SX_PROVE_H
#define SX_PROVE_H
#include "sx_config.h"

/* Writes module `gold`: y_o[r] = XOR of x_i[j] for every j set in rows[r] (from flexor_config.json),
 * one explicit assign per row, nothing shared with the RTL. */
int sx_write_reference(const char *path, unsigned n_in, unsigned n_out, const uint32_t *rows);
/* Proves netlist (module `gate_top`, e.g. a mapped netlist from the generic flow) equal to the reference of
 * rows; returns 1 proven equal, 0 a counterexample exists, -1 the tool failed. */
int sx_prove(const char *dir, const char *netlist, const char *gate_top, unsigned n_in, unsigned n_out,
             const uint32_t *rows);
#endif
