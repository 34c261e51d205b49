/* SPDX-License-Identifier: Apache-2.0 */
/* Where cosim gets its model and images: a .fxm file or a random model ("random:ARCH[:SEED[:straddle]]"),
 * Fashion-MNIST test images or seeded random images. */
#ifndef FLEXOR_CSIM_COSIM_MODEL_H
#define FLEXOR_CSIM_COSIM_MODEL_H
#include "flexor/hwcfg.h"
#include "flexor/model.h"
#include <stddef.h>
#include <stdint.h>

/* Returns 0, or 2 with a one-line message (bad file, hash differs from rtl_hash). */
int fx_cosim_load_model(const char *spec, const fx_hwcfg *cfg, uint32_t rtl_hash, fx_model *m, char *err,
                        size_t errlen);

typedef struct {
    uint32_t n, size;
    uint8_t *images; /* [n][size] */
    uint8_t *labels; /* NULL for random images */
} fx_images;
/* data_dir NULL: random images (seeded). Returns 0 or 2 with a message. */
int fx_cosim_load_images(const char *data_dir, const fx_model *m, uint32_t limit, uint64_t seed, fx_images *im,
                         char *err, size_t errlen);
void fx_cosim_free_images(fx_images *im);
#endif
