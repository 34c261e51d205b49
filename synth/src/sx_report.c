/* report.json and report.md of one configuration (see sx_synth.h). */
#include "sx_synth.h"
#include "sx_util.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *tri(int v, const char *yes, const char *no)
{
    return v == 1 ? yes : v == 0 ? no : "not run";
}

static void json_gates(sxbuf *b, const char *key, const sx_generic_res *g)
{
    sxb_printf(b, "\"%s\": {\"ok\": %d, \"cells\": %.0f, \"xor2\": %.0f, \"ffs\": %.0f, \"nand2_eq\": %.2f, "
                  "\"transistors\": %.0f, \"transistors_partial\": %d, \"depth\": %d, \"mem_bits\": %.0f, \"unmapped\": %.0f}",
               key, g->ok, g->total.cells, g->total.xor2, g->total.ffs, g->total.n2eq, g->transistors,
               g->transistors_partial, g->depth, g->mem_bits, g->total.unmapped);
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

    /* ---- JSON ---- */
    sxbuf j = {0};
    sxb_printf(&j, "{\n  \"config\": \"%s\", \"hash\": \"%s\", \"yosys\": \"%s\", \"rtl\": \"%s\", \"date\": \"%s\",\n",
               c->hw.name, c->hash, sx_yosys_version(), sx_rtl_rev(), date);
    sxb_printf(&j, "  \"n_out\": %u, \"n_tap\": %u, \"lanes\": %u, \"nand2_um2\": %.3f, \"sram_bit_um2\": %.3f,\n", c->hw.n_out,
               c->hw.n_tap, c->hw.lanes, SX_NAND2_UM2, SX_SRAM_BIT_UM2);
    sxb_printf(&j, "  \"decryptors\": [");
    for (unsigned i = 0; i < c->hw.n_in_count; i++) {
        const sx_dec_row *d = &r->dec[i];
        sxb_printf(&j, "%s\n    {\"n_in\": %u, ", i ? "," : "", d->n_in);
        json_gates(&j, "hardwired", &d->dec);
        sxb_printf(&j, ", ");
        json_gates(&j, "programmable", &d->prog);
        sxb_printf(&j, ", ");
        json_gates(&j, "programmable_net", &d->net);
        sxb_printf(&j, ",\n     \"ice40_lut4\": %.0f, \"ice40_lut4_prog\": %.0f, \"xilinx_lut\": %.0f, \"xilinx_lut_prog\": %.0f,",
                   d->dec_ice.lut4, d->prog_ice.lut4, d->dec_xil.lut, d->prog_xil.lut);
        sxb_printf(&j, " \"proof\": %d, \"broken_caught\": %d, \"proof_decrypt_array\": %d,", d->proof, d->broken, d->proof_arr);
        sxb_printf(&j, " \"mlp_bits\": %lu, \"lenet5_bits\": %lu}", sx_net_bits("mlp", c->hw.n_out, d->n_in, 1),
                   sx_net_bits("lenet5", c->hw.n_out, d->n_in, 1));
    }
    sxb_printf(&j, "\n  ],\n  \"engine\": ");
    if (r->eng.ok) {
        sxb_printf(&j, "{\"top\": \"%s\", ", r->engine_top);
        json_gates(&j, "total", &r->eng);
        sxb_printf(&j, ", \"logic_um2\": %.1f, \"sram_um2\": %.1f, \"decryptor_share_logic\": %.5f,\n    \"modules\": [",
                   sx_logic_um2(&r->eng), sx_sram_um2(&r->eng), sx_dec_share_logic(r));
        for (int i = 0; i < r->eng.ncat; i++) {
            const sx_cat *k = &r->eng.cat[i];
            sxb_printf(&j, "%s\n      {\"name\": \"%s\", \"cells\": %.0f, \"xor2\": %.0f, \"ffs\": %.0f, \"nand2_eq\": %.2f, "
                           "\"mem_bits\": %.0f}", i ? "," : "", k->name, k->g.cells, k->g.xor2, k->g.ffs, k->g.n2eq, k->mem_bits);
        }
        sxb_printf(&j, "]}");
    } else
        sxb_printf(&j, "null");
    sxb_printf(&j, ",\n  \"engine_xilinx\": ");
    if (r->eng_xil.ok)
        sxb_printf(&j, "{\"lut\": %.0f, \"ff\": %.0f, \"carry4\": %.0f, \"ramb36\": %.0f, \"ramb18\": %.0f, \"dsp\": %.0f, \"lutram\": %.0f}",
                   r->eng_xil.lut, r->eng_xil.ff, r->eng_xil.carry4, r->eng_xil.bram36, r->eng_xil.bram18, r->eng_xil.dsp,
                   r->eng_xil.lutram);
    else
        sxb_printf(&j, "null");
    sxb_printf(&j, ",\n  \"ice40\": [");
    for (int i = 0; i < r->n_fpga; i++) {
        const sx_fpga *f = &r->fpga[i];
        sxb_printf(&j, "%s\n    {\"job\": \"%s\", \"what\": \"%s\", \"device\": \"%s\", \"lut4\": %.0f, \"carry\": %.0f, "
                       "\"ff\": %.0f, \"ebr\": %.0f, \"dsp\": %.0f, \"fits\": %d, \"pnr_ok\": %d, \"fmax_mhz\": %.2f, "
                       "\"lc_used\": %.0f, \"io_used\": %.0f}",
                   i ? "," : "", f->job, f->what, r->fpga_device, f->ice.lut4, f->ice.carry, f->ice.ff, f->ice.ebr, f->ice.dsp,
                   f->fits, f->pnr.ok, f->pnr.fmax, f->pnr.lc, f->pnr.io);
    }
    sxb_printf(&j, "]");
    sxb_printf(&j, ",\n  \"seconds\": %.1f\n}\n", r->seconds);
    snprintf(path, sizeof path, "%s/report.json", out);
    int rc = sx_write_file(path, j.s);
    sxb_free(&j);
    if (rc) return -1;

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
                       "%.0f µm². Decryptors: %.2f %% of the logic, %.3f %% of logic + SRAM.\n",
                   e->transistors, e->depth, lu, su, lu + su, 100 * sh, 100 * sh * lu / (lu + su));
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
    rc = sx_write_file(path, m.s);
    sxb_free(&m);
    return rc;
}
