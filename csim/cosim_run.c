/* SPDX-License-Identifier: Apache-2.0 */
/* See cosim_run.h. */
#define _POSIX_C_SOURCE 200809L
#include "cosim_run.h"
#include "flexor/clock.h"
#include "flexor/layerdump.h"
#include "rtl_backend.h"
#include "wavesave.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int32_t *v;
    uint32_t N, M;
    size_t cap;
    int have;
} layer_out;

typedef struct {
    layer_out ref[FX_MAX_LAYERS], model[FX_MAX_LAYERS];
    fx_divergence div; /* first output-level divergence */
    fx_rtl *rtl;
    fx_backend *rtl_b;
    fx_layer_dump *dump; /* --layer-outputs of this image, else NULL */
    uint64_t seg_start;  /* RTL cycle of the current segment's start (the previous one's last result word) */
    fx_counters seg_k0;  /* the counters there */
    cosim_seg seg[FX_MAX_LAYERS]; /* this image's segments */
} outs_t;


static void store(layer_out *o, const int32_t *out, uint32_t N, uint32_t M)
{
    size_t n = (size_t)N * M;
    if (n > o->cap) {
        int32_t *v = realloc(o->v, n * sizeof *v);
        if (!v) {
            fprintf(stderr, "flexor cosim: out of memory\n");
            exit(2);
        }
        o->v = v, o->cap = n;
    }
    memcpy(o->v, out, n * sizeof *out);
    o->N = N, o->M = M, o->have = 1;
}

static void out_diverge(outs_t *s, const char *what, uint32_t layer, const layer_out *exp, const int32_t *out,
                        uint32_t N, uint32_t M, uint64_t cycle)
{
    if (s->div.set) return;
    if (exp->N != N || exp->M != M) {
        s->div = (fx_divergence){.set = 1, .layer = (int)layer, .chunk = UINT32_MAX, .plane = UINT32_MAX,
                                 .cycle = cycle, .expected = (int64_t)exp->N * exp->M, .actual = (int64_t)N * M};
        snprintf(s->div.what, sizeof s->div.what, "%s shape (N*M)", what);
        return;
    }
    for (size_t i = 0; i < (size_t)N * M; i++)
        if (exp->v[i] != out[i]) {
            s->div = (fx_divergence){.set = 1, .layer = (int)layer, .n = (uint32_t)(i / M), .m = (uint32_t)(i % M),
                                     .plane = UINT32_MAX, .chunk = UINT32_MAX, .cycle = cycle,
                                     .expected = exp->v[i], .actual = out[i]};
            snprintf(s->div.what, sizeof s->div.what, "%s", what);
            return;
        }
}

static void cb_ref(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    store(&((outs_t *)u)->ref[layer], out, N, M);
}
static void cb_model(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    outs_t *s = u;
    store(&s->model[layer], out, N, M);
    if (s->ref[layer].have) out_diverge(s, "layer output (C model vs reference)", layer, &s->ref[layer], out, N, M,
                                        UINT64_MAX);
}
/* A segment ends at its last result word: its cycles and counters since the previous one's. */
static void seg_mark(outs_t *s, uint32_t layer)
{
    fx_counters k;
    s->rtl_b->counters(s->rtl_b, &k);
    const uint64_t now = fx_rtl_cycle(s->rtl);
    s->seg[layer] = (cosim_seg){.cycles = now - s->seg_start, .busy = k.busy - s->seg_k0.busy,
                                .stall = k.stall - s->seg_k0.stall, .slices = k.slices - s->seg_k0.slices};
    s->seg_start = now, s->seg_k0 = k;
}

static void cb_rtl(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    outs_t *s = u;
    seg_mark(s, layer);
    if (!s->model[layer].have) {
        if (!s->div.set) {
            s->div = (fx_divergence){.set = 1, .layer = (int)layer, .chunk = UINT32_MAX, .plane = UINT32_MAX,
                                     .cycle = fx_rtl_cycle(s->rtl)};
            snprintf(s->div.what, sizeof s->div.what, "layer output the C model did not produce");
        }
        return;
    }
    out_diverge(s, "layer output", layer, &s->model[layer], out, N, M, fx_rtl_cycle(s->rtl));
    if (s->dump) fx_layer_dump_layer(s->dump, layer, out, N, M);
}

static uint64_t rtl_cycle(void *u) { return fx_rtl_cycle(u); }


static void fail(cosim_part *p, int kind, uint64_t img, uint64_t rel)
{
    p->fail_img = img, p->fail_rel = rel;
    __atomic_store_n(&p->kind, kind, __ATOMIC_RELEASE); /* last: a parent that sees it sees the rest */
}

static uint64_t rel(uint64_t cycle, uint64_t start) { return cycle == UINT64_MAX ? UINT64_MAX : cycle - start; }

void cosim_run_range(const cosim_ctx *c, uint64_t lo, uint64_t hi, cosim_part *p, cosim_img *rec, int32_t *logits,
                     fx_progress *pr)
{
    const cosim_opts *o = c->o;
    const fx_hwcfg *cfg = c->cfg;
    const fx_model *m = c->m;
    const double cpu0 = fx_cpu_s();
    char err[512];
    fx_rtl_opts ro = {.xseed = o->seed, .stall = o->stall, .stall_seed = o->seed, .watchdog = o->watchdog,
                      .inject_tap = o->inject, .inject_image = o->inject_image};
    fx_backend *rtl_b = fx_rtl_backend_new(cfg, &ro), *mod_b = fx_accel_model_new(cfg);
    fx_rtl *rtl = fx_rtl_backend_rtl(rtl_b);
    if (o->wave && fx_rtl_wave(rtl, o->wave, o->wave_from, o->wave_to))
        fprintf(stderr, "cosim: this build has no FST support; --wave ignored\n");
    fx_tapbook tb_m; /* the C model's taps are recorded, the RTL's checked against the record */
    fx_tapbook_init(&tb_m, cfg->lanes);
    fx_backend *mod = mod_b, *dut = rtl_b;
    if (o->taps) {
        mod = fx_tap_spy_new(mod_b, &tb_m, cfg);
        dut = fx_tap_spy_new(rtl_b, &tb_m, cfg);
        tb_m.plan = c->plan, tb_m.n_layers = m->n_layers;
        tb_m.cycle = rtl_cycle, tb_m.cycle_user = rtl;
    }
    outs_t *outs = calloc(1, sizeof *outs);
    const uint32_t nc = m->n_classes;
    int32_t *lg = calloc(3 * (size_t)nc, sizeof *lg), *lg_ref = lg, *lg_mod = lg ? lg + nc : NULL;
    if (!outs || !lg) abort();
    outs->rtl = rtl;
    outs->rtl_b = rtl_b;
    const uint32_t clear = (uint32_t)FX_OP_CLEAR_COUNTERS << 24;
    if (fx_driver_load(mod, cfg, m, c->plan, err, sizeof err) || fx_driver_load(dut, cfg, m, c->plan, err, sizeof err) ||
        mod->write(mod, &clear, 1) || dut->write(dut, &clear, 1)) {
        snprintf(p->msg, sizeof p->msg, "cosim: loading the model failed: %s %s", err, fx_rtl_backend_msg(rtl_b));
        fail(p, COSIM_LOAD_FAILED, lo, fx_rtl_cycle(rtl));
        goto out;
    }
    p->load_cycles = fx_rtl_cycle(rtl);
    const double rtl_s0 = fx_rtl_backend_seconds(rtl_b), rtl_c0 = fx_rtl_backend_cpu_seconds(rtl_b);
    /* An image's cycles depend on what ran before it (the first after the load runs 2 cycles shorter): a part
     * that does not start at image 0 first runs the image before its own, as a single process would have. */
    for (uint64_t img = lo ? lo - 1 : 0; img < hi; img++) {
        const uint8_t *x = c->im->images + (size_t)img * c->im->size;
        int32_t *lg_rtl = img < lo ? lg + 2 * nc : logits + (size_t)img * nc;
        const uint64_t start = fx_rtl_cycle(rtl), taps0 = tb_m.compared;
        fx_counters k0, k1;
        rtl_b->counters(rtl_b, &k0);
        fx_rtl_backend_image(rtl_b, img);
        for (uint32_t l = 0; l < m->n_layers; l++) outs->ref[l].have = outs->model[l].have = 0;
        memset(outs->seg, 0, sizeof outs->seg);
        outs->seg_start = start, outs->seg_k0 = k0;
        int c_ref = fx_ref_infer(c->net, x, lg_ref, cb_ref, outs);
        fx_tapbook_rewind(&tb_m, FX_TB_RECORD);
        int c_mod = fx_driver_infer(mod, cfg, m, c->plan, x, lg_mod, o->chain, cb_model, outs);
        if (tb_m.first.set && !outs->div.set) outs->div = tb_m.first;
        fx_tapbook_rewind(&tb_m, FX_TB_CHECK);
        fx_layer_dump dump;
        outs->dump = NULL;
        for (int k = 0; k < c->n_dump && img >= lo; k++)
            if (c->dump_idx[k] == img) {
                if (fx_layer_dump_begin(&dump, o->layer_dir, (uint32_t)img, m, x, err, sizeof err)) {
                    snprintf(p->msg, sizeof p->msg, "flexor cosim: %s", err);
                    fail(p, COSIM_BAD, img, UINT64_MAX);
                    goto out;
                }
                outs->dump = &dump;
            }
        int c_rtl = outs->div.set ? -1 : fx_driver_infer(dut, cfg, m, c->plan, x, lg_rtl, o->chain, cb_rtl, outs);
        if (outs->dump && c_rtl >= 0 && fx_layer_dump_end(outs->dump, lg_rtl)) {
            snprintf(p->msg, sizeof p->msg, "flexor cosim: %s", err);
            fail(p, COSIM_BAD, img, UINT64_MAX);
            goto out;
        }
        if (o->taps && !outs->div.set && c_rtl >= 0) fx_tapbook_finish(&tb_m);
        fx_divergence *d = NULL;
        /* The earliest evidence first: a tap diverges before the layer output it feeds. */
        if (tb_m.first.set) d = &tb_m.first;
        else if (outs->div.set) d = &outs->div;
        if (!d && (c_mod < 0 || c_rtl < 0)) {
            snprintf(p->msg, sizeof p->msg, "cosim: image %" PRIu64 ": %s failed: %s (RTL err %u, C model err %u)", img,
                     c_mod < 0 ? "the C model" : "the RTL", c_rtl < 0 ? fx_rtl_backend_msg(rtl_b) : "",
                     rtl_b->error(rtl_b), mod_b->error(mod_b));
            fail(p, COSIM_FAILED, img, fx_rtl_cycle(rtl) - start);
            break;
        }
        if (!d)
            for (uint32_t k = 0; k < nc && !d; k++)
                if (lg_rtl[k] != lg_ref[k]) {
                    outs->div = (fx_divergence){.set = 1, .layer = (int)m->n_layers - 1, .m = k, .plane = UINT32_MAX,
                                                .chunk = UINT32_MAX, .cycle = fx_rtl_cycle(rtl),
                                                .expected = lg_ref[k], .actual = lg_rtl[k]};
                    snprintf(outs->div.what, sizeof outs->div.what, "logit (RTL vs reference)");
                    d = &outs->div;
                }
        if (!d && c_rtl != c_ref) abort(); /* equal logits give equal classes */
        if (d) {
            p->div = *d;
            p->div.cycle = rel(d->cycle, start);
            fail(p, COSIM_DIVERGED, img, p->div.cycle);
            break;
        }
        if (img < lo) continue; /* the warm-up image: the previous part's */
        rtl_b->counters(rtl_b, &k1);
        rec[img] = (cosim_img){.label = c->im->labels ? c->im->labels[img] : -1, .c_rtl = c_rtl, .c_ref = c_ref,
                               .cycles = fx_rtl_cycle(rtl) - start, .busy = k1.busy - k0.busy,
                               .stall = k1.stall - k0.stall, .slices = k1.slices - k0.slices,
                               .taps = tb_m.compared - taps0};
        for (uint32_t l = 0; l < m->n_layers; l++) {
            cosim_seg *a = &p->seg[l];
            const cosim_seg *b = &outs->seg[l];
            a->cycles += b->cycles, a->busy += b->busy, a->stall += b->stall, a->slices += b->slices;
        }
        __atomic_store_n(&p->done, img + 1 - lo, __ATOMIC_RELEASE);
        if (pr) {
            char extra[64];
            double rs = fx_rtl_backend_seconds(rtl_b) - rtl_s0;
            snprintf(extra, sizeof extra, "%.2f Mcycles/s",
                     rs > 0 ? (double)(fx_rtl_cycle(rtl) - p->load_cycles) / rs / 1e6 : 0);
            fx_progress_update(pr, img + 1, extra);
        }
    }
    p->rtl_wall = fx_rtl_backend_seconds(rtl_b) - rtl_s0;
    p->rtl_cpu = fx_rtl_backend_cpu_seconds(rtl_b) - rtl_c0;
    fx_counters cr, cm;
    rtl_b->counters(rtl_b, &cr);
    mod_b->counters(mod_b, &cm);
    p->slices_rtl = cr.slices, p->slices_model = cm.slices;
out:
    free(lg);
    if (o->taps) {
        mod->destroy(mod);
        dut->destroy(dut);
    }
    fx_tapbook_free(&tb_m);
    rtl_b->destroy(rtl_b); /* closes the FST dump */
    mod_b->destroy(mod_b);
    for (uint32_t l = 0; l < FX_MAX_LAYERS; l++) free(outs->ref[l].v), free(outs->model[l].v);
    free(outs);
    p->cpu = fx_cpu_s() - cpu0;
}
