/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_baseline.h. */
#include "sx_baseline.h"
#include "sx_json.h"
#include "sx_util.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    char name[48];
    double value, tol;
} metric;

unsigned sx_baseline_steps(void)
{
    return SX_STEP_DEC | SX_STEP_PROG | SX_STEP_ENGINE;
}

/* The figures under watch. Gate counts of the XOR networks are exact (ABC is deterministic for one
 * Yosys version); whole-design figures get a few percent so unrelated RTL edits do not trip them. */
static int collect(const sx_result *r, metric *m, int max)
{
    int n = 0;
#define ADD(tol_, fmt, ...)                                                         \
    do {                                                                            \
        if (n < max) {                                                              \
            snprintf(m[n].name, sizeof m[n].name, fmt, __VA_ARGS__);                \
            m[n].tol = tol_;                                                        \
            m[n].value = v;                                                         \
            n++;                                                                    \
        }                                                                           \
    } while (0)
    for (unsigned i = 0; i < r->cfg.hw.n_in_count; i++) {
        const sx_dec_row *d = &r->dec[i];
        double v;
        v = d->dec.total.xor2; ADD(0.0, "dec%u.xor2", d->n_in);
        v = d->dec.total.n2eq; ADD(0.0, "dec%u.nand2_eq", d->n_in);
        v = d->prog.total.n2eq; ADD(0.03, "prog%u.nand2_eq", d->n_in);
    }
    if (r->eng.ok) {
        double v;
        v = r->eng.total.n2eq; ADD(0.05, "%s", "engine.nand2_eq");
        v = r->eng.total.ffs; ADD(0.05, "%s", "engine.ffs");
        v = r->eng.mem_bits; ADD(0.0, "%s", "engine.mem_bits");
        const sx_cat *dc = sx_find_cat(&r->eng, "decrypt");
        v = dc ? dc->g.n2eq : 0; ADD(0.05, "%s", "engine.decrypt_nand2_eq");
    }
#undef ADD
    return n;
}

int sx_baseline_update(const sx_result *r, const char *path)
{
    metric m[64];
    int n = collect(r, m, 64);
    cJSON *j = cJSON_CreateObject(), *mj;
    cJSON_AddStringToObject(j, "yosys", sx_yosys_version());
    cJSON_AddStringToObject(j, "config", r->cfg.hw.name);
    cJSON_AddStringToObject(j, "hash", r->cfg.hash);
    mj = cJSON_AddObjectToObject(j, "metrics");
    for (int i = 0; i < n; i++) {
        cJSON *e = cJSON_AddObjectToObject(mj, m[i].name);
        cJSON_AddNumberToObject(e, "value", round(m[i].value * 100) / 100);
        cJSON_AddNumberToObject(e, "tol", round(m[i].tol * 1000) / 1000);
    }
    int rc = sx_write_json(path, j);
    cJSON_Delete(j);
    if (!rc) fprintf(stderr, "flexor synth: wrote %d baseline figures to %s (review with git diff)\n", n, path);
    return rc ? 2 : 0;
}

int sx_baseline_check(const sx_result *r, const char *path)
{
    if (!sx_file_exists(path)) {
        fprintf(stderr, "flexor synth: %s: no baseline for this Yosys version (make one: synth-update-baselines)\n", path);
        return 2;
    }
    char err[300];
    cJSON *j = sx_json_load(path, err, sizeof err);
    if (!j) { fprintf(stderr, "flexor synth: %s\n", err); return 2; }
    const char *cfg = sx_json_str(j, "config"), *hash = sx_json_str(j, "hash");
    const cJSON *mj = sx_json_obj(j, "metrics");
    if (!cfg || !hash || !mj) { fprintf(stderr, "flexor synth: %s: missing config/hash/metrics\n", path); cJSON_Delete(j); return 2; }
    if (strcmp(cfg, r->cfg.hw.name) || strcmp(hash, r->cfg.hash)) {
        fprintf(stderr, "flexor synth: %s: baseline is for config %s (%s), not %s (%s)\n", path, cfg, hash, r->cfg.hw.name, r->cfg.hash);
        cJSON_Delete(j);
        return 2;
    }
    metric m[64];
    int n = collect(r, m, 64), bad = 0;
    for (int i = 0; i < n; i++) {
        const cJSON *e = sx_json_obj(mj, m[i].name);
        if (!e) { fprintf(stderr, "  %-28s %10.2f  not in the baseline\n", m[i].name, m[i].value); bad++; continue; }
        double b = sx_json_num(e, "value", NAN), t = sx_json_num(e, "tol", 0);
        int ok = fabs(m[i].value - b) <= t * fabs(b) + 0.005;
        fprintf(stderr, "  %-28s %10.2f  baseline %10.2f ± %4.1f %%  %s\n", m[i].name, m[i].value, b, 100 * t, ok ? "ok" : "OUT");
        bad += !ok;
    }
    cJSON_Delete(j);
    if (bad) fprintf(stderr, "flexor synth: %d figure(s) outside the baseline %s; if intended, run the synth-update-baselines target and review the diff\n", bad, path);
    return bad ? 1 : 0;
}
