/* SPDX-License-Identifier: Apache-2.0 */
/* A network description (flexor/netdesc.h, docs/net.md) as the layer graph of a format-2 model
 * (docs/contract.md §7, docs/net.md "As a model"). */
#ifndef FLEXOR_NETMODEL_H
#define FLEXOR_NETMODEL_H
#include "flexor/model.h"
#include "flexor/netdesc.h"

/* The shapes of nd as a version-2 model for cfg: one layer per conv/fc line, with the bn, add (residual),
 * relu (RELU_U8) and pooling lines that follow it folded in; global average pooling gets
 * avg_mult/2^avg_shift = 1/(h*w) to 15 significant bits. Weight settings are left at q = 1, unencrypted,
 * aligned, and no array is allocated: the caller sets them, allocates and fills the layers.
 * layer_of (may be NULL, nd->n entries) gets each line's model layer (-1 for the input).
 * 0, or -1 with "SOURCE:LINE: ..." (one line) when the contract cannot express the description: a layer
 * reading a value before its relu, bn/add/relu/pooling out of that order or of the input, a folded value
 * that another layer also reads, a shortcut from a later layer, more than 64 layers, an output that is
 * not the last conv/fc layer. */
int fx_net_to_model(const fx_netdesc *nd, const fx_hwcfg *cfg, fx_model *m, int *layer_of, char *err, size_t errlen);
#endif
