/* SPDX-License-Identifier: Apache-2.0 */
/* A network description (docs/net.md) as the layers of a format-2 model (docs/contract.md §7): each conv
 * or fc line is a model layer; the bn, add, relu and pooling lines that follow it fold into that layer
 * (bn into α and bias, add into its residual, relu into RELU_U8, pooling into its pool field). What the
 * contract cannot express is refused with the line that needs it. */
#include "flexor/netmodel.h"
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How far a model layer has got through conv -> bn -> add -> relu -> pool (each at most once, in order). */
enum { ST_SUM, ST_BN, ST_ADD, ST_RELU, ST_POOL };

typedef struct {
    uint32_t ref;   /* 0 the image, L+1 model layer L */
    int stage;      /* ST_*; the image counts as ST_POOL (a final uint8 tensor) */
} tensor;

static int refuse(const fx_netdesc *nd, const fx_net_layer *l, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int refuse(const fx_netdesc *nd, const fx_net_layer *l, char *err, size_t errlen, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    snprintf(err, errlen, "%s:%d: %s %s", nd->source, l->line, fx_netdesc_kind_name(l->kind), why);
    return -1;
}

/* A tensor another layer reads (as input or shortcut) must be a layer's uint8 output: after its relu. */
static int readable(const fx_netdesc *nd, const fx_net_layer *l, const tensor *t, int node, char *err, size_t errlen)
{
    if (t->stage >= ST_RELU) return 0;
    return refuse(nd, l, err, errlen, "reads line %d before a relu: contract v2 passes uint8 outputs of a relu between layers",
                  nd->L[node].line);
}

/* bn/add/relu/pool change the layer they follow: it must be at an earlier stage and nothing else may read
 * the value they change. */
static int folds(const fx_netdesc *nd, const fx_net_layer *l, const tensor *t, int stage, const uint8_t *readers,
                 char *err, size_t errlen)
{
    if (!t->ref) return refuse(nd, l, err, errlen, "of the input: contract v2 has it only after a conv or fc layer");
    if (t->stage >= stage)
        return refuse(nd, l, err, errlen, "after line %d: contract v2 folds bn, add, relu, pooling into a layer in that order, each once",
                      nd->L[l->from].line);
    if (readers[l->from] > 1)
        return refuse(nd, l, err, errlen, "changes line %d's output, which another layer also reads (one output per layer)",
                      nd->L[l->from].line);
    return 0;
}

static void new_layer(fx_model *m, const fx_net_layer *l, const fx_net_layer *in, uint32_t src)
{
    fx_layer *y = &m->layers[m->n_layers++];
    memset(y, 0, sizeof *y);
    const int conv = l->kind == FX_NET_CONV;
    y->type = conv ? FX_LAYER_CONV : FX_LAYER_FC;
    y->q = 1;
    y->n_in = m->n_out;
    y->M = l->out_c;
    y->in_c = in->c; y->in_h = in->h; y->in_w = in->w;
    y->kh = conv ? l->kh : 1; y->kw = conv ? l->kw : 1;
    y->stride = conv ? l->stride : 1;
    y->pad = conv ? l->pad : 0;
    y->K = conv ? in->c * l->kh * l->kw : in->c * in->h * in->w;
    y->src = src;
}

/* Global average pooling of h*w values: avg_mult/2^avg_shift = 1/(h*w) to 15 significant bits. */
static void set_avg(fx_layer *y)
{
    uint32_t h, w, s = 15;
    fx_layer_conv_out(y, &h, &w);
    for (uint64_t hw = (uint64_t)h * w; hw > 1 && s < 39; hw = (hw + 1) / 2) s++;
    y->pool = FX_POOL_AVG;
    y->avg_shift = s;
    y->avg_mult = (uint32_t)(((1ull << s) + (uint64_t)h * w / 2) / ((uint64_t)h * w));
}

int fx_net_to_model(const fx_netdesc *nd, const fx_hwcfg *cfg, fx_model *m, int *layer_of, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    m->version = FX_FORMAT_V2;
    m->cfg_hash = fx_hwcfg_hash(cfg); m->n_out = cfg->n_out; m->n_tap = cfg->n_tap; m->seed = cfg->seed;
    m->in_c = nd->L[0].c; m->in_h = nd->L[0].h; m->in_w = nd->L[0].w;
    uint8_t readers[FX_NET_MAX_LAYERS] = {0}; /* counted up to 2: only "more than one" matters */
    tensor t[FX_NET_MAX_LAYERS];
    for (uint32_t i = 1; i < nd->n; i++) {
        if (readers[nd->L[i].from] < 2) readers[nd->L[i].from]++;
        if (nd->L[i].kind == FX_NET_ADD && readers[nd->L[i].other] < 2) readers[nd->L[i].other]++;
    }
    t[0] = (tensor){0, ST_POOL};
    for (uint32_t i = 1; i < nd->n; i++) {
        const fx_net_layer *l = &nd->L[i];
        const tensor in = t[l->from];
        fx_layer *y = in.ref ? &m->layers[in.ref - 1] : NULL;
        if (layer_of) layer_of[i] = in.ref ? (int)in.ref - 1 : -1;
        t[i] = in;
        switch (l->kind) {
        case FX_NET_CONV:
        case FX_NET_FC:
            if (readable(nd, l, &in, l->from, err, errlen)) return -1;
            if (m->n_layers == FX_MAX_LAYERS) return refuse(nd, l, err, errlen, "is layer %u: a model holds at most %u", FX_MAX_LAYERS + 1, FX_MAX_LAYERS);
            new_layer(m, l, &nd->L[l->from], in.ref);
            t[i] = (tensor){m->n_layers, ST_SUM};
            if (layer_of) layer_of[i] = (int)m->n_layers - 1;
            break;
        case FX_NET_BN:
            if (folds(nd, l, &in, ST_BN, readers, err, errlen)) return -1;
            t[i].stage = ST_BN;
            break;
        case FX_NET_ADD: {
            const tensor s = t[l->other];
            if (folds(nd, l, &in, ST_ADD, readers, err, errlen) || readable(nd, l, &s, l->other, err, errlen)) return -1;
            if (s.ref >= in.ref)
                return refuse(nd, l, err, errlen, "%s: the shortcut's layer must come before the layer it adds to (line %d)",
                              nd->L[l->other].label, nd->L[l->from].line);
            y->res_kind = l->pad_shortcut ? FX_RES_OPTION_A : FX_RES_IDENTITY;
            y->res_src = s.ref;
            t[i].stage = ST_ADD;
            break;
        }
        case FX_NET_RELU:
            if (folds(nd, l, &in, ST_RELU, readers, err, errlen)) return -1;
            y->flags |= FX_F_RELU_U8;
            t[i].stage = ST_RELU;
            break;
        default: /* maxpool, avgpool: on the uint8 output, after the relu */
            if (folds(nd, l, &in, ST_POOL, readers, err, errlen)) return -1;
            if (in.stage != ST_RELU) return refuse(nd, l, err, errlen, "needs a relu before it (pooling works on the uint8 output)");
            if (l->kind == FX_NET_MAXPOOL) y->pool = FX_POOL_MAX2;
            else set_avg(y);
            t[i].stage = ST_POOL;
            break;
        }
    }
    const fx_net_layer *out = &nd->L[nd->n - 1];
    const tensor o = t[nd->n - 1];
    if (!o.ref || o.ref != m->n_layers)
        return refuse(nd, out, err, errlen, "is the output: it must belong to the last conv/fc layer of the description");
    m->n_classes = m->layers[m->n_layers - 1].M;
    return 0;
}
