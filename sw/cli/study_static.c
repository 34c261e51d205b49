/* SPDX-License-Identifier: Apache-2.0 */
/* The study's analyses that need no long training (docs/study.md): exact figures from the network
 * descriptions, the M⊕ generator, trained model files and the synthesis results. */
#include "study.h"
#include "flexor/fsutil.h"
#include "flexor/hwcfg.h"
#include "flexor/infostat.h"
#include "flexor/model.h"
#include "flexor/mxor.h"
#include "flexor/decrypt.h"
#include "flexor/netdesc.h"
#include "flexor/outfmt.h"
#include "flexor/ref.h"
#include "results.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct study_out {
    fx_out om, oc;
    FILE *md, *csv;
    char md_path[1100];
};

study_out *study_open(const char *dir, const char *stem, const char *title, const char *intro, const char *md_head,
                      const char *csv_head)
{
    study_out *t = calloc(1, sizeof *t);
    char csv_path[1100], err[1300];
    if (!t) { fprintf(stderr, "flexor study: out of memory\n"); return NULL; }
    if (fx_fmt(t->md_path, sizeof t->md_path, "%s/%s.md", dir, stem) || fx_fmt(csv_path, sizeof csv_path, "%s/%s.csv", dir, stem)) {
        fprintf(stderr, "flexor study: %s: path too long\n", dir);
        free(t);
        return NULL;
    }
    t->md = fx_out_open(&t->om, t->md_path, err, sizeof err);
    t->csv = t->md ? fx_out_open(&t->oc, csv_path, err, sizeof err) : NULL;
    if (!t->csv) {
        if (t->md) fx_out_abort(&t->om);
        fprintf(stderr, "flexor study: %s\n", err);
        free(t);
        return NULL;
    }
    fprintf(t->md, "## %s\n\n%s\n\nCSV: `%s.csv`.\n\n%s\n", title, intro, stem, md_head);
    fprintf(t->csv, "%s\n", csv_head);
    return t;
}

FILE *study_md(study_out *t) { return t->md; }
FILE *study_csv(study_out *t) { return t->csv; }

int study_close(study_out *t, FILE *report)
{
    char err[1300];
    int rc = 0;
    if (fx_out_commit(&t->om, err, sizeof err)) { fx_out_abort(&t->oc); fprintf(stderr, "flexor study: %s\n", err); rc = -1; }
    else if (fx_out_commit(&t->oc, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); rc = -1; }
    if (!rc && report) { /* the report holds every table: copy the Markdown just written */
        char *md = fx_read_file(t->md_path, 0, NULL);
        if (md) { fprintf(report, "%s\n", md); free(md); }
    }
    free(t);
    return rc;
}

/* ---- Q3: what aligned slices cost in stored bits (exact, from the descriptions) ---- */

/* K (fan-in) of a conv/fc layer of a description: kernel × input channels, or the flattened input. */
static uint32_t layer_k(const fx_netdesc *d, const fx_net_layer *l)
{
    const fx_net_layer *in = &d->L[l->from];
    return l->kind == FX_NET_CONV ? l->kh * l->kw * in->c : in->c * in->h * in->w;
}

int study_q3_padding(const char *dir, FILE *report)
{
    static const char *const nets[] = {"mlp", "lenet", "resnet20"};
    const uint32_t n_out = fx_hwcfg_builtin()->n_out;
    study_out *t = study_open(dir, "q3_padding", "Q3b. Aligned vs straddle: padding of the stored slices (exact)",
        "Every conv/fc layer of each network: slices per bit-plane when each output channel starts a slice "
        "(aligned, M·⌈K/N_out⌉) and when the weights run on across channels (straddle, ⌈M·K/N_out⌉). The stored "
        "bits of a FleXOR plane are slices × N_in, so the overhead of alignment is the same fraction at every "
        "N_in; `extra bits @0.8` is it at N_in = 16, one plane. Cycles and the realignment logic of straddle "
        "are not in this table (co-simulation and synthesis: `flexor cosim`, `flexor synth`).",
        "| network | layer | kind | M | K | weights | slices aligned | slices straddle | extra bits @0.8 | overhead % |\n"
        "|---|---|---|---|---|---|---|---|---|---|",
        "net,layer,kind,m,k,weights,slices_aligned,slices_straddle,pad_positions_aligned,pad_positions_straddle,extra_bits_nin16,overhead_pct");
    if (!t) return -1;
    static fx_netdesc d;
    for (size_t ni = 0; ni < sizeof nets / sizeof nets[0]; ni++) {
        char err[1024];
        if (fx_netdesc_resolve(nets[ni], &d, NULL, 0, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); continue; }
        uint64_t tot_a = 0, tot_s = 0, li = 0;
        for (uint32_t i = 1; i < d.n; i++) {
            const fx_net_layer *l = &d.L[i];
            if (l->kind != FX_NET_CONV && l->kind != FX_NET_FC) continue;
            const uint64_t M = l->out_c, K = layer_k(&d, l), w = M * K;
            const uint64_t sa = M * ((K + n_out - 1) / n_out), ss = (w + n_out - 1) / n_out;
            const double ov = 100.0 * ((double)sa / (double)ss - 1);
            fprintf(study_md(t), "| %s | %llu | %s | %llu | %llu | %llu | %llu | %llu | %llu | %.2f |\n", nets[ni],
                    (unsigned long long)li, fx_netdesc_kind_name(l->kind), (unsigned long long)M, (unsigned long long)K,
                    (unsigned long long)w, (unsigned long long)sa, (unsigned long long)ss, (unsigned long long)((sa - ss) * 16), ov);
            fprintf(study_csv(t), "%s,%llu,%s,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%.4f\n", nets[ni], (unsigned long long)li,
                    fx_netdesc_kind_name(l->kind), (unsigned long long)M, (unsigned long long)K, (unsigned long long)w,
                    (unsigned long long)sa, (unsigned long long)ss, (unsigned long long)(sa * n_out - w),
                    (unsigned long long)(ss * n_out - w), (unsigned long long)((sa - ss) * 16), ov);
            tot_a += sa;
            tot_s += ss;
            li++;
        }
        fprintf(study_md(t), "| %s | all | | | | | %llu | %llu | %llu | %.2f |\n", nets[ni], (unsigned long long)tot_a,
                (unsigned long long)tot_s, (unsigned long long)((tot_a - tot_s) * 16), 100.0 * ((double)tot_a / (double)tot_s - 1));
    }
    return study_close(t, report);
}

/* ---- Q6: the GF(2) rank of M⊕ and the sign patterns a slice can reach (exact) ---- */

/* Distinct outputs of the decryptor over all 2^n_in stored slices (by sorting them): the brute-force
 * check of 2^rank. 0 when it would take too long (n_in > 20) or memory runs out. */
static int cmp_u32(const void *a, const void *b)
{
    const uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t distinct_outputs(const fx_mxor *m)
{
    if (m->n_in > 20) return 0;
    const size_t n = (size_t)1 << m->n_in;
    uint32_t *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    uint64_t u = 0;
    if (x && y) {
        for (size_t i = 0; i < n; i++) x[i] = (uint32_t)i;
        fx_decrypt_slices(m, x, y, n);
        qsort(y, n, sizeof *y, cmp_u32);
        for (size_t i = 0; i < n; i++) u += !i || y[i] != y[i - 1];
    }
    free(x);
    free(y);
    return u;
}

int study_q6_mxor(const char *dir, FILE *report)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    const uint64_t seeds[3] = {cfg->seed, 1, 2};
    char intro[1200];
    snprintf(intro, sizeof intro,
        "M⊕ of the generator (docs/contract.md §2) for N_out 10/20/30, ratio N_in/N_out 0.4–1.0 and N_tap 1/2/3; "
        "the trainer and the RTL use the built-in configuration's (N_out %u, N_tap %u, seed 0x%llx, N_in %u–%u). A "
        "decrypted slice is M⊕·x over GF(2) (bit i = parity of row i AND the stored bits), so the reachable N_out-bit "
        "sign patterns are exactly 2^rank of the 2^N_out; `check` is the number of distinct outputs over all 2^N_in "
        "stored slices (brute force, N_in ≤ 20), which must equal 2^rank. Effective bits per weight = rank/N_out "
        "(the information a slice carries); bits per weight = N_in/N_out (what is stored). With even N_tap every row "
        "has even weight, so the rows lie in the (N_in−1)-dimensional even-weight subspace: rank ≤ N_in − 1, and one "
        "stored bit per slice is wasted (x and its complement decrypt alike). Rank for seeds 1 and 2 in the last "
        "columns ('-': the generator has no matrix for those parameters).",
        cfg->n_out, cfg->n_tap, (unsigned long long)cfg->seed, cfg->n_in[0], cfg->n_in[cfg->n_in_count - 1]);
    study_out *t = study_open(dir, "q6_mxor", "Q6a. Why it works: rank of M⊕ and reachable sign patterns (exact)", intro,
        "| N_out | N_in | N_tap | bits/weight | rank | N_in − rank | reachable patterns | of 2^N_out | check | effective bits/weight | rank seed 1 | rank seed 2 |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        "n_out,n_in,n_tap,bits_per_weight,rank,deficit,log2_reachable,log2_patterns,distinct_outputs,effective_bits_per_weight,rank_seed1,rank_seed2,builtin");
    if (!t) return -1;
    static const uint32_t nouts[] = {10, 20, 30};
    static const double ratios[] = {0.4, 0.6, 0.8, 1.0};
    for (size_t a = 0; a < 3; a++)
        for (uint32_t tap = 1; tap <= 3; tap++)
            for (size_t r = 0; r < 4; r++) {
                const uint32_t n_out = nouts[a], n_in = (uint32_t)lround(ratios[r] * n_out);
                int rk[3];
                fx_mxor m[3];
                for (int s = 0; s < 3; s++)
                    rk[s] = fx_mxor_generate(seeds[s], n_in, n_out, tap, &m[s]) ? -1 : (int)fx_gf2_rank(m[s].row, n_out);
                int builtin = n_out == cfg->n_out && tap == cfg->n_tap;
                char c[3][24], chk[48] = "-";
                for (int s = 0; s < 3; s++) {
                    if (rk[s] < 0) snprintf(c[s], sizeof c[s], "-");
                    else snprintf(c[s], sizeof c[s], "%d", rk[s]);
                }
                const uint64_t u = rk[0] >= 0 ? distinct_outputs(&m[0]) : 0;
                if (u) snprintf(chk, sizeof chk, "%llu%s", (unsigned long long)u, u == (1ull << rk[0]) ? " ✓" : " ✗ MISMATCH");
                const double bpw = (double)n_in / n_out;
                char def[16] = "-", reach[16] = "-", eff[16] = "-", effc[16] = "", rankc[16] = "", cnt[24] = "";
                if (rk[0] >= 0) {
                    snprintf(def, sizeof def, "%d", (int)n_in - rk[0]);
                    snprintf(reach, sizeof reach, "2^%d", rk[0]);
                    snprintf(eff, sizeof eff, "%.3f", (double)rk[0] / n_out);
                    snprintf(effc, sizeof effc, "%.4f", (double)rk[0] / n_out);
                    snprintf(rankc, sizeof rankc, "%d", rk[0]);
                }
                if (u) snprintf(cnt, sizeof cnt, "%llu", (unsigned long long)u);
                fprintf(study_md(t), "| %u | %u | %u | %.2f | %s | %s | %s | 2^%u | %s | %s | %s | %s |\n", n_out, n_in, tap,
                        bpw, c[0], def, reach, n_out, chk, eff, c[1], c[2]);
                /* CSV: empty where the generator has no matrix (rank) or the brute force was not run */
                fprintf(study_csv(t), "%u,%u,%u,%.4f,%s,%s,%s,%u,%s,%s,%s,%s,%d\n", n_out, n_in, tap, bpw, rankc,
                        rk[0] >= 0 ? def : "", rankc, n_out, cnt, effc, rk[1] >= 0 ? c[1] : "", rk[2] >= 0 ? c[2] : "", builtin);
            }
    return study_close(t, report);
}

/* ---- trained models: weight bits per layer ---- */

typedef struct { fx_model m; fx_ref_net rn; int ok; } loaded_model;

static int load_model(const char *path, loaded_model *lm)
{
    char err[1400];
    memset(lm, 0, sizeof *lm);
    struct stat st;
    if (!path || stat(path, &st)) return -1; /* not trained yet: the table says so */
    if (fx_model_read(path, fx_hwcfg_builtin(), &lm->m, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); return -1; }
    if (fx_ref_prepare(&lm->rn, &lm->m, fx_hwcfg_builtin(), err, sizeof err)) {
        fprintf(stderr, "flexor study: %s: %s\n", path, err);
        fx_model_free(&lm->m);
        return -1;
    }
    lm->ok = 1;
    return 0;
}

static void free_model(loaded_model *lm)
{
    if (!lm->ok) return;
    fx_ref_free(&lm->rn);
    fx_model_free(&lm->m);
}

long long study_middle_bits(const char *fxm)
{
    static fx_model m;
    char err[1400];
    struct stat st;
    if (stat(fxm, &st) || fx_model_read(fxm, fx_hwcfg_builtin(), &m, err, sizeof err)) return -1;
    long long bits = 0;
    for (uint32_t li = 1; li + 1 < m.n_layers; li++) {
        const fx_layer *l = &m.layers[li];
        bits += (long long)l->n_slices * l->n_in * l->q;
    }
    fx_model_free(&m);
    return bits;
}

/* The kind of a stored layer as the settings name it. */
static void layer_kind(const fx_layer *l, uint32_t n_out, char *b, size_t n)
{
    if (l->flags & FX_F_ENCRYPTED) snprintf(b, n, "FleXOR q%u N_in %u (%.2f)", l->q, l->n_in, (double)l->q * l->n_in / n_out);
    else if (l->q == 1) snprintf(b, n, "binary");
    else snprintf(b, n, "q%u", l->q);
}

/* ---- Q5: entropy coding of plain binary weights ---- */

int study_q5_entropy(const char *dir, const char *binary_fxm, FILE *report)
{
    char intro[1600];
    snprintf(intro, sizeof intro,
        "The weight bits of a trained plain-binary model (`%s`), per layer and bit-plane, in [plane][output channel]"
        "[k] order, cut into non-overlapping k-bit blocks (k = 1…8): the empirical entropy H_k/k (bits per weight: "
        "the bound of any code of k-bit blocks with this distribution) and the size of an actual Huffman code of the "
        "blocks (built, `fx_huffman_lengths`), without and with its code table (2^k lengths of ⌈log2(longest+1)⌉ "
        "bits). FleXOR stores a fixed q·N_in/N_out = 0.4/0.6/0.8/1.0 bits per weight at N_in 8/12/16/20 and decodes "
        "one slice per cycle; a Huffman decoder is variable-rate. The Markdown shows the binary (q = 1) layers; the "
        "CSV every plane of every layer.",
        binary_fxm ? binary_fxm : "-");
    study_out *t = study_open(dir, "q5_entropy", "Q5. Entropy coding of binary weights vs FleXOR's fixed rate", intro,
        "| layer | kind | weights | k | entropy bits/weight | Huffman bits/weight | Huffman + table bits/weight | ones % |\n"
        "|---|---|---|---|---|---|---|---|",
        "layer,kind,plane,weights,k,blocks,entropy_bits_per_weight,huffman_bits_per_weight,huffman_table_bits_per_weight,ones_pct");
    if (!t) return -1;
    loaded_model lm;
    if (load_model(binary_fxm, &lm)) {
        fprintf(study_md(t), "\n(no model: `%s` has not been trained yet)\n", binary_fxm ? binary_fxm : "-");
        return study_close(t, report);
    }
    const uint32_t n_out = lm.m.n_out;
    uint64_t *cnt = malloc(sizeof *cnt << 8);
    uint8_t len[256];
    for (uint32_t li = 0; cnt && li < lm.m.n_layers; li++) {
        const fx_layer *l = &lm.m.layers[li];
        int8_t *w = fx_ref_weight_signs(&lm.rn, li);
        const size_t nw = (size_t)l->M * l->K;
        uint8_t *bits = malloc(nw + 1);
        char kind[64];
        layer_kind(l, n_out, kind, sizeof kind);
        for (uint32_t p = 0; w && bits && p < l->q; p++) {
            size_t ones = 0;
            for (size_t i = 0; i < nw; i++) ones += bits[i] = w[p * nw + i] > 0;
            for (unsigned k = 1; k <= 8; k++) {
                const uint64_t nb = fx_block_counts(bits, nw, k, cnt);
                const double h = fx_entropy_bits(cnt, (size_t)1 << k) / k;
                const uint64_t hb = fx_huffman_lengths(cnt, (size_t)1 << k, len);
                unsigned longest = 0;
                for (size_t v = 0; v < ((size_t)1 << k); v++) longest = len[v] > longest ? len[v] : longest;
                unsigned lbits = 1;
                while ((1u << lbits) <= longest) lbits++;
                const double per = (double)hb / ((double)nb * k), tab = ((double)hb + (double)(lbits << k)) / ((double)nb * k);
                const double op = 100.0 * (double)ones / (double)nw;
                if (l->q == 1 && !(l->flags & FX_F_ENCRYPTED))
                    fprintf(study_md(t), "| %u | %s | %zu | %u | %.4f | %.4f | %.4f | %.1f |\n", li, kind, nw, k, h, per, tab, op);
                fprintf(study_csv(t), "%u,%s,%u,%zu,%u,%llu,%.5f,%.5f,%.5f,%.3f\n", li, kind, p, nw, k, (unsigned long long)nb, h, per, tab, op);
            }
        }
        free(bits);
        free(w);
    }
    free(cnt);
    free_model(&lm);
    return study_close(t, report);
}

/* ---- Q6b: how far FleXOR's decrypted weights are from a plain binary net's ---- */

int study_q6_agreement(const char *dir, const char *binary_fxm, const char *flexor_fxm, FILE *report)
{
    char intro[1400];
    snprintf(intro, sizeof intro,
        "The decrypted signs of a FleXOR model (`%s`) against the signs of a plain-binary model (`%s`) of the same "
        "network trained the same way (same seed, options, data), per layer (bit-plane 0): the fraction of equal "
        "signs, and what two independent sign sets with these fractions of +1 would share by chance "
        "(p_a·p_b + (1−p_a)(1−p_b)). The two nets start from different latent weights (FleXOR trains encrypted "
        "bits), so agreement near chance says the two nets found different sign patterns, not that either is "
        "worse.",
        flexor_fxm ? flexor_fxm : "-", binary_fxm ? binary_fxm : "-");
    study_out *t = study_open(dir, "q6_agreement", "Q6b. Bit agreement of FleXOR with a plain binary net", intro,
        "| layer | FleXOR model | binary model | weights | agreement % | chance % |\n|---|---|---|---|---|---|",
        "layer,flexor_kind,binary_kind,weights,agreement_pct,chance_pct");
    if (!t) return -1;
    loaded_model a, b;
    const int have_a = !load_model(flexor_fxm, &a), have_b = !load_model(binary_fxm, &b);
    if (!have_a || !have_b) {
        fprintf(study_md(t), "\n(no model pair yet: %s%s%s not trained)\n", have_a ? "" : flexor_fxm ? flexor_fxm : "-",
                !have_a && !have_b ? " and " : "", have_b ? "" : binary_fxm ? binary_fxm : "-");
    } else if (a.m.n_layers == b.m.n_layers) {
        for (uint32_t li = 0; li < a.m.n_layers; li++) {
            const fx_layer *la = &a.m.layers[li], *lb = &b.m.layers[li];
            if (la->M != lb->M || la->K != lb->K) continue;
            int8_t *wa = fx_ref_weight_signs(&a.rn, li), *wb = fx_ref_weight_signs(&b.rn, li);
            const size_t nw = (size_t)la->M * la->K;
            size_t same = 0, pa = 0, pb = 0;
            for (size_t i = 0; wa && wb && i < nw; i++) {
                same += wa[i] == wb[i];
                pa += wa[i] > 0;
                pb += wb[i] > 0;
            }
            const double fa = (double)pa / nw, fb = (double)pb / nw;
            const double ag = 100.0 * (double)same / nw, ch = 100.0 * (fa * fb + (1 - fa) * (1 - fb));
            char ka[64], kb[64];
            layer_kind(la, a.m.n_out, ka, sizeof ka);
            layer_kind(lb, b.m.n_out, kb, sizeof kb);
            fprintf(study_md(t), "| %u | %s | %s | %zu | %.2f | %.2f |\n", li, ka, kb, nw, ag, ch);
            fprintf(study_csv(t), "%u,%s,%s,%zu,%.3f,%.3f\n", li, ka, kb, nw, ag, ch);
            free(wa);
            free(wb);
        }
    }
    if (have_a) free_model(&a);
    if (have_b) free_model(&b);
    return study_close(t, report);
}

/* ---- Q8: weight SRAM saved against the decryptor's area ---- */

/* Middle-layer (all conv/fc but the first and last) stored bits at N_in bits per slice, aligned layout. */
static uint64_t middle_slices(const fx_netdesc *d, uint32_t n_out, uint64_t *weights)
{
    uint32_t nl = fx_netdesc_weight_layers(d), li = 0;
    uint64_t s = 0;
    *weights = 0;
    for (uint32_t i = 1; i < d->n; i++) {
        const fx_net_layer *l = &d->L[i];
        if (l->kind != FX_NET_CONV && l->kind != FX_NET_FC) continue;
        if (li > 0 && li + 1 < nl) {
            const uint64_t K = layer_k(d, l);
            s += (uint64_t)l->out_c * ((K + n_out - 1) / n_out);
            *weights += (uint64_t)l->out_c * K;
        }
        li++;
    }
    return s;
}

int study_q8_cost(const char *dir, const char *synth_dir, FILE *report)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    char sweep[1100], dj[1100], intro[3000], per_bit[32] = "-";
    snprintf(sweep, sizeof sweep, "%.1000s/sweep.csv", synth_dir);
    snprintf(dj, sizeof dj, "%.1000s/default.json", synth_dir);
    double bit_um2 = NAN;
    if (json_number(dj, "sram_bit_um2", &bit_um2) == 0) snprintf(per_bit, sizeof per_bit, "%.3f", bit_um2);
    snprintf(intro, sizeof intro,
        "Per network and FleXOR setting (q = 1, aligned): the middle layers' stored weight bits (slices × N_in) "
        "against the same layers stored as plain binary (slices × N_out, the format's unencrypted planes), the "
        "SRAM saved (bits, and µm² at %s µm² per SRAM bit from `%s`), against the area of the decryptors "
        "(all %u lanes; hardwired = one fixed M⊕ per N_in, programmable = loadable M⊕) from `%s` (`flexor synth "
        "--sweep`; '-' where that file or row is missing: run it). The bits are exact (network descriptions); "
        "the areas are the synthesis estimates (generic gates, docs/synth.md). Energy is not measured.",
        per_bit, dj, cfg->lanes, sweep);
    study_out *t = study_open(dir, "q8_cost", "Q8. Weight SRAM saved against decryptor area", intro,
        "| network | N_in | bits/weight | middle weights | stored bits FleXOR | stored bits binary | saved bits | saved SRAM µm² | "
        "decryptors µm² (hardwired) | decryptors µm² (programmable) | saved / hardwired area |\n|---|---|---|---|---|---|---|---|---|---|---|",
        "net,n_in,bits_per_weight,middle_weights,bits_flexor,bits_binary,bits_saved,sram_um2_saved,decryptors_um2_hardwired,decryptors_um2_programmable,saved_over_hardwired");
    if (!t) return -1;
    static const char *const nets[] = {"mlp", "lenet"};
    static fx_netdesc d;
    for (size_t ni = 0; ni < 2; ni++) {
        char err[1024];
        if (fx_netdesc_resolve(nets[ni], &d, NULL, 0, err, sizeof err)) { fprintf(stderr, "flexor study: %s\n", err); continue; }
        uint64_t w;
        const uint64_t sl = middle_slices(&d, cfg->n_out, &w);
        for (uint32_t i = 0; i < cfg->n_in_count; i++) {
            const uint32_t n_in = cfg->n_in[i];
            const uint64_t bf = sl * n_in, bb = sl * cfg->n_out, saved = bb - bf;
            char nin[16];
            snprintf(nin, sizeof nin, "%u", n_in);
            const char *keys[] = {"config", "variant", "n_in"}, *hw[] = {"default", "hardwired", nin}, *pg[] = {"default", "programmable", nin};
            const double ah = csv_number(sweep, 3, keys, hw, "decryptors_um2"), ap = csv_number(sweep, 3, keys, pg, "decryptors_um2");
            const double su = (double)saved * bit_um2;
            char c[4][32];
            snprintf(c[0], 32, isnan(su) ? "-" : "%.0f", su);
            snprintf(c[1], 32, isnan(ah) ? "-" : "%.0f", ah);
            snprintf(c[2], 32, isnan(ap) ? "-" : "%.0f", ap);
            snprintf(c[3], 32, isnan(su) || isnan(ah) || ah <= 0 ? "-" : "%.1f", su / ah);
            fprintf(study_md(t), "| %s | %u | %.2f | %llu | %llu | %llu | %llu | %s | %s | %s | %s |\n", nets[ni], n_in,
                    (double)n_in / cfg->n_out, (unsigned long long)w, (unsigned long long)bf, (unsigned long long)bb,
                    (unsigned long long)saved, c[0], c[1], c[2], c[3]);
            fprintf(study_csv(t), "%s,%u,%.4f,%llu,%llu,%llu,%llu,%s,%s,%s,%s\n", nets[ni], n_in, (double)n_in / cfg->n_out,
                    (unsigned long long)w, (unsigned long long)bf, (unsigned long long)bb, (unsigned long long)saved,
                    c[0], c[1], c[2], c[3]);
        }
    }
    return study_close(t, report);
}
