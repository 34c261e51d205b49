/* SPDX-License-Identifier: Apache-2.0 */
/* One JSON description of a layer's shape and flags, shared by inspect --json and export. */
#ifndef FLEXOR_CLI_LAYERJSON_H
#define FLEXOR_CLI_LAYERJSON_H
#include "flexor/model.h"
#include <cjson/cJSON.h>

cJSON *fx_json_u32_array(const uint32_t *v, int n);
/* {type, M, K, in, kernel, pool, shift, q, n_in, encrypted, straddle, relu_u8} */
cJSON *fx_layer_json(const fx_layer *l);
/* The version-2 keys of a layer (docs/export.md): stride, pad, input (-1 = the image, else the layer
 * index), residual {kind identity|option_a, source} when it has one, avg_mult, avg_shift. */
void fx_layer_json_graph(cJSON *o, const fx_layer *l);
#endif
