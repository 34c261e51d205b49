/* SPDX-License-Identifier: Apache-2.0 */
/* A network description (docs/net.md) as the trainer's chain of weight layers: what contract v1 can run,
 * everything else refused with the line that needs more. */
#include "tr.h"
#include <stdio.h>
#include <string.h>

enum { AFTER_WEIGHT, AFTER_BN, AFTER_RELU, AFTER_POOL };

static int refuse(const fx_netdesc *nd, const fx_net_layer *l, char *err, size_t errlen, const char *what, int v2)
{
    snprintf(err, errlen, "%s:%d: %s%s%s", nd->source, l->line, fx_netdesc_kind_name(l->kind), what,
             v2 ? " needs contract v2 (not yet supported)" : "");
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

int tr_net_map(const fx_netdesc *nd, int bn_conv, tr_arch *arch, uint32_t *nl, char *err, size_t errlen)
{
    uint32_t k = 0;
    int state = AFTER_POOL;
    const fx_net_layer *in = &nd->L[0];
    if (in->c != 1 || in->h != TR_SIDE || in->w != TR_SIDE) {
        snprintf(err, errlen, "%s:%d: input %ux%ux%u: the trainer reads 1x%dx%d images (Fashion-MNIST)", nd->source, in->line,
                 in->c, in->h, in->w, TR_SIDE, TR_SIDE);
        return -1;
    }
    for (uint32_t i = 1; i < nd->n; i++) {
        const fx_net_layer *l = &nd->L[i];
        if (v2_only(nd, l, i, err, errlen)) return -1;
        switch (l->kind) {
        case FX_NET_CONV:
        case FX_NET_FC:
            if (k == FXT_MAX_LAYERS) return refuse(nd, l, err, errlen, ": more than 8 conv/fc layers (the trainer's limit)", 0);
            memset(&arch[k], 0, sizeof arch[k]);
            arch[k].type = l->kind == FX_NET_FC ? TR_FC : TR_CONV;
            arch[k].c = l->out_c; arch[k].kh = l->kind == FX_NET_FC ? 1 : l->kh; arch[k].kw = l->kind == FX_NET_FC ? 1 : l->kw;
            arch[k].bn = l->kind == FX_NET_CONV && bn_conv;
            arch[k].src = l;
            k++;
            state = AFTER_WEIGHT;
            break;
        case FX_NET_BN: /* the parser made sure it reads a conv or fc layer */
            arch[k - 1].bn = 1;
            state = AFTER_BN;
            break;
        case FX_NET_RELU:
            if (state != AFTER_WEIGHT && state != AFTER_BN)
                return refuse(nd, l, err, errlen, ": contract v1 has a ReLU only right after a conv or fc layer (or its bn)", 0);
            arch[k - 1].relu = 1;
            state = AFTER_RELU;
            break;
        case FX_NET_MAXPOOL:
            if (state != AFTER_RELU || arch[k - 1].type != TR_CONV)
                return refuse(nd, l, err, errlen, " 2: contract v1 pools only right after the relu of a conv layer", 0);
            arch[k - 1].pool = 2;
            state = AFTER_POOL;
            break;
        default:
            return refuse(nd, l, err, errlen, " cannot be trained", 0);
        }
    }
    for (uint32_t j = 0; j + 1 < k; j++)
        if (!arch[j].relu)
            return refuse(nd, arch[j].src, err, errlen, ": contract v1 needs a relu after every conv/fc layer but the last", 0);
    const fx_net_layer *out = &nd->L[nd->n - 1];
    if (arch[k - 1].relu)
        return refuse(nd, out, err, errlen, " after the last conv/fc layer: its outputs are the logits (contract v1: RAW)", 0);
    if (out->c != TR_CLASSES || out->h != 1 || out->w != 1) {
        snprintf(err, errlen, "%s:%d: the output is %ux%ux%u; the trainer needs %dx1x1 (the classes)", nd->source, out->line,
                 out->c, out->h, out->w, TR_CLASSES);
        return -1;
    }
    *nl = k;
    return 0;
}

int fx_train_net(const char *net, fx_netdesc *nd, char *file, size_t filelen, char *err, size_t errlen)
{
    tr_arch arch[FXT_MAX_LAYERS];
    uint32_t nl;
    if (fx_netdesc_resolve(net, nd, file, filelen, err, errlen)) return -1;
    return tr_net_map(nd, 0, arch, &nl, err, errlen);
}
