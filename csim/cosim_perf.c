/* SPDX-License-Identifier: Apache-2.0 */
/* See cosim_perf.h. */
#include "cosim_perf.h"
#include "flexor/fsutil.h"
#include <math.h>
#include <string.h>

uint32_t cosim_perf_rows(const fx_hwcfg *cfg, const fx_model *m, int chain, uint64_t n, const cosim_seg *seg,
                         cosim_perf_row *rows)
{
    fx_perf_layer first[FX_MAX_LAYERS], later[FX_MAX_LAYERS];
    /* a version-2 chain is one driver segment: the image once, a RUNX per layer, the logits at the end */
    const int v2 = fx_model_is_v2(m);
    if (!n || (v2 ? fx_perf_model_v2(cfg, m, 0, first) || fx_perf_model_v2(cfg, m, 1, later)
                  : fx_perf_model(cfg, m, chain, 0, first) || fx_perf_model(cfg, m, chain, 1, later)))
        return 0;
    if (v2 && !seg[m->n_layers - 1].cycles) return 0; /* a pooled last layer reports no segment */
    const double nn = (double)n;
    uint32_t k = 0;
    for (uint32_t i = 0; i < m->n_layers;) {
        const uint32_t last = v2 ? m->n_layers - 1 : fx_driver_segment_end(m, i, chain);
        cosim_perf_row *r = &rows[k++];
        memset(r, 0, sizeof *r);
        r->first = i, r->last = last, r->shape = later[i].shape, r->v2 = v2;
        for (uint32_t l = i; l <= last; l++) {
            /* image 0 follows the model load, every later image a RUN (its predecessor's last) */
            r->pred += ((double)first[l].total + (nn - 1) * (double)later[l].total) / nn;
            r->run_pred += (double)later[l].run.busy;
            r->stall_pred += (double)later[l].run.stall;
            r->mac_bound += later[l].mac_bound;
        }
        /* cnt_busy of a segment: its RUNs but the last one's final cycles, which the next segment counts */
        r->run_pred += ((double)first[i].wait + (nn - 1) * (double)later[i].wait) / nn - FX_PERF_RUN_TAIL;
        const cosim_seg *s = &seg[last];
        r->meas = (double)s->cycles / nn, r->run_meas = (double)s->busy / nn, r->stall_meas = (double)s->stall / nn;
        r->err_pct = r->meas > 0 ? 100.0 * (r->pred - r->meas) / r->meas : 0;
        r->util_run = r->run_meas > 0 ? r->mac_bound / r->run_meas : 0;
        r->util_all = r->meas > 0 ? r->mac_bound / r->meas : 0;
        i = last + 1;
    }
    return k;
}

static void shape_str(const cosim_perf_row *r, char *s, size_t n)
{
    if (r->v2)
        snprintf(s, n, "v2 chain, %u RUNX", r->last - r->first + 1);
    else if (r->last > r->first)
        snprintf(s, n, "FC chain, %u RUNs", r->last - r->first + 1);
    else
        snprintf(s, n, "%ux%ux%u q%u%s", r->shape.K, r->shape.M, r->shape.N, r->shape.q, r->shape.straddle ? " str" : "");
}

void cosim_perf_print(FILE *f, const cosim_perf_row *rows, uint32_t n_rows, int stalled)
{
    fprintf(f, "  per layer, cycles / inference: model (sw/src/perfmodel.c, docs/perf.md) vs RTL%s\n",
            stalled ? " (stalls on: the model predicts the stall-free cycles)" : "");
    fprintf(f, "  %-6s %-22s %10s %10s %7s %10s %10s %8s %8s %10s %6s %6s\n", "layer", "K x M x N", "predicted",
            "measured", "error", "RUN pred", "RUN meas", "stall p", "stall m", "MAC-bound", "util", "u.all");
    for (uint32_t i = 0; i < n_rows; i++) {
        const cosim_perf_row *r = &rows[i];
        char lay[24], shape[64];
        if (r->last > r->first) snprintf(lay, sizeof lay, "%u-%u", r->first, r->last);
        else snprintf(lay, sizeof lay, "%u", r->first);
        shape_str(r, shape, sizeof shape);
        fprintf(f, "  %-6s %-22s %10.1f %10.1f %6.2f%% %10.1f %10.1f %8.1f %8.1f %10.1f %5.1f%% %5.1f%%\n", lay, shape,
                r->pred, r->meas, r->err_pct, r->run_pred, r->run_meas, r->stall_pred, r->stall_meas, r->mac_bound,
                100.0 * r->util_run, 100.0 * r->util_all);
    }
}

double cosim_perf_worst(const cosim_perf_row *rows, uint32_t n_rows)
{
    double w = 0;
    for (uint32_t i = 0; i < n_rows; i++)
        if (fabs(rows[i].err_pct) > w) w = fabs(rows[i].err_pct);
    return w;
}

cJSON *cosim_perf_json(const cosim_perf_row *rows, uint32_t n_rows)
{
    cJSON *a = cJSON_CreateArray();
    for (uint32_t i = 0; i < n_rows; i++) {
        const cosim_perf_row *r = &rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "first_layer", r->first);
        cJSON_AddNumberToObject(o, "last_layer", r->last);
        cJSON_AddNumberToObject(o, "K", r->shape.K);
        cJSON_AddNumberToObject(o, "M", r->shape.M);
        cJSON_AddNumberToObject(o, "N", r->shape.N);
        cJSON_AddNumberToObject(o, "q", r->shape.q);
        cJSON_AddBoolToObject(o, "straddle", r->shape.straddle);
        cJSON_AddNumberToObject(o, "predicted_cycles", r->pred);
        cJSON_AddNumberToObject(o, "measured_cycles", r->meas);
        cJSON_AddNumberToObject(o, "error_pct", r->err_pct);
        cJSON_AddNumberToObject(o, "predicted_busy", r->run_pred);
        cJSON_AddNumberToObject(o, "measured_busy", r->run_meas);
        cJSON_AddNumberToObject(o, "predicted_stall", r->stall_pred);
        cJSON_AddNumberToObject(o, "measured_stall", r->stall_meas);
        cJSON_AddNumberToObject(o, "mac_bound_cycles", r->mac_bound);
        cJSON_AddNumberToObject(o, "mac_utilisation_run", r->util_run);
        cJSON_AddNumberToObject(o, "mac_utilisation", r->util_all);
        cJSON_AddItemToArray(a, o);
    }
    return a;
}

int cosim_perf_csv(const char *path, const cosim_perf_row *rows, uint32_t n_rows, char *err, size_t errlen)
{
    fx_out out;
    FILE *f = fx_out_open(&out, path, err, errlen);
    if (!f) return -1;
    fprintf(f, "first_layer,last_layer,K,M,N,q,straddle,predicted_cycles,measured_cycles,error_pct,predicted_busy,"
               "measured_busy,predicted_stall,measured_stall,mac_bound_cycles,mac_utilisation_run,mac_utilisation\n");
    for (uint32_t i = 0; i < n_rows; i++) {
        const cosim_perf_row *r = &rows[i];
        fprintf(f, "%u,%u,%u,%u,%u,%u,%d,%.3f,%.3f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%.5f,%.5f\n", r->first, r->last,
                r->shape.K, r->shape.M, r->shape.N, r->shape.q, r->shape.straddle, r->pred, r->meas, r->err_pct,
                r->run_pred, r->run_meas, r->stall_pred, r->stall_meas, r->mac_bound, r->util_run, r->util_all);
    }
    return fx_out_commit(&out, err, errlen);
}
