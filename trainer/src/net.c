/* SPDX-License-Identifier: Apache-2.0 */
/* The network of a description: its fused layers built with their weight settings, the data-parallel
 * replica, one training step, evaluation (forward and backward of the layers: netops.c). */
#include "tr.h"
#include "flexor/opt.h"
#include <cblas.h>
#include <pthread.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int tr_parse_spec(const char *s, int q_flexor, const fx_hwcfg *cfg, tr_layer_spec *sp, char *err, size_t errlen)
{
    memset(sp, 0, sizeof *sp);
    if (!strcmp(s, "fp") || !strcmp(s, "float")) { sp->kind = TR_W_FP; sp->q = 1; return 0; }
    if (!strcmp(s, "binary") || !strcmp(s, "bin")) { sp->kind = TR_W_BIN; sp->q = 1; sp->n_in = (int)cfg->n_out; return 0; }
    if (s[0] == 'q') {
        int q;
        if (fx_parse_int(s + 1, 1, (int)cfg->q_max, &q)) {
            snprintf(err, errlen, "bad layer setting '%s': qN needs 1 <= N <= %u", s, cfg->q_max);
            return -1;
        }
        sp->kind = TR_W_BIN; sp->q = (int)q; sp->n_in = (int)cfg->n_out;
        return 0;
    }
    double b;
    if (fx_parse_double(s, 1e-3, 64, &b)) {
        snprintf(err, errlen, "bad layer setting '%s' (fp, binary, qN or bits per weight such as 0.8)", s);
        return -1;
    }
    int q = q_flexor > 0 ? q_flexor : (int)ceil(b - 1e-9);
    double nin = b * cfg->n_out / q;
    int n_in = (int)lround(nin);
    int ok = fabs(nin - n_in) < 1e-6 && q >= 1 && q <= (int)cfg->q_max;
    int in_set = 0;
    for (uint32_t i = 0; i < cfg->n_in_count; i++) in_set |= cfg->n_in[i] == (uint32_t)n_in;
    if (!ok || !in_set) {
        snprintf(err, errlen, "bits %s with q=%d needs N_in = %.3g, not one of the configuration's N_in values", s, q, nin);
        return -1;
    }
    sp->kind = TR_W_FLEXOR; sp->q = q; sp->n_in = n_in;
    return 0;
}

static void *zalloc(size_t n) { return calloc(n ? n : 1, sizeof(float)); }

/* Two workers' BN sums: double-buffered, so a worker one reduction ahead never writes what the other
 * still reads (the barrier keeps them at most one apart). */
struct tr_bnsync {
    pthread_barrier_t bar;
    double *buf[2][2]; /* [generation parity][worker] */
    uint32_t cap;
    int active;        /* both workers are in a training step */
};

static uint32_t sync_channels(const tr_net *n)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n->n_layers; i++) c = n->L[i].out_c > c ? n->L[i].out_c : c;
    return c;
}

void tr_net_allreduce(tr_net *n, double *vals, uint32_t k)
{
    struct tr_bnsync *s = n->sync;
    if (!s || !s->active) return;
    const unsigned p = n->sync_gen++ & 1;
    memcpy(s->buf[p][n->wid], vals, k * sizeof(double));
    pthread_barrier_wait(&s->bar);
    for (uint32_t i = 0; i < k; i++) vals[i] = s->buf[p][0][i] + s->buf[p][1][i];
}

/* A layer's own buffers for batches of B (the scratch shared by the layers is the network's). */
static int layer_alloc(tr_layer *l, uint32_t B)
{
    size_t zz = (size_t)B * l->out_c * l->N, zo = (size_t)B * l->out_c * l->po_h * l->po_w;
    const int pooled = l->pool || l->avgpool;
    l->z = zalloc(zz); l->y = zalloc(zz);
    l->zn = l->bn ? zalloc(zz) : NULL;
    l->out = pooled ? zalloc(zo) : l->y;
    l->dout = zalloc(zo);
    l->pidx = l->pool ? calloc(zo, sizeof(uint32_t)) : NULL;
    return l->z && l->y && (!l->bn || l->zn) && l->out && l->dout && (!l->pool || l->pidx) ? 0 : -1;
}

/* The network's scratch: a chunk's im2col columns and their gradient (an FC layer's gathered input and
 * its gradient), the pool gradient and dz of the largest layer. */
static int scratch_alloc(tr_net *n, uint32_t B)
{
    size_t cols = 0, act = 0;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        const tr_layer *l = &n->L[i];
        const size_t a = (size_t)B * l->out_c * l->N;
        /* a conv layer's chunk of columns, an FC layer's gathered input [B][K] */
        const size_t c = l->type == TR_CONV ? (size_t)l->K * l->N * tr_conv_chunk(l->K, l->N, B) : (size_t)l->K * B;
        cols = c > cols ? c : cols;
        act = a > act ? a : act;
    }
    const uint32_t maxc = sync_channels(n);
    n->cols = zalloc(cols); n->dcols = zalloc(cols); n->tmp = zalloc(act); n->dz = zalloc(act);
    n->red = calloc(2 * (size_t)maxc + 1, sizeof(double));
    return n->cols && n->dcols && n->tmp && n->dz && n->red ? 0 : -1;
}

/* Weight settings of the nl layers: a --bits list (one per layer) overrides everything; else a layer's
 * bits=/nin= replace --bits (middle layers) and --edge (first, last); q= replaces --q (docs/net.md). */
static int layer_specs(const fx_netdesc *nd, const tr_arch *arch, uint32_t nl, const fx_train_opts *o,
                       const fx_hwcfg *cfg, tr_layer_spec *spec, int *all_float, char *err, size_t errlen)
{
    char why[512];
    *all_float = 0;
    if (strchr(o->bits, ',')) {
        char items[FXT_MAX_LAYERS][32];
        int k = fx_split_list(o->bits, items[0], sizeof items[0], FXT_MAX_LAYERS);
        if (k != (int)nl) {
            snprintf(err, errlen, "--bits %s: network %s has %u layers, give one setting per layer", o->bits, nd->name, nl);
            return -1;
        }
        for (uint32_t i = 0; i < nl; i++)
            if (tr_parse_spec(items[i], arch[i].src_line->q ? arch[i].src_line->q : o->q, cfg, &spec[i], err, errlen)) return -1;
        return 0;
    }
    *all_float = !strcmp(o->bits, "fp") || !strcmp(o->bits, "float");
    tr_layer_spec mid, edge;
    if (tr_parse_spec(o->bits, o->q, cfg, &mid, err, errlen)) return -1;
    if (tr_parse_spec(*all_float ? "fp" : o->edge, 0, cfg, &edge, err, errlen)) return -1;
    if (edge.kind == TR_W_FLEXOR) { snprintf(err, errlen, "--edge %s: first/last layers are unencrypted (fp, binary, qN)", o->edge); return -1; }
    for (uint32_t i = 0; i < nl; i++) {
        const fx_net_layer *l = arch[i].src_line;
        const int is_edge = i == 0 || i == nl - 1, q = l->q ? l->q : o->q;
        spec[i] = is_edge ? edge : mid;
        if (*all_float) continue;
        int rc = 0;
        if (l->bits[0]) {
            rc = tr_parse_spec(l->bits, q, cfg, &spec[i], why, sizeof why);
        } else if (l->n_in) {
            char b[32];
            snprintf(b, sizeof b, "%.17g", (double)(q ? q : 1) * l->n_in / cfg->n_out);
            rc = tr_parse_spec(b, q ? q : 1, cfg, &spec[i], why, sizeof why);
        } else if (l->q && !is_edge) {
            rc = tr_parse_spec(o->bits, q, cfg, &spec[i], why, sizeof why);
        }
        if (rc) { snprintf(err, errlen, "%s:%d: %s", nd->source, l->line, why); return -1; }
    }
    return 0;
}

static int net_build(tr_net *n, const fx_netdesc *nd, const fx_train_opts *o, const fx_hwcfg *cfg, uint32_t batch,
                     char *err, size_t errlen)
{
    memset(n, 0, sizeof *n);
    n->cfg = cfg; n->batch = batch; n->in_c = 1; n->in_h = TR_SIDE; n->in_w = TR_SIDE; n->n_classes = TR_CLASSES;
    snprintf(n->net_name, sizeof n->net_name, "%s", nd->name);
    fx_netdesc_digest(nd, n->net_digest);
    tr_arch arch[FXT_MAX_LAYERS];
    uint32_t nl;
    if (tr_net_map(nd, o->bn, arch, &nl, err, errlen)) return -1;
    tr_layer_spec spec[FXT_MAX_LAYERS];
    int all_float, any_bn = 0;
    if (layer_specs(nd, arch, nl, o, cfg, spec, &all_float, err, errlen)) return -1;
    tr_rng rng = {o->seed ^ 0x7472616E6572ull};
    n->n_layers = nl;
    if (tr_net_v1(nd, arch, nl, n->v1_why, sizeof n->v1_why) == 0) n->v1_why[0] = 0;
    if (o->format == 1 && n->v1_why[0]) { snprintf(err, errlen, "--format 1: %s", n->v1_why); return -1; }
    /* the XOR slices are trained in the K order of the format they are exported in */
    n->v2 = o->format == 2 || n->v1_why[0];
    for (uint32_t i = 0; i < nl; i++) {
        tr_layer *l = &n->L[i];
        const tr_arch *ar = &arch[i];
        const fx_net_layer *src = ar->src_line;
        uint32_t c = n->in_c, h = n->in_h, w = n->in_w;
        if (ar->src != TR_SRC_INPUT) { c = n->L[ar->src].out_c; h = n->L[ar->src].po_h; w = n->L[ar->src].po_w; }
        l->type = ar->type; l->in_c = c; l->in_h = h; l->in_w = w; l->pool = ar->pool; l->avgpool = ar->avgpool;
        l->src = ar->src; l->res = ar->res; l->res_pad = ar->res_pad; l->relu = ar->relu;
        l->stride = ar->stride; l->pad = ar->pad;
        l->kpos = ar->type == TR_CONV && n->v2;
        /* zero padding of the input is the raw pixel 0, as an integer model pads its uint8 input */
        l->pad_val = ar->src == TR_SRC_INPUT ? -TR_MEAN / TR_STD : 0.0f;
        l->last = i == nl - 1;
        l->use_dnn = !o->conv_gemm;
        l->act_quant = l->relu && o->act_quant && !all_float;
        if (l->type == TR_FC) {
            l->kh = l->kw = 1; l->K = c * h * w; l->N = 1;
            l->out_c = ar->c; l->out_h = l->out_w = 1;
            l->in_c = c * h * w; l->in_h = l->in_w = 1; /* an FC layer reads the flattened input: CHW (v1), HWC (v2) */
            l->fc_c = n->v2 && h * w > 1 ? c : 0;
        } else {
            l->kh = ar->kh; l->kw = ar->kw; l->K = c * l->kh * l->kw;
            l->out_c = ar->c;
            l->out_h = (h + 2 * l->pad - l->kh) / l->stride + 1; l->out_w = (w + 2 * l->pad - l->kw) / l->stride + 1;
            l->N = l->out_h * l->out_w;
        }
        l->po_h = l->avgpool ? 1 : l->pool ? l->out_h / 2 : l->out_h;
        l->po_w = l->avgpool ? 1 : l->pool ? l->out_w / 2 : l->out_w;
        l->bn = ar->bn;
        any_bn |= l->bn;
        if (l->K > cfg->k_max) {
            snprintf(err, errlen, "%s:%d: fan-in %u > the configuration's k_max %u", nd->source, src->line, l->K, cfg->k_max);
            return -1;
        }
        const int straddle = src->layout != FX_NET_LAYOUT_UNSET ? src->layout == FX_NET_STRADDLE : o->straddle;
        if (tr_wq_init(&l->wq, spec[i].kind, spec[i].q, spec[i].n_in, straddle, l->out_c, l->K, cfg, o->xe_init, &rng) ||
            tr_param_init(&l->bias, l->out_c, 0) || layer_alloc(l, batch)) {
            snprintf(err, errlen, "layer %u: out of memory or no M-xor for N_in %d", i, spec[i].n_in);
            return -1;
        }
        if (l->bn) {
            if (tr_param_init(&l->gamma, l->out_c, 0) || tr_param_init(&l->beta, l->out_c, 0)) return -1;
            l->bn_mean = zalloc(l->out_c); l->bn_var = zalloc(l->out_c);
            l->bn_bmean = zalloc(l->out_c); l->bn_binv = zalloc(l->out_c);
            for (uint32_t m = 0; m < l->out_c; m++) { l->gamma.v[m] = 1; l->bn_var[m] = 1; }
        }
    }
    n->in = zalloc((size_t)batch * n->in_c * n->in_h * n->in_w);
    n->logits = zalloc((size_t)batch * n->n_classes); n->dlogits = zalloc((size_t)batch * n->n_classes);
    if (!n->in || !n->logits || !n->dlogits || scratch_alloc(n, batch)) { snprintf(err, errlen, "out of memory"); return -1; }
    if (o->threads >= 2 && batch >= 2) {
        fx_train_opts o1 = *o;
        o1.threads = 1;
        n->rep = calloc(1, sizeof *n->rep);
        if (!n->rep || net_build(n->rep, nd, &o1, cfg, batch / 2, err, errlen)) return -1;
        for (uint32_t i = 0; i < nl; i++) { /* share values and effective weights */
            tr_layer *a = &n->L[i], *b = &n->rep->L[i];
            free(b->wq.lat.v); b->wq.lat.v = a->wq.lat.v;
            free(b->wq.alpha.v); b->wq.alpha.v = a->wq.alpha.v;
            free(b->bias.v); b->bias.v = a->bias.v;
            free(b->wq.W); b->wq.W = a->wq.W;
            if (a->bn) { free(b->gamma.v); b->gamma.v = a->gamma.v; free(b->beta.v); b->beta.v = a->beta.v; }
        }
        /* BN: the batch statistics of both halves are summed at a barrier (same results as one worker, up to
         * the order of the sums) */
        if (any_bn) {
            n->sync = calloc(1, sizeof *n->sync);
            if (!n->sync || pthread_barrier_init(&n->sync->bar, NULL, 2)) { free(n->sync); n->sync = NULL; return -1; }
            n->sync->cap = (uint32_t)(2 * sync_channels(n) + 1);
            for (int p = 0; p < 2; p++)
                for (int w = 0; w < 2; w++)
                    if (!(n->sync->buf[p][w] = calloc(n->sync->cap, sizeof(double)))) return -1;
            n->rep->sync = n->sync;
            n->rep->wid = 1;
        }
        openblas_set_num_threads(1);
    } else {
        openblas_set_num_threads(o->threads >= 2 ? 2 : 1);
    }
    return 0;
}

int tr_net_build(tr_net *n, const fx_train_opts *o, const fx_hwcfg *cfg, uint32_t batch, char *err, size_t errlen)
{
    fx_netdesc *nd = malloc(sizeof *nd);
    memset(n, 0, sizeof *n);
    if (!nd) { snprintf(err, errlen, "out of memory"); return -1; }
    int rc = fx_netdesc_resolve(o->net, nd, NULL, 0, err, errlen) ? -1 : net_build(n, nd, o, cfg, batch, err, errlen);
    free(nd);
    return rc;
}

void tr_net_free(tr_net *n)
{
    if (n->rep) {
        for (uint32_t i = 0; i < n->rep->n_layers; i++) {
            tr_layer *b = &n->rep->L[i];
            b->wq.lat.v = NULL; b->wq.alpha.v = NULL; b->bias.v = NULL; b->wq.W = NULL;
            if (b->bn) { b->gamma.v = NULL; b->beta.v = NULL; }
        }
        n->rep->sync = NULL;
        tr_net_free(n->rep);
        free(n->rep);
    }
    if (n->sync) {
        pthread_barrier_destroy(&n->sync->bar);
        for (int p = 0; p < 2; p++) for (int w = 0; w < 2; w++) free(n->sync->buf[p][w]);
        free(n->sync);
    }
    free(n->red);
    for (uint32_t i = 0; i < n->n_layers; i++) {
        tr_layer *l = &n->L[i];
        tr_dnn_free(l);
        tr_wq_free(&l->wq); tr_param_free(&l->bias);
        if (l->bn) { tr_param_free(&l->gamma); tr_param_free(&l->beta); }
        free(l->bn_mean); free(l->bn_var); free(l->bn_bmean); free(l->bn_binv);
        if (l->out != l->y) free(l->out);
        free(l->z); free(l->zn); free(l->y); free(l->dout); free(l->pidx);
    }
    free(n->in); free(n->logits); free(n->dlogits); free(n->cols); free(n->dcols); free(n->tmp); free(n->dz);
    memset(n, 0, sizeof *n);
}

uint32_t tr_net_params(tr_net *n, tr_param **out, uint32_t max)
{
    uint32_t c = 0;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        tr_layer *l = &n->L[i];
        tr_param *ps[5] = {&l->wq.lat, l->wq.kind != TR_W_FP ? &l->wq.alpha : NULL, &l->bias,
                           l->bn ? &l->gamma : NULL, l->bn ? &l->beta : NULL};
        for (int j = 0; j < 5; j++) if (ps[j] && c < max) out[c++] = ps[j];
    }
    return c;
}

void tr_net_quantize(tr_net *n, const tr_xor_mode *mode)
{
    for (uint32_t i = 0; i < n->n_layers; i++) tr_wq_forward(&n->L[i].wq, mode);
}

void tr_net_wq_backward(tr_net *n, const tr_xor_mode *mode)
{
    for (uint32_t i = 0; i < n->n_layers; i++) tr_wq_backward(&n->L[i].wq, mode);
}

typedef struct {
    tr_net *n;
    const uint8_t *img, *lab;
    uint32_t B, norm, correct;
    const tr_xor_mode *mode;
    double loss;
} half_t;

static void *half_step(void *arg)
{
    half_t *h = arg;
    tr_net_forward(h->n, h->img, h->B, 1, h->mode);
    h->loss = tr_net_loss(h->n, h->lab, h->B, h->norm, &h->correct);
    tr_net_backward(h->n, h->B);
    return NULL;
}

static void sync_replica(tr_net *n)
{
    tr_net *r = n->rep;
    r->act_quant_on = n->act_quant_on;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        r->L[i].act_ema = n->L[i].act_ema;
        if (n->L[i].bn) { /* running statistics (a resumed checkpoint loads the network's only) */
            memcpy(r->L[i].bn_mean, n->L[i].bn_mean, n->L[i].out_c * sizeof(float));
            memcpy(r->L[i].bn_var, n->L[i].bn_var, n->L[i].out_c * sizeof(float));
        }
    }
}

double tr_net_train_step(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t B, const tr_xor_mode *mode,
                         uint32_t *correct)
{
    half_t h0 = {n, img, lab, B, B, 0, mode, 0}, h1 = h0;
    pthread_t th;
    int two = n->rep && B >= 2 && B / 2 <= n->rep->batch;
    if (two) {
        sync_replica(n);
        h0.B = B - B / 2;
        h1.n = n->rep; h1.B = B / 2; h1.img = img + (size_t)h0.B * n->in_c * n->in_h * n->in_w; h1.lab = lab + h0.B;
        n->sync_gen = n->rep->sync_gen = 0;
        if (n->sync) n->sync->active = 1;
        if (pthread_create(&th, NULL, half_step, &h1)) {
            two = 0, h0.B = B;
            if (n->sync) n->sync->active = 0;
        }
    }
    half_step(&h0);
    if (two) {
        pthread_join(th, NULL);
        if (n->sync) n->sync->active = 0;
        for (uint32_t i = 0; i < n->n_layers; i++) {
            tr_layer *a = &n->L[i], *b = &n->rep->L[i];
            const size_t mk = (size_t)a->wq.M * a->wq.K;
            for (size_t t = 0; t < mk; t++) a->wq.dW[t] += b->wq.dW[t];
            for (uint32_t m = 0; m < a->out_c; m++) { a->bias.g[m] += b->bias.g[m]; b->bias.g[m] = 0; }
            if (b->bmax > a->bmax) a->bmax = b->bmax;
        }
    }
    for (uint32_t i = 0; i < n->n_layers; i++) {
        tr_layer *l = &n->L[i];
        if (l->act_quant) l->act_ema = l->act_ema == 0 ? l->bmax : 0.99f * l->act_ema + 0.01f * l->bmax;
    }
    tr_net_wq_backward(n, mode);
    if (correct) *correct = h0.correct + (two ? h1.correct : 0);
    return h0.loss + (two ? h1.loss : 0);
}

int tr_net_exportable(const tr_net *n, char *why, size_t len)
{
    if (n->v2 && tr_net_v2_why(n, why, len)) return 0;
    for (uint32_t i = 0; i < n->n_layers; i++) {
        if (n->L[i].wq.kind == TR_W_FP) { snprintf(why, len, "layer %u has float weights", i); return 0; }
        if (!n->L[i].last && !n->L[i].act_quant) { snprintf(why, len, "activations are float (no uint8 activations)"); return 0; }
    }
    return 1;
}

typedef struct { tr_net *n; const uint8_t *img, *lab; uint32_t count; const tr_xor_mode *mode; uint64_t ok; } eval_t;
static uint64_t eval_part(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t count, const tr_xor_mode *mode);
static void *eval_thread(void *arg)
{
    eval_t *e = arg;
    e->ok = eval_part(e->n, e->img, e->lab, e->count, e->mode);
    return NULL;
}

double tr_net_eval(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t count, const tr_xor_mode *mode)
{
    uint64_t ok;
    pthread_t th;
    if (n->rep && count >= 2) {
        sync_replica(n);
        const uint32_t c0 = count - count / 2;
        eval_t e = {n->rep, img + (size_t)c0 * n->in_c * n->in_h * n->in_w, lab + c0, count / 2, mode, 0};
        if (pthread_create(&th, NULL, eval_thread, &e) == 0) {
            ok = eval_part(n, img, lab, c0, mode);
            pthread_join(th, NULL);
            ok += e.ok;
            return 100.0 * (double)ok / count;
        }
    }
    ok = eval_part(n, img, lab, count, mode);
    return count ? 100.0 * (double)ok / count : 0;
}

static uint64_t eval_part(tr_net *n, const uint8_t *img, const uint8_t *lab, uint32_t count, const tr_xor_mode *mode)
{
    const size_t px = (size_t)n->in_c * n->in_h * n->in_w;
    uint64_t ok = 0;
    for (uint32_t s = 0; s < count; s += n->batch) {
        uint32_t B = count - s < n->batch ? count - s : n->batch;
        tr_net_forward(n, img + (size_t)s * px, B, 0, mode);
        for (uint32_t b = 0; b < B; b++) {
            const float *z = n->logits + (size_t)b * n->n_classes;
            uint32_t arg = 0;
            for (uint32_t c = 1; c < n->n_classes; c++) if (z[c] > z[arg]) arg = c;
            ok += arg == lab[s + b];
        }
    }
    return ok;
}
