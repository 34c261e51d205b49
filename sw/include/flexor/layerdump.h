/* SPDX-License-Identifier: Apache-2.0 */
/* Per-layer outputs of one image as NumPy files, DIR/image<I>/{input,layer<L>,logits}.npy (docs/cli.md,
 * "Per-layer outputs"): what `infer --layer-outputs` and `cosim --layer-outputs` write. */
#ifndef FLEXOR_LAYERDUMP_H
#define FLEXOR_LAYERDUMP_H
#include "flexor/model.h"
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    const fx_model *m;
    char dir[4096];
    char *err;
    size_t errlen;
    int failed;
} fx_layer_dump;

/* Creates DIR/image<I> and writes input.npy (uint8 (C, H, W)). 0, or -1 with err set. */
int fx_layer_dump_begin(fx_layer_dump *u, const char *dir, uint64_t image, const fx_model *m, const uint8_t *input,
                        char *err, size_t errlen);
/* An fx_layer_cb: layer<L>.npy, int32 (M, OH, OW) for conv, (M,) for FC; a failure is kept in u->failed. */
void fx_layer_dump_layer(void *u, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M);
/* logits.npy (int32 (n_classes,)); 0, or -1 when this or any earlier file failed (err set). */
int fx_layer_dump_end(fx_layer_dump *u, const int32_t *logits);
/* "0,5,7" into at most max image indices; the count, or -1 (a bad list). */
int fx_layer_dump_list(const char *list, uint32_t *idx, int max);
#ifdef __cplusplus
}
#endif
#endif
