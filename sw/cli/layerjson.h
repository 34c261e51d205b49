/* SPDX-License-Identifier: Apache-2.0 */
/* One JSON description of a layer's shape and flags, shared by inspect --json and export. */
#ifndef FLEXOR_CLI_LAYERJSON_H
#define FLEXOR_CLI_LAYERJSON_H
#include "flexor/model.h"
#include <cjson/cJSON.h>

cJSON *fx_json_u32_array(const uint32_t *v, int n);
/* {type, M, K, in, kernel, pool, shift, q, n_in, encrypted, straddle, relu_u8} */
cJSON *fx_layer_json(const fx_layer *l);
#endif
