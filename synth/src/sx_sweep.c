/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_sweep.h. */
#include "sx_sweep.h"
#include "sx_synth.h"
#include "sx_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sweep_cfgs[] = {"default", "lanes8", "tap3", "tap3_lanes8"};
#define N_CFG (sizeof sweep_cfgs / sizeof sweep_cfgs[0])

static void csv_and_table(sx_result *const *rs, sxbuf *csv, sxbuf *md)
{
    sxb_printf(csv, "config,hash,n_in,n_out,bits_per_weight,n_tap,lanes,variant,xor2_per_decryptor,nand2_eq_per_decryptor,"
                    "decryptors_nand2_eq,engine_nand2_eq,decryptor_share_logic,decryptor_share_with_sram,ice40_lut4_per_decryptor,"
                    "xilinx_lut_per_decryptor,mlp_bits,mlp_bits_saved,lenet5_bits,lenet5_bits_saved,ebr_saved,sram_um2_saved,"
                    "decryptors_um2,proof\n");
    sxb_printf(md, "| config | N_in/N_out | N_tap | lanes | M⊕ | XOR2 / dec | NAND2-eq / dec | decryptors NAND2-eq | engine NAND2-eq | "
                   "dec. %% logic | dec. %% logic+SRAM | iCE40 LUT4 / dec | Xilinx LUT / dec | MLP bits saved | LeNet-5 bits saved | "
                   "EBR saved | SRAM µm² saved | decryptors µm² | proof |\n"
                   "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (unsigned k = 0; k < N_CFG; k++) {
        const sx_result *r = rs[k];
        const sx_cfg *c = &r->cfg;
        double sram = r->eng.ok ? sx_sram_um2(&r->eng) : 0;
        for (unsigned i = 0; i < c->hw.n_in_count; i++)
            for (int prog = 0; prog < 2; prog++) {
                const sx_dec_row *d = &r->dec[i];
                double part, eng = sx_engine_one_ratio(r, d, prog, &part);
                double xor2 = prog ? d->net.total.xor2 : d->dec.total.xor2, per = prog ? d->prog.total.n2eq : d->dec.total.n2eq;
                double sh = eng > 0 ? part / eng : -1, sh2 = eng > 0 ? part * SX_NAND2_UM2 / (eng * SX_NAND2_UM2 + sram) : -1;
                double lut = prog ? d->prog_ice.lut4 : d->dec_ice.lut4, xl = prog ? d->prog_xil.lut : d->dec_xil.lut;
                unsigned long mb = sx_net_bits("mlp", c->hw.n_out, d->n_in, 1), m0 = sx_net_bits("mlp", c->hw.n_out, c->hw.n_out, 1);
                unsigned long lb = sx_net_bits("lenet5", c->hw.n_out, d->n_in, 1), l0 = sx_net_bits("lenet5", c->hw.n_out, c->hw.n_out, 1);
                long ebr = (long)(sx_net_ebr("mlp", c->hw.n_out, c->hw.n_out, 1) + sx_net_ebr("lenet5", c->hw.n_out, c->hw.n_out, 1)) -
                           (long)(sx_net_ebr("mlp", c->hw.n_out, d->n_in, 1) + sx_net_ebr("lenet5", c->hw.n_out, d->n_in, 1));
                double saved_um2 = (double)(m0 - mb + l0 - lb) * SX_SRAM_BIT_UM2;
                const char *pf = prog ? "n/a" : d->proof == 1 && d->broken == 1 && d->proof_arr == 1 ? "proven" : d->proof < 0 ? "not run" : "FAILED";
                sxb_printf(csv, "%s,%s,%u,%u,%.2f,%u,%u,%s,%.0f,%.2f,%.1f,%.1f,%.5f,%.5f,%.0f,%.0f,%lu,%lu,%lu,%lu,%ld,%.0f,%.0f,%s\n",
                           c->hw.name, c->hash, d->n_in, c->hw.n_out, (double)d->n_in / c->hw.n_out, c->hw.n_tap, c->hw.lanes,
                           prog ? "programmable" : "hardwired", xor2, per, part, eng, sh, sh2, lut, xl, mb, m0 - mb, lb, l0 - lb,
                           ebr, saved_um2, part * SX_NAND2_UM2, pf);
                sxb_printf(md, "| %s | %u/%u | %u | %u | %s | %.0f | %.1f | %.0f | %.0f | %.2f | %.3f | %.0f | %.0f | %lu | %lu | %ld | "
                               "%.0f | %.0f | %s |\n",
                           c->hw.name, d->n_in, c->hw.n_out, c->hw.n_tap, c->hw.lanes, prog ? "prog." : "hardwired", xor2, per, part, eng,
                           100 * sh, 100 * sh2, lut, xl, m0 - mb, l0 - lb, ebr, saved_um2, part * SX_NAND2_UM2, pf);
            }
    }
}

static int plot(const char *out)
{
    sxbuf g = {0};
    /* CSV columns: 6 n_tap, 7 lanes, 8 variant, 3 n_in, 22 sram_um2_saved, 23 decryptors_um2 */
    sxb_printf(&g, "set terminal svg size 1100,560 dynamic font 'sans,11'\nset output 'sweep.svg'\nset datafile separator ','\n"
                   "set title 'FleXOR decryptor cost vs weight memory saved (MLP + LeNet-5 FleXOR layers, q = 1)'\n"
                   "set xlabel 'SRAM area saved by encryption [µm², 6T cell 0.346 µm²]'\n"
                   "set ylabel 'decryptor area in the engine [µm², NAND2 = 0.798 µm²]'\nset logscale y\nset key outside right\n"
                   "set grid\n");
    sxb_printf(&g, "sel(t,l,v) = (column(6)==t && column(7)==l && strcol(8) eq v)\nplot \\\n");
    const char *vs[] = {"hardwired", "programmable"};
    int first = 1;
    for (int v = 0; v < 2; v++)
        for (int t = 2; t <= 3; t++)
            for (int l = 16; l >= 8; l /= 2) {
                sxb_printf(&g, "%s  'sweep.csv' every ::1 using (sel(%d,%d,'%s') ? $22 : 1/0):23 with points pt %d ps 1.3 title "
                               "'%s, N_{tap} %d, %d lanes'",
                           first ? "" : ", \\\n", t, l, vs[v], 5 + 2 * v + (t - 2), vs[v], t, l);
                first = 0;
                if (v == 0 && t == 2 && l == 16)
                    sxb_printf(&g, ", \\\n  'sweep.csv' every ::1 using (sel(2,16,'hardwired') ? $22 : 1/0):23:(sprintf('%%d/20', $3)) "
                                   "with labels offset 0,1 notitle");
            }
    /* break-even: above this line the decryptors cost more area than the SRAM they save */
    sxb_printf(&g, ", \\\n  (x > 0 ? x : 1/0) with lines dt 2 lc rgb 'gray40' title 'decryptor area = SRAM area saved'\n");
    char path[1200];
    snprintf(path, sizeof path, "%s/sweep.gp", out);
    int rc = sx_write_file(path, g.s);
    sxb_free(&g);
    if (rc) return -1;
    char log[1200];
    snprintf(log, sizeof log, "%s/gnuplot.log", out);
    remove(log);
    const char *argv[] = {"gnuplot", "sweep.gp", NULL};
    rc = sx_run(log, out, argv);
    if (rc) fprintf(stderr, "flexor synth: gnuplot failed (see %s)\n", log);
    return rc ? -1 : 0;
}

/* The table the project reports: default config, the four ratios. */
static void summary(const sx_result *r, const sx_result *fp, sxbuf *md)
{
    const sx_cfg *c = &r->cfg;
    sxb_printf(md, "\n## Summary: config `%s` (%u lanes, N_tap %u), hardwired M⊕\n\n"
                   "| N_in/N_out | XOR2 / dec | dec. %% of engine logic | dec. %% incl. SRAM | engine cells | engine transistors | "
                   "iCE40 LUT4 / dec | Xilinx LUT / dec | MLP bits saved | LeNet-5 bits saved | proof |\n"
                   "|---|---|---|---|---|---|---|---|---|---|---|\n",
               c->hw.name, c->hw.lanes, c->hw.n_tap);
    double sram = r->eng.ok ? sx_sram_um2(&r->eng) : 0;
    for (unsigned i = 0; i < c->hw.n_in_count; i++) {
        const sx_dec_row *d = &r->dec[i];
        double part, eng = sx_engine_one_ratio(r, d, 0, &part);
        unsigned long m0 = sx_net_bits("mlp", c->hw.n_out, c->hw.n_out, 1), l0 = sx_net_bits("lenet5", c->hw.n_out, c->hw.n_out, 1);
        sxb_printf(md, "| %u/%u | %.0f | %.2f | %.3f | %.0f | %.0f%s | %.0f | %.0f | %lu | %lu | %s |\n", d->n_in, c->hw.n_out,
                   d->dec.total.xor2, eng > 0 ? 100 * part / eng : -1,
                   eng > 0 ? 100 * part * SX_NAND2_UM2 / (eng * SX_NAND2_UM2 + sram) : -1, r->eng.total.cells, r->eng.transistors,
                   r->eng.transistors_partial ? " (+SRAM)" : "", d->dec_ice.lut4, d->dec_xil.lut,
                   m0 - sx_net_bits("mlp", c->hw.n_out, d->n_in, 1), l0 - sx_net_bits("lenet5", c->hw.n_out, d->n_in, 1),
                   d->proof == 1 && d->broken == 1 && d->proof_arr == 1 ? "proven (decryptor + array), broken caught" : "FAILED");
    }
    if (r->eng.ok)
        sxb_printf(md, "\nThe engine as built (all %u ratios selectable in every lane): %.0f cells, %.0f NAND2-eq logic, "
                       "%.0f memory bits; its XOR networks: %.0f NAND2-eq; the decryption path (XOR networks + select + "
                       "realign) %.2f %% of the logic.\n",
                   c->hw.n_in_count, r->eng.total.cells, r->eng.total.n2eq, r->eng.mem_bits, sx_dec_networks_n2eq(r),
                   100 * sx_dec_share_logic(r));
    if (r->eng_xil.ok)
        sxb_printf(md, "Engine on Xilinx 7-series: %.0f LUT, %.0f FF, %.0f RAMB36 + %.0f RAMB18, %.0f DSP48.\n", r->eng_xil.lut,
                   r->eng_xil.ff, r->eng_xil.bram36, r->eng_xil.bram18, r->eng_xil.dsp);
    for (int i = 0; fp && i < fp->n_fpga; i++) {
        const sx_fpga *f = &fp->fpga[i];
        sxb_printf(md, "iCE40 %s, reduced config `%s` (lanes %u, wmem %u, amem %u), %s: %.0f LUT4, %.0f FF, %.0f EBR", fp->fpga_device,
                   fp->cfg.hw.name, fp->cfg.hw.lanes, fp->cfg.hw.wmem_depth, fp->cfg.hw.amem_depth, f->what, f->ice.lut4, f->ice.ff, f->ice.ebr);
        if (f->pnr.ok) sxb_printf(md, ", Fmax %.1f MHz (nextpnr-ice40, seed 1).\n", f->pnr.fmax);
        else sxb_printf(md, "%s.\n", f->fits ? "" : ": does not fit the device, not placed");
    }
}

int sx_sweep(const char *out, const char *device, double freq)
{
    sx_result *rs[N_CFG + 1];
    int worst = 0;
    if (sx_mkdirs(out)) return 2;
    for (unsigned k = 0; k <= N_CFG; k++) {
        const char *name = k < N_CFG ? sweep_cfgs[k] : "ice40";
        unsigned steps = k < N_CFG ? SX_STEP_DEC | SX_STEP_PROG | SX_STEP_PROVE | SX_STEP_DEC_FPGA | SX_STEP_ENGINE : SX_STEP_PNR;
        if (k == 0) steps |= SX_STEP_ENG_XIL;
        char dir[1200];
        snprintf(dir, sizeof dir, "%s/%s", out, name);
        sx_progress("sweep %u/%u: config %s", k + 1, (unsigned)N_CFG + 1, name);
        rs[k] = sx_xcalloc(1, sizeof *rs[k]);
        int rc = sx_synth_config(name, dir, steps, device, freq, 0, rs[k]);
        if (rc == 2) { for (unsigned i = 0; i <= k; i++) free(rs[i]); return 2; }
        if (sx_write_reports(rs[k], dir)) rc = 2;
        if (rc > worst) worst = rc;
    }
    sxbuf csv = {0}, md = {0};
    sxb_printf(&md, "# flexor design-space sweep\n\n%s, %s. One row per (config, N_in, M⊕ variant). \"Engine\" = flexor_top of "
                    "that config with only this ratio's decryptors (the built engine minus its decryptors plus `lanes` "
                    "decryptors; programmable: one shared matrix register file + one AND-XOR network per lane). Logic in "
                    "NAND2-eq (NanGate45 X1 areas, NAND2 = %.3f µm²); SRAM at %.3f µm²/bit (6T, Intel 45 nm). Memory saved: the "
                    "FleXOR layers of MLP 784-512-512-10 (512×512) and LeNet-5 (conv2 800×64, fc1 1024×512), q = 1, aligned "
                    "slices, against the same slices stored unencrypted (N_in = 20). See docs/synth.md.\n\n",
                sx_yosys_version(), sx_rtl_rev(), SX_NAND2_UM2, SX_SRAM_BIT_UM2);
    csv_and_table(rs, &csv, &md);
    summary(rs[0], rs[N_CFG], &md);
    sxb_printf(&md, "\nPlot: sweep.svg (decryptor area vs SRAM area saved). Per-config reports: */report.md.\n");
    char path[1200];
    snprintf(path, sizeof path, "%s/sweep.csv", out);
    int e = sx_write_file(path, csv.s);
    snprintf(path, sizeof path, "%s/sweep.md", out);
    e |= sx_write_file(path, md.s);
    sxb_free(&csv);
    sxb_free(&md);
    if (!e) e = plot(out);
    for (unsigned i = 0; i <= N_CFG; i++) free(rs[i]);
    if (e) return 2;
    fprintf(stderr, "flexor synth: sweep written to %s/sweep.{md,csv,svg}\n", out);
    return worst;
}
