/* SPDX-License-Identifier: Apache-2.0 */
/* flexor regress: constrained-random layers through the RTL (random stalls on both streams, seeded X
 * values, deadlock watchdog) and the C model; outputs and every tap compared, outputs also against the
 * integer reference. The master seed is printed first; any case replays alone with --case. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/clock.h"
#include "flexor/progress.h"
#include "flexor/outfmt.h"
#include "flexor/perfmodel.h"
#include "flexor/opt.h"
#include "regress_case.h"
#include "rtl_backend.h"
#include "tapbook.h"
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef struct {
    uint64_t layers, seed, kmax, one_case, wave_from, wave_to, err_pct, inject;
    int have_case, quiet, xrand;
    const char *wave, *json;
} opts_t;

typedef struct {
    uint64_t cases, runs, chained, straddle, encrypted, raw, stalled, cycles, taps, outputs;
    uint64_t by_q[33], by_nin[33], by_err[8];
    double rtl_s;
    /* RUN cycles beyond the engine bound N·G·q·(CH [+1 straddle]) and cnt_stall, one-layer cases without host stalls */
    uint64_t ovh_n, ovh_sum, ovh_min, ovh_max;
    /* the performance model's cnt_busy / cnt_stall against the RTL's, cases without stalls or errors */
    uint64_t perf_n, perf_exact;
    double perf_worst; /* largest |predicted − measured| / measured of cnt_busy */
} stats_t;

/* The performance model against the RTL's counters after a stall-free case: every RUN but the last runs to
 * its end, the last up to its final result word (FX_PERF_RUN_TAIL cycles before its end), where the host
 * stopped clocking. More than 2 % off on cnt_busy, or cnt_stall different, is a failure (msg). */
static void perf_check(const fx_hwcfg *cfg, const fx_rcase *c, const fx_counters *cr, stats_t *st, char *msg, size_t n)
{
    uint64_t busy = 0, stall = 0;
    for (uint32_t i = 0; i < c->m.n_layers; i++) {
        const fx_layer *l = &c->m.layers[i];
        fx_perf_shape s = {.K = l->K, .M = l->M, .N = c->N, .q = l->q, .straddle = (l->flags & FX_F_STRADDLE) != 0,
                           .dst_stream = i + 1 == c->m.n_layers};
        fx_perf_run r;
        fx_perf_run_cycles(cfg, &s, &r);
        busy += r.busy, stall += r.stall;
    }
    busy -= FX_PERF_RUN_TAIL;
    const double err = cr->busy ? fabs((double)busy - (double)cr->busy) / (double)cr->busy : 1;
    st->perf_n++;
    st->perf_exact += busy == cr->busy && stall == cr->stall;
    if (err > st->perf_worst) st->perf_worst = err;
    if (err > 0.02 || stall != cr->stall)
        snprintf(msg, n, "performance model: cnt_busy %" PRIu64 " cnt_stall %" PRIu64 " predicted, RTL %" PRIu64 " %" PRIu64,
                 busy, stall, cr->busy, cr->stall);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: flexor regress [options]\n"
               "  --layers N      random layers (RUNs) to run (default 200)\n"
               "  --seed S        master seed (default: from the clock; printed first)\n"
               "  --kmax K        largest fan-in drawn (default k_max of the configuration)\n"
               "  --errors P      percent of cases that start with an erroneous command (default 10)\n"
               "  --case I        run only case I of the seed (replay)\n"
               "  --no-xrand      registers and memories start at 0 instead of seeded random values\n"
               "  --wave FILE --wave-from C --wave-to C   FST waveform (with --case)\n"
               "  --json FILE     summary\n"
               "  --quiet         no progress bar\n"
               "  --inject-fault K  corrupt the RTL's K-th lane psum tap in every case (tests the checker)\n"
               "exit status: 0 all bit-exact, 1 a mismatch, 2 bad input\n");
}

static int parse(int argc, char **argv, opts_t *o)
{
    static const struct option lo[] = {{"layers", 1, 0, 'n'}, {"seed", 1, 0, 's'},      {"kmax", 1, 0, 'k'},
                                       {"case", 1, 0, 'c'},   {"wave", 1, 0, 'w'},      {"wave-from", 1, 0, 'f'},
                                       {"wave-to", 1, 0, 't'}, {"json", 1, 0, 'J'},     {"quiet", 0, 0, 'q'},
                                       {"no-xrand", 0, 0, 'X'}, {"errors", 1, 0, 'E'}, {"inject-fault", 1, 0, 'I'},
                                       {"help", 0, 0, 'h'},    {0, 0, 0, 0}};
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    *o = (opts_t){.layers = 200, .err_pct = 10, .seed = (uint64_t)ts.tv_sec * 1000003u ^ (uint64_t)ts.tv_nsec, .xrand = 1,
                  .wave_to = UINT64_MAX};
    o->seed %= 1000000000u;
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":h", lo, NULL)) != -1) {
        switch (c) {
        case 'n': if (fx_parse_u64(optarg, 1, UINT64_MAX, &o->layers)) return fx_opt_bad_value("regress", "layers", optarg, "a positive count"); break;
        case 's': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->seed)) return fx_opt_bad_value("regress", "seed", optarg, "a non-negative integer"); break;
        case 'k': if (fx_parse_u64(optarg, 1, UINT32_MAX, &o->kmax)) return fx_opt_bad_value("regress", "kmax", optarg, "a fan-in 1..4294967295"); break;
        case 'c': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->one_case)) return fx_opt_bad_value("regress", "case", optarg, "a case index"); o->have_case = 1; break;
        case 'w': o->wave = optarg; break;
        case 'f': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->wave_from)) return fx_opt_bad_value("regress", "wave-from", optarg, "a cycle number"); break;
        case 't': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->wave_to)) return fx_opt_bad_value("regress", "wave-to", optarg, "a cycle number"); break;
        case 'J': o->json = optarg; break;
        case 'q': o->quiet = 1; break;
        case 'X': o->xrand = 0; break;
        case 'I': if (fx_parse_u64(optarg, 0, UINT64_MAX, &o->inject)) return fx_opt_bad_value("regress", "inject-fault", optarg, "a tap index"); break;
        case 'E': if (fx_parse_u64(optarg, 0, 100, &o->err_pct)) return fx_opt_bad_value("regress", "errors", optarg, "a percentage 0..100"); break;
        case 'h': usage(stdout); exit(0);
        default: return fx_opt_error("regress", c, argv);
        }
    }
    if (optind != argc) return fx_opt_fail("regress", "unexpected argument '%s'", argv[optind]);
    return 0;
}

static uint64_t rtl_cycle(void *u) { return fx_rtl_cycle(u); }

/* Returns 0 (bit-exact), 1 (mismatch, reported), 2 (could not run). */
static int run_case(const fx_hwcfg *cfg, const opts_t *o, uint64_t index, stats_t *st)
{
    fx_rcase c;
    uint64_t seed = fx_rcase_seed(o->seed, index);
    if (fx_rcase_make(&c, cfg, seed, o->kmax ? (uint32_t)o->kmax : cfg->k_max, (unsigned)o->err_pct))
        return 2;
    uint32_t *words = NULL;
    size_t nw = fx_rcase_words(&c, cfg, &words);
    const fx_layer *last = &c.m.layers[c.m.n_layers - 1];
    const size_t nout = (size_t)c.N * last->M;
    int32_t *out_m = calloc(nout, sizeof *out_m), *out_r = calloc(nout, sizeof *out_r),
            *out_ref = calloc(nout, sizeof *out_ref);
    fx_rtl_opts ro = {.xseed = o->xrand ? seed | 1 : 0, .stall = c.stall, .stall_seed = seed, .watchdog = 100000,
                      .inject_tap = o->inject};
    fx_backend *mb = fx_accel_model_new(cfg), *rb = fx_rtl_backend_new(cfg, &ro);
    fx_rtl *rtl = fx_rtl_backend_rtl(rb);
    if (o->wave && fx_rtl_wave(rtl, o->wave, o->wave_from, o->wave_to))
        fprintf(stderr, "regress: this build has no FST support; --wave ignored\n");
    fx_tapbook tb;
    fx_tapbook_init(&tb, cfg->lanes);
    tb.cycle = rtl_cycle, tb.cycle_user = rtl;
    fx_backend *ms = fx_tap_spy_new(mb, &tb, cfg), *rs = fx_tap_spy_new(rb, &tb, cfg);
    int status = 2;
    if (!nw || !out_m || !out_r || !out_ref || !ms || !rs) goto done;
    char msg[400] = "";
    uint64_t cyc0 = 0;
    fx_tapbook_rewind(&tb, FX_TB_RECORD);
    char lerr[300] = "";
    if (fx_driver_load(ms, cfg, &c.m, &c.plan, lerr, sizeof lerr) || ms->write(ms, words, nw) ||
        ms->read(ms, (uint32_t *)out_m, nout)) {
        snprintf(msg, sizeof msg, "the C model failed (err %u) %s", mb->error(mb), lerr);
    } else {
        fx_divergence rec = tb.first;
        fx_tapbook_rewind(&tb, FX_TB_CHECK);
        cyc0 = fx_rtl_cycle(rtl);
        if (rec.set) tb.first = rec;
        else if (fx_driver_load(rs, cfg, &c.m, &c.plan, lerr, sizeof lerr) || rs->write(rs, words, nw) ||
                 rs->read(rs, (uint32_t *)out_r, nout))
            snprintf(msg, sizeof msg, "RTL: %s (err %u) %s", fx_rtl_backend_msg(rb), rb->error(rb), lerr);
        else fx_tapbook_finish(&tb);
    }
    fx_divergence *d = tb.first.set ? &tb.first : NULL, od = {0};
    if (!msg[0] && !d) {
        if (fx_rcase_reference(&c, cfg, out_ref)) {
            snprintf(msg, sizeof msg, "the reference could not prepare the model");
        } else {
            for (size_t i = 0; i < nout && !d; i++) {
                const char *what = out_r[i] != out_m[i] ? "output (RTL vs C model)"
                                   : out_m[i] != out_ref[i] ? "output (C model vs reference)" : NULL;
                if (!what) continue;
                od = (fx_divergence){.set = 1, .layer = (int)c.m.n_layers - 1, .run = c.m.n_layers - 1,
                                     .n = (uint32_t)(i / last->M), .m = (uint32_t)(i % last->M),
                                     .plane = UINT32_MAX, .chunk = UINT32_MAX, .cycle = fx_rtl_cycle(rtl),
                                     .expected = out_r[i] != out_m[i] ? out_m[i] : out_ref[i],
                                     .actual = out_r[i] != out_m[i] ? out_r[i] : out_m[i]};
                snprintf(od.what, sizeof od.what, "%s", what);
                d = &od;
            }
            fx_counters cm, cr;
            mb->counters(mb, &cm);
            rb->counters(rb, &cr);
            uint32_t em = mb->error(mb), er = rb->error(rb);
            if (!d && em != er) snprintf(msg, sizeof msg, "error codes differ: C model %u, RTL %u", em, er);
            else if (!d && c.n_bad && !em)
                snprintf(msg, sizeof msg, "the erroneous command (meant for code %u) raised no error", c.bad_code);
            else if (!d && !c.n_bad && em) snprintf(msg, sizeof msg, "unexpected error code %u in both models", em);
            else if (!d && cm.slices != cr.slices)
                snprintf(msg, sizeof msg, "cnt_slices: C model %" PRIu64 ", RTL %" PRIu64, cm.slices, cr.slices);
            else if (!d && !c.n_bad && c.stall == 0) perf_check(cfg, &c, &cr, st, msg, sizeof msg);
        }
    }
    if (d || msg[0]) {
        char desc[600];
        fx_rcase_describe(&c, desc, sizeof desc);
        if (!o->quiet) fputc('\n', stderr);
        fprintf(stderr, "regress: MISMATCH case %" PRIu64 " (case seed %" PRIu64 "): %s\n", index, seed, desc);
        uint64_t cyc = d ? d->cycle : fx_rtl_cycle(rtl);
        if (d)
            fprintf(stderr,
                    "  RUN %u, %s at n=%u m=%u plane=%d chunk=%d, cycle %" PRId64 ": expected %" PRId64
                    ", got %" PRId64 "\n",
                    d->run, d->what, d->n, d->m, d->plane == UINT32_MAX ? -1 : (int)d->plane,
                    d->chunk == UINT32_MAX ? -1 : (int)d->chunk, d->cycle == UINT64_MAX ? -1 : (int64_t)d->cycle,
                    d->expected, d->actual);
        else fprintf(stderr, "  %s\n", msg);
        fprintf(stderr, "  config hash 0x%08X; rerun: flexor regress --seed %" PRIu64 " --case %" PRIu64 "%s", fx_hwcfg_hash(cfg),
                o->seed, index, o->kmax ? "" : "");
        if (o->kmax) fprintf(stderr, " --kmax %" PRIu64, o->kmax);
        if (o->err_pct != 10) fprintf(stderr, " --errors %" PRIu64, o->err_pct);
        if (o->inject) fprintf(stderr, " --inject-fault %" PRIu64, o->inject);
        if (!o->xrand) fprintf(stderr, " --no-xrand");
        if (cyc != UINT64_MAX)
            fprintf(stderr, " --wave regress_fail.fst --wave-from %" PRIu64 " --wave-to %" PRIu64,
                    cyc > cyc0 + 2000 ? cyc - 2000 : cyc0 > 50 ? cyc0 - 50 : 0, cyc + 100);
        fprintf(stderr, "\n");
        status = 1;
        goto done;
    }
    status = 0;
    st->cases++;
    st->runs += c.m.n_layers;
    st->chained += c.m.n_layers > 1;
    st->stalled += c.stall > 0;
    if (c.n_bad) st->by_err[mb->error(mb) & 7]++;
    for (uint32_t i = 0; i < c.m.n_layers; i++) {
        const fx_layer *l = &c.m.layers[i];
        st->straddle += !!(l->flags & FX_F_STRADDLE);
        st->encrypted += !!(l->flags & FX_F_ENCRYPTED);
        st->raw += !(l->flags & FX_F_RELU_U8);
        st->by_q[l->q]++;
        st->by_nin[(l->flags & FX_F_ENCRYPTED) ? l->n_in : 0]++;
    }
    if (c.m.n_layers == 1 && !c.n_bad && c.stall == 0) {
        fx_counters cr;
        rb->counters(rb, &cr);
        const fx_layer *l = &c.m.layers[0];
        uint64_t CH = (l->K + cfg->n_out - 1) / cfg->n_out, G = (l->M + cfg->lanes - 1) / cfg->lanes;
        uint64_t bound = (uint64_t)c.N * G * l->q * (CH + ((l->flags & FX_F_STRADDLE) ? 1 : 0));
        uint64_t ovh = cr.busy - cr.stall - bound;
        if (cr.busy >= cr.stall + bound) {
            if (!st->ovh_n || ovh < st->ovh_min) st->ovh_min = ovh;
            if (ovh > st->ovh_max) st->ovh_max = ovh;
            st->ovh_n++, st->ovh_sum += ovh;
        }
    }
    st->cycles += fx_rtl_cycle(rtl) - cyc0;
    st->taps += tb.compared;
    st->outputs += nout;
done:
    st->rtl_s += fx_rtl_backend_cpu_seconds(rb);
    if (ms) ms->destroy(ms);
    if (rs) rs->destroy(rs);
    mb->destroy(mb);
    rb->destroy(rb);
    fx_tapbook_free(&tb);
    free(words), free(out_m), free(out_r), free(out_ref);
    fx_rcase_free(&c);
    return status;
}

int fx_cmd_regress(int argc, char **argv)
{
    opts_t o;
    if (parse(argc, argv, &o)) return 2;
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    printf("regress: seed %" PRIu64 "\n", o.seed);
    fflush(stdout);
    stats_t st = {0};
    double t0 = fx_wall_s();
    int status = 0;
    if (o.have_case) {
        status = run_case(cfg, &o, o.one_case, &st);
    } else {
        fx_progress pr;
        fx_progress_start(&pr, "layers", o.layers, o.quiet ? FX_PROGRESS_OFF : FX_PROGRESS_ON);
        for (uint64_t i = 0; st.runs < o.layers; i++) {
            status = run_case(cfg, &o, i, &st);
            if (status) break;
            char extra[48];
            snprintf(extra, sizeof extra, "%" PRIu64 " cases", st.cases);
            fx_progress_update(&pr, st.runs < o.layers ? st.runs : o.layers, extra);
        }
        if (!status) fx_progress_end(&pr);
    }
    double wall = fx_wall_s() - t0;
    printf("regress: %s, %" PRIu64 " cases, %" PRIu64 " layers (RUNs), seed %" PRIu64 "\n",
           status ? "FAILED" : "all bit-exact", st.cases, st.runs, o.seed);
    printf("  %-28s %" PRIu64 "\n", "two-layer chains", st.chained);
    printf("  %-28s %" PRIu64 " / %" PRIu64 "\n", "straddle / aligned", st.straddle, st.runs - st.straddle);
    printf("  %-28s %" PRIu64 " / %" PRIu64 "\n", "raw / relu_u8", st.raw, st.runs - st.raw);
    printf("  %-28s", "layers by N_in (0 = plain)");
    for (int k = 0; k <= 32; k++)
        if (st.by_nin[k]) printf(" %d:%" PRIu64, k, st.by_nin[k]);
    printf("\n  %-28s", "layers by q");
    for (int k = 1; k <= 32; k++)
        if (st.by_q[k]) printf(" %d:%" PRIu64, k, st.by_q[k]);
    printf("\n  %-28s", "error cases by code");
    for (int k = 1; k < 8; k++)
        if (st.by_err[k]) printf(" %d:%" PRIu64, k, st.by_err[k]);
    printf("\n  %-28s %" PRIu64 "\n", "cases with stalls", st.stalled);
    printf("  %-28s %" PRIu64 " / %" PRIu64 "\n", "outputs / taps compared", st.outputs, st.taps);
    printf("  %-28s %" PRIu64 " (%.2f M per CPU-second in the RTL)\n", "RTL cycles", st.cycles,
           st.rtl_s > 0 ? (double)st.cycles / st.rtl_s / 1e6 : 0);
    if (st.ovh_n)
        printf("  %-28s min %" PRIu64 ", mean %.1f, max %" PRIu64 " cycles (%" PRIu64 " one-layer RUNs)\n",
               "RUN overhead over bound", st.ovh_min, (double)st.ovh_sum / (double)st.ovh_n, st.ovh_max, st.ovh_n);
    if (st.perf_n)
        printf("  %-28s %" PRIu64 " of %" PRIu64 " stall-free cases exact (cnt_busy, cnt_stall), worst %.2f %%\n",
               "performance model", st.perf_exact, st.perf_n, 100.0 * st.perf_worst);
    printf("  %-28s %.1f s\n", "wall time", wall);
    if (o.json) {
        const double f[] = {status, (double)st.cases, (double)st.runs, (double)st.chained,
                            (double)st.straddle, (double)st.raw, (double)st.stalled, (double)st.outputs, (double)st.taps,
                            (double)st.cycles, wall, (double)st.perf_n, (double)st.perf_exact, 100.0 * st.perf_worst};
        const char *k[] = {"status", "cases", "layers", "chained", "straddle", "raw", "stalled", "outputs", "taps",
                           "rtl_cycles", "wall_s", "perf_cases", "perf_exact", "perf_worst_pct"};
        cJSON *j = cJSON_CreateObject();
        char seed[24]; /* a 64-bit seed is exact as raw digits, not as a double */
        snprintf(seed, sizeof seed, "%" PRIu64, o.seed);
        cJSON_AddRawToObject(j, "seed", seed);
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) cJSON_AddNumberToObject(j, k[i], f[i]);
        char err[1200];
        if (fx_write_json(o.json, j, err, sizeof err)) {
            fprintf(stderr, "flexor regress: %s\n", err);
            if (!status) status = 2;
        }
        cJSON_Delete(j);
    }
    return status;
}
