/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: fx_model_parse on arbitrary bytes. Properties: no crash or sanitizer finding; an
 * accepted file passes fx_model_validate, re-serialises to the same bytes, and (when small) runs
 * through the reference on a blank image. */
#include "flexor/model.h"
#include "flexor/ref.h"
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int one(const uint8_t *data, size_t size);

/* Each input is parsed as is (CRC and size checks) and once more with its size field and CRC made
 * consistent, so that mutations reach the structural rules and the payload decoder behind them. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    one(data, size);
    if (size < 68 || size > 0xFFFFFFFFu) return 0;
    uint8_t *fixed = malloc(size);
    memcpy(fixed, data, size);
    for (int i = 0; i < 4; i++) fixed[56 + i] = (uint8_t)(size >> (8 * i));
    uint32_t crc = (uint32_t)crc32(0L, fixed, (uInt)(size - 4));
    for (int i = 0; i < 4; i++) fixed[size - 4 + i] = (uint8_t)(crc >> (8 * i));
    one(fixed, size);
    free(fixed);
    return 0;
}

static int one(const uint8_t *data, size_t size)
{
    const fx_hwcfg *cfg = fx_hwcfg_builtin();
    fx_model m;
    char err[512];
    if (fx_model_parse(data, size, "fuzz", cfg, &m, err, sizeof err)) {
        if (strncmp(err, "fuzz: ", 6) || strchr(err, '\n')) abort();
        return 0;
    }
    if (fx_model_validate(&m, cfg, err, sizeof err)) abort();
    uint8_t *buf;
    size_t len;
    if (fx_model_serialize(&m, &buf, &len) || len != size || memcmp(buf, data, size)) abort();
    free(buf);
    uint64_t work = 0; /* MACs of one inference: keep each input fast */
    for (uint32_t i = 0; i < m.n_layers; i++) {
        const fx_layer *l = &m.layers[i];
        uint32_t oh, ow;
        fx_layer_conv_out(l, &oh, &ow);
        work += (uint64_t)oh * ow * l->M * l->K * l->q;
    }
    fx_ref_net net;
    if (work < 200000 && !fx_ref_prepare(&net, &m, cfg, err, sizeof err)) {
        size_t in = (size_t)m.in_c * m.in_h * m.in_w;
        uint8_t *img = calloc(in + 1, 1);
        for (size_t i = 0; i < in; i++) img[i] = (uint8_t)(i * 37);
        int32_t *logits = calloc(m.n_classes + 1, sizeof *logits);
        int cls = fx_ref_infer(&net, img, logits, NULL, NULL);
        if (cls < 0 || (uint32_t)cls >= m.n_classes) abort();
        free(img); free(logits);
        fx_ref_free(&net);
    }
    fx_model_free(&m);
    return 0;
}
