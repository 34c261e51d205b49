/* SPDX-License-Identifier: Apache-2.0 */
/* See layerjson.h. */
#include "layerjson.h"

cJSON *fx_json_u32_array(const uint32_t *v, int n)
{
    cJSON *a = cJSON_CreateArray();
    for (int i = 0; i < n; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(v[i]));
    return a;
}

cJSON *fx_layer_json(const fx_layer *l)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "type", l->type == FX_LAYER_CONV ? "conv" : "fc");
    cJSON_AddNumberToObject(o, "M", l->M);
    cJSON_AddNumberToObject(o, "K", l->K);
    cJSON_AddItemToObject(o, "in", fx_json_u32_array((const uint32_t[]){l->in_c, l->in_h, l->in_w}, 3));
    cJSON_AddItemToObject(o, "kernel", fx_json_u32_array((const uint32_t[]){l->kh, l->kw}, 2));
    cJSON_AddNumberToObject(o, "pool", l->pool);
    cJSON_AddNumberToObject(o, "shift", l->shift);
    cJSON_AddNumberToObject(o, "q", l->q);
    cJSON_AddNumberToObject(o, "n_in", l->n_in);
    cJSON_AddBoolToObject(o, "encrypted", (l->flags & FX_F_ENCRYPTED) != 0);
    cJSON_AddBoolToObject(o, "straddle", (l->flags & FX_F_STRADDLE) != 0);
    cJSON_AddBoolToObject(o, "relu_u8", (l->flags & FX_F_RELU_U8) != 0);
    return o;
}

void fx_layer_json_graph(cJSON *o, const fx_layer *l)
{
    static const char *const kinds[] = {"none", "identity", "option_a"};
    cJSON_AddNumberToObject(o, "stride", l->stride);
    cJSON_AddNumberToObject(o, "pad", l->pad);
    cJSON_AddNumberToObject(o, "input", (double)l->src - 1); /* -1 the image, else the layer index */
    if (l->res_kind && l->res_kind <= FX_RES_OPTION_A) {
        cJSON *r = cJSON_AddObjectToObject(o, "residual");
        cJSON_AddStringToObject(r, "kind", kinds[l->res_kind]);
        cJSON_AddNumberToObject(r, "source", (double)l->res_src - 1);
    }
    cJSON_AddNumberToObject(o, "avg_mult", l->avg_mult);
    cJSON_AddNumberToObject(o, "avg_shift", l->avg_shift);
}
