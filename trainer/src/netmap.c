/* SPDX-License-Identifier: Apache-2.0 */
/* A network description (docs/net.md) as the trainer's fused layers: each conv/fc line opens a layer and
 * the lines after it (bn, add, relu, a pool) complete it, in that order; branches (from=) and shortcuts
 * (add) read the output of a whole layer. What contract v1 (the integer export) cannot run is told apart
 * by tr_net_v1, with the line that needs more. */
#include "tr.h"
#include <stdio.h>
#include <string.h>

/* How far the open fused layer got: each step may only follow the ones before it. */
enum { AFTER_WEIGHT, AFTER_BN, AFTER_ADD, AFTER_RELU, AFTER_POOL };

static int refuse(const fx_netdesc *nd, const fx_net_layer *l, char *err, size_t errlen, const char *what, int v2)
{
    snprintf(err, errlen, "%s:%d: %s%s%s", nd->source, l->line, fx_netdesc_kind_name(l->kind), what,
             v2 ? " needs contract v2" : "");
    return -1;
}

/* Stride, padding, branches, residual adds and average pooling are contract v2. */
static int v2_only(const fx_netdesc *nd, const fx_net_layer *l, uint32_t i, char *err, size_t errlen)
{
    char what[64];
    if (l->from != (int)i - 1) return refuse(nd, l, err, errlen, " from= (a branch)", 1);
    if (l->kind == FX_NET_ADD) return refuse(nd, l, err, errlen, " (a residual connection)", 1);
    if (l->kind == FX_NET_AVGPOOL) return refuse(nd, l, err, errlen, " (global average pooling)", 1);
    if (l->kind == FX_NET_CONV && (l->stride != 1 || l->pad)) {
        snprintf(what, sizeof what, " %s %u", l->stride != 1 ? "stride" : "padding", l->stride != 1 ? l->stride : l->pad);
        return refuse(nd, l, err, errlen, what, 1);
    }
    return 0;
}

int tr_net_v1(const fx_netdesc *nd, const tr_arch *arch, uint32_t nl, char *err, size_t errlen)
{
    for (uint32_t i = 1; i < nd->n; i++)
        if (v2_only(nd, &nd->L[i], i, err, errlen)) return -1;
    for (uint32_t j = 0; j + 1 < nl; j++)
        if (!arch[j].relu)
            return refuse(nd, arch[j].src_line, err, errlen, ": contract v1 needs a relu after every conv/fc layer but the last", 0);
    return 0;
}

enum { TR_BAD_READ = -3 };

/* The layer whose whole output line x is, for a layer that reads it (from= or add); marks it read. */
static int whole_output(const fx_netdesc *nd, const fx_net_layer *l, int x, const int *owner, const int *tail, int *read,
                        char *err, size_t errlen)
{
    if (x == 0) return TR_SRC_INPUT;
    if (tail[owner[x]] != x) {
        char what[160];
        snprintf(what, sizeof what, ": reads line %d, the middle of a conv/fc layer's bn/add/relu/pool chain; name its end "
                 "instead", nd->L[x].line);
        refuse(nd, l, err, errlen, what, 0);
        return TR_BAD_READ;
    }
    read[x] = 1;
    return owner[x];
}

int tr_net_map(const fx_netdesc *nd, int bn_conv, tr_arch *arch, uint32_t *nl, char *err, size_t errlen)
{
    static const char order[] = ": the trainer builds conv/fc, bn, add, relu, pool in this order, each at most once per "
                                "conv/fc layer";
    int owner[FX_NET_MAX_LAYERS], tail[FXT_MAX_LAYERS], read[FX_NET_MAX_LAYERS] = {0};
    int k = 0, state = AFTER_POOL;
    const fx_net_layer *in = &nd->L[0];
    if (in->c != 1 || in->h != TR_SIDE || in->w != TR_SIDE) {
        snprintf(err, errlen, "%s:%d: input %ux%ux%u: the trainer reads 1x%dx%d images (Fashion-MNIST)", nd->source, in->line,
                 in->c, in->h, in->w, TR_SIDE, TR_SIDE);
        return -1;
    }
    for (uint32_t i = 1; i < nd->n; i++) {
        const fx_net_layer *l = &nd->L[i];
        if (l->kind == FX_NET_CONV || l->kind == FX_NET_FC) {
            if (k == FXT_MAX_LAYERS) return refuse(nd, l, err, errlen, ": more than 64 conv/fc layers (the trainer's limit)", 0);
            const int src = whole_output(nd, l, l->from, owner, tail, read, err, errlen);
            if (src == TR_BAD_READ) return -1;
            tr_arch *a = &arch[k];
            memset(a, 0, sizeof *a);
            a->type = l->kind == FX_NET_FC ? TR_FC : TR_CONV;
            a->c = l->out_c; a->kh = a->type == TR_FC ? 1 : l->kh; a->kw = a->type == TR_FC ? 1 : l->kw;
            a->stride = a->type == TR_FC ? 1 : l->stride; a->pad = a->type == TR_FC ? 0 : l->pad;
            a->src = src; a->res = TR_NO_RES;
            a->bn = a->type == TR_CONV && bn_conv;
            a->src_line = l;
            tail[k] = (int)i;
            owner[i] = k++;
            state = AFTER_WEIGHT;
            continue;
        }
        /* bn, add, relu and pools complete the open layer: they read its end (the line before) */
        if (l->from != (int)i - 1 || k == 0 || read[i - 1]) return refuse(nd, l, err, errlen, order, 0);
        tr_arch *a = &arch[k - 1];
        switch (l->kind) {
        case FX_NET_BN: /* the parser made sure it reads a conv or fc layer */
            if (state != AFTER_WEIGHT) return refuse(nd, l, err, errlen, order, 0);
            a->bn = 1;
            state = AFTER_BN;
            break;
        case FX_NET_ADD:
            if (state > AFTER_BN) return refuse(nd, l, err, errlen, order, 0);
            a->res = whole_output(nd, l, l->other, owner, tail, read, err, errlen);
            if (a->res == TR_BAD_READ) return -1;
            a->res_pad = l->pad_shortcut;
            state = AFTER_ADD;
            break;
        case FX_NET_RELU:
            if (state > AFTER_ADD) return refuse(nd, l, err, errlen, order, 0);
            a->relu = 1;
            state = AFTER_RELU;
            break;
        case FX_NET_MAXPOOL: /* on the uint8 ReLU output, where max-pooling is exact */
            if (state != AFTER_RELU || a->type != TR_CONV)
                return refuse(nd, l, err, errlen, " 2: the trainer pools only right after the relu of a conv layer", 0);
            a->pool = 2;
            state = AFTER_POOL;
            break;
        case FX_NET_AVGPOOL:
            if (state == AFTER_POOL) return refuse(nd, l, err, errlen, order, 0);
            a->avgpool = 1;
            state = AFTER_POOL;
            break;
        default:
            return refuse(nd, l, err, errlen, " cannot be trained", 0);
        }
        owner[i] = k - 1;
        tail[k - 1] = (int)i;
    }
    const fx_net_layer *out = &nd->L[nd->n - 1];
    if (arch[k - 1].relu)
        return refuse(nd, out, err, errlen, " after the last conv/fc layer: its outputs are the logits (RAW)", 0);
    if (out->c != TR_CLASSES || out->h != 1 || out->w != 1) {
        snprintf(err, errlen, "%s:%d: the output is %ux%ux%u; the trainer needs %dx1x1 (the classes)", nd->source, out->line,
                 out->c, out->h, out->w, TR_CLASSES);
        return -1;
    }
    *nl = (uint32_t)k;
    return 0;
}

static int check_net(const char *net, int need_v1, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen)
{
    tr_arch arch[FXT_MAX_LAYERS];
    uint32_t nl;
    if (fx_netdesc_resolve(net, nd, file, filelen, err, errlen) || tr_net_map(nd, 0, arch, &nl, err, errlen)) return -1;
    return need_v1 ? tr_net_v1(nd, arch, nl, err, errlen) : 0;
}

int fx_train_net(const char *net, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen)
{
    return check_net(net, 1, nd, file, filelen, err, errlen);
}

int fx_train_net_float(const char *net, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen)
{
    return check_net(net, 0, nd, file, filelen, err, errlen);
}
