/* SPDX-License-Identifier: Apache-2.0 */
/* report.json and report.md of one configuration (see sx_synth.h). */
#include "sx_synth.h"
#include "sx_util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *tri(int v, const char *yes, const char *no)
{
    return v == 1 ? yes : v == 0 ? no : "not run";
}

/* A number rounded to `dec` decimals as the Markdown shows it (cJSON would print every digit of 2/3). */
static void num(cJSON *o, const char *key, double v, int dec)
{
    double k = dec == 0 ? 1 : dec == 1 ? 10 : dec == 2 ? 100 : dec == 3 ? 1e3 : 1e5;
    cJSON_AddNumberToObject(o, key, isfinite(v) ? round(v * k) / k : -1);
}

static void json_gates(cJSON *parent, const char *key, const sx_generic_res *g)
{
    cJSON *o = cJSON_AddObjectToObject(parent, key);
    num(o, "ok", g->ok, 0);
    num(o, "cells", g->total.cells, 0);
    num(o, "xor2", g->total.xor2, 0);
    num(o, "ffs", g->total.ffs, 0);
    num(o, "nand2_eq", g->total.n2eq, 2);
    num(o, "transistors", g->transistors, 0);
    num(o, "transistors_partial", g->transistors_partial, 0);
    num(o, "depth", g->depth, 0);
    num(o, "mem_bits", g->mem_bits, 0);
    num(o, "unmapped", g->total.unmapped, 0);
}

/* report.json: the same figures as report.md, built with cJSON (escaping is cJSON's). */
static int write_json(const sx_result *r, const char *out, const char *date)
{
    const sx_cfg *c = &r->cfg;
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "config", c->hw.name);
    cJSON_AddStringToObject(j, "hash", c->hash);
    cJSON_AddStringToObject(j, "yosys", sx_yosys_version());
    cJSON_AddStringToObject(j, "rtl", sx_rtl_rev());
    cJSON_AddStringToObject(j, "date", date);
    num(j, "n_out", c->hw.n_out, 0);
    num(j, "n_tap", c->hw.n_tap, 0);
    num(j, "lanes", c->hw.lanes, 0);
    num(j, "nand2_um2", SX_NAND2_UM2, 3);
    num(j, "sram_bit_um2", SX_SRAM_BIT_UM2, 3);
    cJSON *decs = cJSON_AddArrayToObject(j, "decryptors");
    for (unsigned i = 0; i < c->hw.n_in_count; i++) {
        const sx_dec_row *d = &r->dec[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(decs, o);
        num(o, "n_in", d->n_in, 0);
        json_gates(o, "hardwired", &d->dec);
        json_gates(o, "programmable", &d->prog);
        json_gates(o, "programmable_net", &d->net);
        num(o, "ice40_lut4", d->dec_ice.lut4, 0);
        num(o, "ice40_lut4_prog", d->prog_ice.lut4, 0);
        num(o, "xilinx_lut", d->dec_xil.lut, 0);
        num(o, "xilinx_lut_prog", d->prog_xil.lut, 0);
        num(o, "proof", d->proof, 0);
        num(o, "broken_caught", d->broken, 0);
        num(o, "proof_decrypt_array", d->proof_arr, 0);
        num(o, "mlp_bits", (double)sx_net_bits("mlp", c->hw.n_out, d->n_in, 1), 0);
        num(o, "lenet5_bits", (double)sx_net_bits("lenet5", c->hw.n_out, d->n_in, 1), 0);
    }
    if (r->eng.ok) {
        cJSON *e = cJSON_AddObjectToObject(j, "engine");
        cJSON_AddStringToObject(e, "top", r->engine_top);
        json_gates(e, "total", &r->eng);
        num(e, "logic_um2", sx_logic_um2(&r->eng), 1);
        num(e, "sram_um2", sx_sram_um2(&r->eng), 1);
        num(e, "decrypt_share_logic", sx_dec_share_logic(r), 5);
        num(e, "xor_networks_nand2_eq", sx_dec_networks_n2eq(r), 1);
        cJSON *mods = cJSON_AddArrayToObject(e, "modules");
        for (int i = 0; i < r->eng.ncat; i++) {
            const sx_cat *k = &r->eng.cat[i];
            cJSON *m = cJSON_CreateObject();
            cJSON_AddItemToArray(mods, m);
            cJSON_AddStringToObject(m, "name", k->name);
            num(m, "cells", k->g.cells, 0);
            num(m, "xor2", k->g.xor2, 0);
            num(m, "ffs", k->g.ffs, 0);
            num(m, "nand2_eq", k->g.n2eq, 2);
            num(m, "mem_bits", k->mem_bits, 0);
        }
    } else
        cJSON_AddNullToObject(j, "engine");
    if (r->eng_xil.ok) {
        cJSON *x = cJSON_AddObjectToObject(j, "engine_xilinx");
        num(x, "lut", r->eng_xil.lut, 0);
        num(x, "ff", r->eng_xil.ff, 0);
        num(x, "carry4", r->eng_xil.carry4, 0);
        num(x, "ramb36", r->eng_xil.bram36, 0);
        num(x, "ramb18", r->eng_xil.bram18, 0);
        num(x, "dsp", r->eng_xil.dsp, 0);
        num(x, "lutram", r->eng_xil.lutram, 0);
    } else
        cJSON_AddNullToObject(j, "engine_xilinx");
    cJSON *ice = cJSON_AddArrayToObject(j, "ice40");
    for (int i = 0; i < r->n_fpga; i++) {
        const sx_fpga *f = &r->fpga[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddItemToArray(ice, o);
        cJSON_AddStringToObject(o, "job", f->job);
        cJSON_AddStringToObject(o, "what", f->what);
        cJSON_AddStringToObject(o, "device", r->fpga_device);
        num(o, "lut4", f->ice.lut4, 0);
        num(o, "carry", f->ice.carry, 0);
        num(o, "ff", f->ice.ff, 0);
        num(o, "ebr", f->ice.ebr, 0);
        num(o, "dsp", f->ice.dsp, 0);
        num(o, "fits", f->fits, 0);
        num(o, "pnr_ok", f->pnr.ok, 0);
        num(o, "fmax_mhz", f->pnr.fmax, 2);
        num(o, "lc_used", f->pnr.lc, 0);
        num(o, "io_used", f->pnr.io, 0);
    }
    num(j, "seconds", r->seconds, 1);
    char path[1200];
    snprintf(path, sizeof path, "%s/report.json", out);
    int rc = sx_write_json(path, j);
    cJSON_Delete(j);
    return rc;
}

static void md_savings(sxbuf *b, const sx_cfg *c)
{
    sxb_printf(b, "\n## Weight memory of the reference networks (q = 1, aligned layout)\n\n"
                  "bits = q · slices · N_in, slices = M · ceil(K/N_out); saved against the same layout stored "
                  "unencrypted (N_in = N_out = %u). SRAM area at %.3f µm²/bit; iCE40 EBRs of 4 kbit, one memory "
                  "per layer, words of N_in bits in the best of the 256×16 / 512×8 / 1024×4 / 2048×2 modes.\n\n"
                  "| N_in | bits/weight | MLP bits | MLP saved | MLP EBR | LeNet-5 bits | LeNet-5 saved | LeNet-5 EBR | "
                  "saved SRAM µm² (both) |\n|---|---|---|---|---|---|---|---|---|\n",
               c->hw.n_out, SX_SRAM_BIT_UM2);
    for (unsigned i = 0; i < c->hw.n_in_count; i++) {
        unsigned n = c->hw.n_in[i];
        unsigned long mb = sx_net_bits("mlp", c->hw.n_out, n, 1), m0 = sx_net_bits("mlp", c->hw.n_out, c->hw.n_out, 1);
        unsigned long lb = sx_net_bits("lenet5", c->hw.n_out, n, 1), l0 = sx_net_bits("lenet5", c->hw.n_out, c->hw.n_out, 1);
        sxb_printf(b, "| %u | %.2f | %lu | %lu | %lu (of %lu) | %lu | %lu | %lu (of %lu) | %.0f |\n", n, (double)n / c->hw.n_out,
                   mb, m0 - mb, sx_net_ebr("mlp", c->hw.n_out, n, 1), sx_net_ebr("mlp", c->hw.n_out, c->hw.n_out, 1), lb, l0 - lb,
                   sx_net_ebr("lenet5", c->hw.n_out, n, 1), sx_net_ebr("lenet5", c->hw.n_out, c->hw.n_out, 1),
                   (double)(m0 - mb + l0 - lb) * SX_SRAM_BIT_UM2);
    }
}

int sx_write_reports(const sx_result *r, const char *out)
{
    const sx_cfg *c = &r->cfg;
    char path[1200], date[64];
    time_t now = time(NULL);
    strftime(date, sizeof date, "%Y-%m-%d %H:%M UTC", gmtime(&now));

    if (write_json(r, out, date)) return -1;

    /* ---- Markdown ---- */
    sxbuf m = {0};
    sxb_printf(&m, "# flexor synthesis report: config `%s`\n\nConfig hash `%s` · %s · %s · %s · N_out %u, N_tap %u, "
                   "lanes %u · %.0f s\n\n",
               c->hw.name, c->hash, sx_yosys_version(), sx_rtl_rev(), date, c->hw.n_out, c->hw.n_tap, c->hw.lanes, r->seconds);
    sxb_printf(&m, "Generic gates: `synth` + `abc -g AND,NAND,OR,NOR,XOR,XNOR,MUX`, flip-flops legalised to `$_DFF_P_`. "
                   "NAND2-eq: NanGate45 X1 cell area / NAND2_X1 (%.3f µm²); transistors: `stat -tech cmos`; depth: "
                   "`ltp -noff` on the flattened netlist. See docs/synth.md.\n\n", SX_NAND2_UM2);
    sxb_printf(&m, "## Decryptors (one instance)\n\n| N_in | XOR2 | cells | NAND2-eq | transistors | depth | iCE40 LUT4 | "
                   "Xilinx LUT | prog. NAND2-eq (regs + net) | prog. net XOR2 | prog. FFs | prog. iCE40 LUT4 | "
                   "prog. Xilinx LUT | proof | broken M⊕ | proof in decrypt array |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (unsigned i = 0; i < c->hw.n_in_count; i++) {
        const sx_dec_row *d = &r->dec[i];
        sxb_printf(&m, "| %u | %.0f | %.0f | %.1f | %.0f | %d | %.0f | %.0f | %.1f | %.0f | %.0f | %.0f | %.0f | %s | %s | %s |\n",
                   d->n_in, d->dec.total.xor2, d->dec.total.cells, d->dec.total.n2eq, d->dec.transistors, d->dec.depth,
                   d->dec_ice.lut4, d->dec_xil.lut, d->prog.total.n2eq, d->net.total.xor2, d->prog.total.ffs,
                   d->prog_ice.lut4, d->prog_xil.lut, tri(d->proof, "proven", "FAILED"),
                   tri(d->broken, "caught", "NOT caught"), tri(d->proof_arr, "proven", "FAILED"));
    }
    if (r->eng.ok) {
        const sx_generic_res *e = &r->eng;
        sxb_printf(&m, "\n## Engine `%s`: per-module breakdown\n\nMemories are SRAM macros: bits × %.3f µm² (6T cell, "
                       "Intel 45 nm, Mistry et al., IEDM 2007; bit cells only, no periphery).\n\n"
                       "| part | cells | XOR2 | FFs | NAND2-eq | %% of logic | memory bits | SRAM µm² |\n|---|---|---|---|---|---|---|---|\n",
                   r->engine_top, SX_SRAM_BIT_UM2);
        for (int i = 0; i < e->ncat; i++) {
            const sx_cat *k = &e->cat[i];
            sxb_printf(&m, "| %s | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f |\n", k->name, k->g.cells, k->g.xor2, k->g.ffs,
                       k->g.n2eq, 100 * k->g.n2eq / (e->total.n2eq > 0 ? e->total.n2eq : 1), k->mem_bits,
                       k->mem_bits * SX_SRAM_BIT_UM2);
        }
        sxb_printf(&m, "| **total** | %.0f | %.0f | %.0f | %.0f | 100 | %.0f | %.0f |\n\n", e->total.cells, e->total.xor2,
                   e->total.ffs, e->total.n2eq, e->mem_bits, sx_sram_um2(e));
        double lu = sx_logic_um2(e), su = sx_sram_um2(e), sh = sx_dec_share_logic(r);
        sxb_printf(&m, "Transistors (logic, memories excluded): %.0f. Logic depth: %d. Logic %.0f µm² + SRAM %.0f µm² = "
                       "%.0f µm². Decryption (flexor_decrypt_array: XOR networks + N_in select + straddle realign): "
                       "%.2f %% of the logic, %.3f %% of logic + SRAM; its XOR networks alone (the "
                       "XOR2 gates of that part): %.0f NAND2-eq, %.2f %% of the logic.\n",
                   e->transistors, e->depth, lu, su, lu + su, 100 * sh, 100 * sh * lu / (lu + su), sx_dec_networks_n2eq(r),
                   e->total.n2eq > 0 ? 100 * sx_dec_networks_n2eq(r) / e->total.n2eq : 0);
        if (e->total.unmapped > 0) sxb_printf(&m, "\n%.0f cells have no NAND2-eq weight (not counted).\n", e->total.unmapped);
    } else
        sxb_printf(&m, "\n(No engine numbers: %s.)\n", r->have_engine ? "engine step not run" : "rtl/flexor_top.v does not exist yet");
    if (r->eng_xil.ok)
        sxb_printf(&m, "\n## Xilinx 7-series (`synth_xilinx -family xc7`), engine\n\nLUT %.0f · FF %.0f · CARRY4 %.0f · RAMB36 %.0f · "
                       "RAMB18 %.0f · DSP48 %.0f · LUTRAM/SRL %.0f\n",
                   r->eng_xil.lut, r->eng_xil.ff, r->eng_xil.carry4, r->eng_xil.bram36, r->eng_xil.bram18, r->eng_xil.dsp,
                   r->eng_xil.lutram);
    if (r->n_fpga) {
        sxb_printf(&m, "\n## iCE40 %s (`synth_ice40`, `nextpnr-ice40` seed 1)\n\n| block | LUT4 | carry | FF | EBR | DSP | fits | "
                       "placed LCs | Fmax MHz |\n|---|---|---|---|---|---|---|---|---|\n", r->fpga_device);
        for (int i = 0; i < r->n_fpga; i++) {
            const sx_fpga *f = &r->fpga[i];
            sxb_printf(&m, "| %s | %.0f | %.0f | %.0f | %.0f | %.0f | %s | ", f->what, f->ice.lut4, f->ice.carry, f->ice.ff,
                       f->ice.ebr, f->ice.dsp, f->fits ? "yes" : "**no**");
            if (f->pnr.ok) sxb_printf(&m, "%.0f | %.1f |\n", f->pnr.lc, f->pnr.fmax);
            else sxb_printf(&m, "— | — |\n");
        }
    }
    md_savings(&m, c);
    snprintf(path, sizeof path, "%s/report.md", out);
    int rc = sx_write_file(path, m.s);
    sxb_free(&m);
    return rc;
}
