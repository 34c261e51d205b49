/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_area.h. */
#include "sx_area.h"
#include <string.h>

/* NanGate FreePDK45 X1 cell areas in µm² divided by NAND2_X1 (0.798 µm²):
 * INV 0.532, NAND2/NOR2 0.798, AND2/OR2 1.064, XOR2/XNOR2 1.596, MUX2 1.862, BUF 0.798, DFF 4.522. */
static const char *const w_names[] = {"$_NOT_", "$_BUF_", "$_NAND_", "$_NOR_", "$_AND_", "$_OR_",
                                      "$_XOR_", "$_XNOR_", "$_MUX_", "$_DFF_P_"};
static const char *const w_cells[] = {"INV_X1", "BUF_X1", "NAND2_X1", "NOR2_X1", "AND2_X1", "OR2_X1",
                                      "XOR2_X1", "XNOR2_X1", "MUX2_X1", "DFF_X1"};
static const double w_um2[] = {0.532, 0.798, 0.798, 0.798, 1.064, 1.064, 1.596, 1.596, 1.862, 4.522};
#define W_N (sizeof w_names / sizeof w_names[0])
static double w_eq[W_N];

static void init_eq(void)
{
    if (w_eq[0] == 0)
        for (unsigned i = 0; i < W_N; i++) w_eq[i] = w_um2[i] / SX_NAND2_UM2;
}

double sx_nand2_weight(const char *t)
{
    init_eq();
    for (unsigned i = 0; i < W_N; i++)
        if (!strcmp(t, w_names[i])) return w_eq[i];
    return -1;
}

int sx_nand2_table(const char *const **names, const double **weights, const char *const **cells)
{
    init_eq();
    *names = w_names;
    *weights = w_eq;
    *cells = w_cells;
    return (int)W_N;
}

void sx_gates_add(sx_gates *g, const cJSON *cbt, double mult)
{
    if (!cbt) return;
    for (const cJSON *e = cbt->child; e; e = e->next) {
        if (!cJSON_IsNumber(e)) continue;
        const char *t = e->string;
        if (t[0] != '$' || !strncmp(t, "$paramod", 8)) continue; /* a submodule instance */
        if (!strncmp(t, "$mem", 4)) continue;                     /* SRAM macro: counted as bits */
        double n = e->valuedouble * mult, w = sx_nand2_weight(t);
        g->cells += n;
        if (w < 0) g->unmapped += n;
        else g->n2eq += w * n;
        if (!strcmp(t, "$_XOR_") || !strcmp(t, "$_XNOR_")) g->xor2 += n;
        if (!strncmp(t, "$_DFF", 5) || !strncmp(t, "$_SDFF", 6) || !strncmp(t, "$_DFFE", 6)) g->ffs += n;
    }
}

/* FleXOR layers of the comparison setting (shared/paper/NOTES.md): MLP 784-512-512-10 with the
 * 512x512 layer encrypted; LeNet-5 32C5-MP2-64C5-MP2-1024-512-10 with conv2 (K = 32·5·5 = 800, M = 64)
 * and fc1 (K = 1024, M = 512) encrypted. */
const sx_layer sx_layers[] = {
    {"mlp", "fc2 512x512", 512, 512},
    {"lenet5", "conv2 800x64", 64, 800},
    {"lenet5", "fc1 1024x512", 512, 1024},
};
const unsigned sx_n_layers = sizeof sx_layers / sizeof sx_layers[0];

unsigned long sx_slices(const sx_layer *l, unsigned n_out)
{
    return (unsigned long)l->m * ((l->k + n_out - 1) / n_out);
}

unsigned long sx_net_bits(const char *net, unsigned n_out, unsigned n_in, unsigned q)
{
    unsigned long bits = 0;
    for (unsigned i = 0; i < sx_n_layers; i++)
        if (!strcmp(sx_layers[i].net, net)) bits += (unsigned long)q * sx_slices(&sx_layers[i], n_out) * n_in;
    return bits;
}

unsigned long sx_ebr_blocks(unsigned long words, unsigned width)
{
    static const unsigned mw[] = {16, 8, 4, 2}, md[] = {256, 512, 1024, 2048};
    unsigned long best = 0;
    for (unsigned i = 0; i < 4; i++) {
        unsigned long n = ((width + mw[i] - 1) / mw[i]) * ((words + md[i] - 1) / md[i]);
        if (!best || n < best) best = n;
    }
    return best;
}

unsigned long sx_net_ebr(const char *net, unsigned n_out, unsigned n_in, unsigned q)
{
    unsigned long n = 0;
    for (unsigned i = 0; i < sx_n_layers; i++)
        if (!strcmp(sx_layers[i].net, net)) n += q * sx_ebr_blocks(sx_slices(&sx_layers[i], n_out), n_in);
    return n;
}
