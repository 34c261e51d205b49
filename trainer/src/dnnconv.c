/* SPDX-License-Identifier: Apache-2.0 */
/* Convolutions through oneDNN: the forward, the input gradient and the weight gradient of a conv layer
 * with oneDNN's direct (JIT) kernels instead of im2col + GEMM. The trainer's tensors stay channel-major
 * ([C][B][H][W], oneDNN's "bacd" for dims N,C,H,W) and its weights W[M][K] in the K order of the layer
 * (oihw for contract v1, ohwi for v2's kernel-position-major order); each call reorders them into the
 * layouts oneDNN chose (nChw16c and blocked weights on AVX-512), which costs a fraction of the
 * convolution and saves the im2col/col2im passes.
 *
 * Each worker (the network and its replica) has its own primitives, stream and scratch, and runs oneDNN
 * on one OpenMP thread: the workers are the parallelism (results depend on --threads, reproducibly).
 * Primitives are built per batch size on first use (training and evaluation batches differ). */
#include "tr.h"
#include <dnnl.h>
#include <omp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static dnnl_engine_t g_eng;
static int g_eng_ok;
static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static void eng_init(void) { g_eng_ok = dnnl_engine_create(&g_eng, dnnl_cpu, 0) == dnnl_success; }

/* A primitive's argument in the trainer's layout (user) and in the primitive's (prim), with the reorder
 * between them (NULL when the layouts are the same: prim == user). */
typedef struct { dnnl_memory_t user, prim; dnnl_primitive_t reo; size_t bytes; } dnn_arg;

typedef struct {
    uint32_t B;
    dnnl_primitive_t fwd, bwd_d, bwd_w, dsrc_add;
    dnn_arg src, w, dst;        /* forward */
    dnn_arg bsrc, ddst, dw;     /* weight gradient */
    dnn_arg bw, bddst, dsrc;    /* input gradient (dsrc_add: its reorder adding into the user's dx) */
    int bddst_shared;           /* the input gradient reads the weight gradient's reordered diff_dst */
} dnn_shape;

enum { SLOT_SRC, SLOT_DST, SLOT_DDST2, SLOT_DSRC, SLOTS };

struct tr_dnn {
    dnn_shape s[2];
    int n, last;
    dnnl_stream_t stream;
    void *slot[SLOTS];
    size_t slot_bytes[SLOTS];
};

#define CK(x) do { if ((x) != dnnl_success) goto fail; } while (0)

static void arg_free(dnn_arg *a)
{
    if (a->reo) dnnl_primitive_destroy(a->reo);
    if (a->prim && a->prim != a->user) dnnl_memory_destroy(a->prim);
    if (a->user) dnnl_memory_destroy(a->user);
    memset(a, 0, sizeof *a);
}

/* user <-> prim; in: reorder user -> prim before the primitive, else prim -> user after it. own: the prim
 * buffer is the argument's own (weights), else a worker slot whose handle is set per call. attr: a reorder
 * attribute (the summing one) */
static int arg_make(dnn_arg *a, const dnnl_memory_desc_t *user, const dnnl_memory_desc_t *prim, int in, int own,
                    const_dnnl_primitive_attr_t attr)
{
    dnnl_primitive_desc_t pd = NULL;
    CK(dnnl_memory_create(&a->user, user, g_eng, DNNL_MEMORY_NONE));
    a->bytes = dnnl_memory_desc_get_size(prim);
    if (dnnl_memory_desc_equal(user, prim) && !attr) { a->prim = a->user; return 0; }
    CK(dnnl_memory_create(&a->prim, prim, g_eng, own ? DNNL_MEMORY_ALLOCATE : DNNL_MEMORY_NONE));
    CK(in ? dnnl_reorder_primitive_desc_create(&pd, user, g_eng, prim, g_eng, attr)
          : dnnl_reorder_primitive_desc_create(&pd, prim, g_eng, user, g_eng, attr));
    CK(dnnl_primitive_create(&a->reo, pd));
    dnnl_primitive_desc_destroy(pd);
    return 0;
fail:
    if (pd) dnnl_primitive_desc_destroy(pd);
    return -1;
}

static int exec2(dnnl_stream_t s, dnnl_primitive_t p, dnnl_memory_t from, dnnl_memory_t to)
{
    dnnl_exec_arg_t a[2] = {{DNNL_ARG_FROM, from}, {DNNL_ARG_TO, to}};
    return dnnl_primitive_execute(p, s, 2, a) == dnnl_success ? 0 : -1;
}

/* Point the argument at the caller's data (and at slot for its reordered copy); in: reorder now. */
static int arg_bind(tr_dnn *d, dnn_arg *a, const void *data, int slot, int in)
{
    if (dnnl_memory_set_data_handle(a->user, (void *)data) != dnnl_success) return -1;
    if (a->prim == a->user) return 0;
    if (slot >= 0) {
        if (d->slot_bytes[slot] < a->bytes) {
            free(d->slot[slot]);
            d->slot[slot] = aligned_alloc(64, (a->bytes + 63) & ~(size_t)63);
            d->slot_bytes[slot] = d->slot[slot] ? a->bytes : 0;
            if (!d->slot[slot]) return -1;
        }
        if (dnnl_memory_set_data_handle(a->prim, d->slot[slot]) != dnnl_success) return -1;
    }
    return in ? exec2(d->stream, a->reo, a->user, a->prim) : 0;
}

static void shape_free(dnn_shape *s)
{
    dnnl_primitive_t *p[4] = {&s->fwd, &s->bwd_d, &s->bwd_w, &s->dsrc_add};
    for (int i = 0; i < 4; i++) if (*p[i]) dnnl_primitive_destroy(*p[i]);
    if (s->bddst_shared) s->bddst.user = s->bddst.prim = NULL, s->bddst.reo = NULL;
    dnn_arg *a[9] = {&s->src, &s->w, &s->dst, &s->bsrc, &s->ddst, &s->dw, &s->bw, &s->bddst, &s->dsrc};
    for (int i = 0; i < 9; i++) arg_free(a[i]);
    memset(s, 0, sizeof *s);
}

static const dnnl_memory_desc_t *qmd(const_dnnl_primitive_desc_t pd, dnnl_query_t q)
{
    return dnnl_primitive_desc_query_md(pd, q, 0);
}

static int shape_build(const tr_layer *l, uint32_t B, int need_dx, dnn_shape *s)
{
    dnnl_memory_desc_t src, dst, w, any_src, any_dst, any_w;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_desc_t fpd = NULL, dpd = NULL, wpd = NULL, apd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    const dnnl_dims_t sd = {B, l->in_c, l->in_h, l->in_w}, dd = {B, l->out_c, l->out_h, l->out_w},
                      wd = {l->out_c, l->in_c, l->kh, l->kw}, st = {l->stride, l->stride}, pad = {l->pad, l->pad};
    /* the right padding that makes oneDNN's output size ours: (H + pl + pr - kh)/s + 1 = out_h */
    const dnnl_dims_t padr = {(dnnl_dim_t)((l->out_h - 1) * l->stride + l->kh) - l->in_h - l->pad,
                              (dnnl_dim_t)((l->out_w - 1) * l->stride + l->kw) - l->in_w - l->pad};
    memset(s, 0, sizeof *s);
    s->B = B;
    CK(dnnl_memory_desc_init_by_tag(&src, 4, sd, dnnl_f32, dnnl_bacd));
    CK(dnnl_memory_desc_init_by_tag(&dst, 4, dd, dnnl_f32, dnnl_bacd));
    CK(dnnl_memory_desc_init_by_tag(&w, 4, wd, dnnl_f32, l->kpos ? dnnl_ohwi : dnnl_oihw));
    CK(dnnl_memory_desc_init_by_tag(&any_src, 4, sd, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&any_dst, 4, dd, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_memory_desc_init_by_tag(&any_w, 4, wd, dnnl_f32, dnnl_format_tag_any));
    CK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_training, dnnl_convolution_direct, &any_src, &any_w, NULL,
                                          &any_dst, st, pad, padr));
    CK(dnnl_primitive_desc_create(&fpd, &cd, NULL, g_eng, NULL));
    CK(dnnl_primitive_create(&s->fwd, fpd));
    CK(arg_make(&s->src, &src, qmd(fpd, dnnl_query_src_md), 1, 0, NULL));
    CK(arg_make(&s->w, &w, qmd(fpd, dnnl_query_weights_md), 1, 1, NULL));
    CK(arg_make(&s->dst, &dst, qmd(fpd, dnnl_query_dst_md), 0, 0, NULL));

    CK(dnnl_convolution_backward_weights_desc_init(&cd, dnnl_convolution_direct, &any_src, &any_w, NULL, &any_dst, st, pad,
                                                   padr));
    CK(dnnl_primitive_desc_create(&wpd, &cd, NULL, g_eng, fpd));
    CK(dnnl_primitive_create(&s->bwd_w, wpd));
    CK(arg_make(&s->bsrc, &src, qmd(wpd, dnnl_query_src_md), 1, 0, NULL));
    CK(arg_make(&s->ddst, &dst, qmd(wpd, dnnl_query_diff_dst_md), 1, 0, NULL));
    CK(arg_make(&s->dw, &w, qmd(wpd, dnnl_query_diff_weights_md), 0, 1, NULL));
    if (need_dx) {
        CK(dnnl_convolution_backward_data_desc_init(&cd, dnnl_convolution_direct, &any_src, &any_w, &any_dst, st, pad, padr));
        CK(dnnl_primitive_desc_create(&dpd, &cd, NULL, g_eng, fpd));
        CK(dnnl_primitive_create(&s->bwd_d, dpd));
        CK(arg_make(&s->bw, &w, qmd(dpd, dnnl_query_weights_md), 1, 1, NULL));
        const dnnl_memory_desc_t *bdd = qmd(dpd, dnnl_query_diff_dst_md);
        if (dnnl_memory_desc_equal(bdd, qmd(wpd, dnnl_query_diff_dst_md))) {
            s->bddst = s->ddst;
            s->bddst_shared = 1;
        } else {
            CK(arg_make(&s->bddst, &dst, bdd, 1, 0, NULL));
        }
        /* the input gradient is written (first reader) or added (a shortcut already wrote it) */
        CK(dnnl_primitive_attr_create(&attr));
        CK(dnnl_post_ops_create(&po));
        CK(dnnl_post_ops_append_sum(po, 1.0f));
        CK(dnnl_primitive_attr_set_post_ops(attr, po));
        const dnnl_memory_desc_t *ds = qmd(dpd, dnnl_query_diff_src_md);
        CK(arg_make(&s->dsrc, &src, ds, 0, 0, NULL));
        if (!s->dsrc.reo) { /* same layout: the gradient still goes through a buffer, to be added */
            CK(dnnl_memory_create(&s->dsrc.prim, ds, g_eng, DNNL_MEMORY_NONE));
            CK(dnnl_reorder_primitive_desc_create(&apd, ds, g_eng, &src, g_eng, NULL));
            CK(dnnl_primitive_create(&s->dsrc.reo, apd));
            dnnl_primitive_desc_destroy(apd);
            apd = NULL;
        }
        CK(dnnl_reorder_primitive_desc_create(&apd, ds, g_eng, &src, g_eng, attr));
        CK(dnnl_primitive_create(&s->dsrc_add, apd));
    }
    dnnl_primitive_desc_destroy(fpd); dnnl_primitive_desc_destroy(wpd);
    if (dpd) dnnl_primitive_desc_destroy(dpd);
    if (apd) dnnl_primitive_desc_destroy(apd);
    dnnl_post_ops_destroy(po); dnnl_primitive_attr_destroy(attr);
    return 0;
fail:
    if (fpd) dnnl_primitive_desc_destroy(fpd);
    if (wpd) dnnl_primitive_desc_destroy(wpd);
    if (dpd) dnnl_primitive_desc_destroy(dpd);
    if (apd) dnnl_primitive_desc_destroy(apd);
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
    shape_free(s);
    return -1;
}

int tr_dnn_usable(const tr_layer *l)
{
    /* oneDNN pads with zeros: the network input's padding (the normalised pixel 0) stays on im2col */
    return l->type == TR_CONV && l->use_dnn && (l->pad == 0 || l->pad_val == 0.0f);
}

/* The primitives of batch size B (built on first use; two sizes kept). NULL when oneDNN cannot. */
static dnn_shape *shape_get(tr_layer *l, uint32_t B)
{
    omp_set_num_threads(1); /* this worker's thread: oneDNN runs inside it */
    pthread_once(&g_once, eng_init);
    if (!g_eng_ok) return NULL;
    tr_dnn *d = l->dnn;
    if (!d) {
        if (!(d = l->dnn = calloc(1, sizeof *d))) return NULL;
        if (dnnl_stream_create(&d->stream, g_eng, dnnl_stream_default_flags) != dnnl_success) {
            free(d); l->dnn = NULL;
            return NULL;
        }
    }
    for (int i = 0; i < d->n; i++) if (d->s[i].B == B) { d->last = i; return &d->s[i]; }
    int i = d->n < 2 ? d->n : !d->last; /* a free entry, else the one used less recently */
    if (i < d->n) shape_free(&d->s[i]);
    else d->n++;
    if (shape_build(l, B, l->src != TR_SRC_INPUT, &d->s[i])) {
        /* oneDNN cannot run this layer: im2col from now on (shape_build left the entry empty) */
        if (i == 0 && d->n == 2) d->s[0] = d->s[1];
        memset(&d->s[d->n - 1], 0, sizeof d->s[0]);
        d->n--;
        d->last = 0;
        l->use_dnn = 0;
        return NULL;
    }
    d->last = i;
    return &d->s[i];
}

int tr_dnn_forward(tr_layer *l, const float *x, uint32_t B, float *z)
{
    dnn_shape *s = shape_get(l, B);
    if (!s) return -1;
    tr_dnn *d = l->dnn;
    if (arg_bind(d, &s->src, x, SLOT_SRC, 1) || arg_bind(d, &s->w, l->wq.W, -1, 1) || arg_bind(d, &s->dst, z, SLOT_DST, 0))
        return -1;
    dnnl_exec_arg_t a[3] = {{DNNL_ARG_SRC, s->src.prim}, {DNNL_ARG_WEIGHTS, s->w.prim}, {DNNL_ARG_DST, s->dst.prim}};
    if (dnnl_primitive_execute(s->fwd, d->stream, 3, a) != dnnl_success) return -1;
    if (s->dst.reo && exec2(d->stream, s->dst.reo, s->dst.prim, s->dst.user)) return -1;
    return dnnl_stream_wait(d->stream) == dnnl_success ? 0 : -1;
}

int tr_dnn_backward(tr_layer *l, const float *x, const float *dz, uint32_t B, float *dW, float *dx, int dx_add)
{
    dnn_shape *s = shape_get(l, B);
    if (!s) return -1;
    tr_dnn *d = l->dnn;
    if (arg_bind(d, &s->ddst, dz, SLOT_DST, 1) || arg_bind(d, &s->bsrc, x, SLOT_SRC, 1) || arg_bind(d, &s->dw, dW, -1, 0))
        return -1;
    dnnl_exec_arg_t a[3] = {{DNNL_ARG_SRC, s->bsrc.prim}, {DNNL_ARG_DIFF_DST, s->ddst.prim},
                            {DNNL_ARG_DIFF_WEIGHTS, s->dw.prim}};
    if (dnnl_primitive_execute(s->bwd_w, d->stream, 3, a) != dnnl_success) return -1;
    if (s->dw.reo && exec2(d->stream, s->dw.reo, s->dw.prim, s->dw.user)) return -1;
    if (dx) {
        if (!s->bwd_d) return -1;
        if (arg_bind(d, &s->bw, l->wq.W, -1, 1) || (!s->bddst_shared && arg_bind(d, &s->bddst, dz, SLOT_DDST2, 1)) ||
            arg_bind(d, &s->dsrc, dx, SLOT_DSRC, 0))
            return -1;
        dnnl_exec_arg_t b[3] = {{DNNL_ARG_DIFF_DST, s->bddst.prim}, {DNNL_ARG_WEIGHTS, s->bw.prim},
                                {DNNL_ARG_DIFF_SRC, s->dsrc.prim}};
        if (dnnl_primitive_execute(s->bwd_d, d->stream, 3, b) != dnnl_success) return -1;
        if (exec2(d->stream, dx_add ? s->dsrc_add : s->dsrc.reo, s->dsrc.prim, s->dsrc.user)) return -1;
    }
    return dnnl_stream_wait(d->stream) == dnnl_success ? 0 : -1;
}

void tr_dnn_free(tr_layer *l)
{
    tr_dnn *d = l->dnn;
    if (!d) return;
    for (int i = 0; i < d->n; i++) shape_free(&d->s[i]);
    for (int i = 0; i < SLOTS; i++) free(d->slot[i]);
    if (d->stream) dnnl_stream_destroy(d->stream);
    free(d);
    l->dnn = NULL;
}
