/* SPDX-License-Identifier: Apache-2.0 */
/* IDX datasets (.gz or plain, read with zlib), e.g. Fashion-MNIST. */
#ifndef FLEXOR_IDX_H
#define FLEXOR_IDX_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

#define FX_DEFAULT_DATA_DIR "/usr/share/datasets/fashion-mnist"

typedef struct {
    uint32_t n, rows, cols; /* images are rows*cols uint8 */
    uint8_t *images;        /* [n][rows*cols] */
    uint8_t *labels;        /* [n] */
    uint32_t n_classes;     /* largest label + 1: callers check it against their class count */
} fx_dataset;

/* Load DIR/{train,t10k}-images-idx3-ubyte[.gz] and labels; split = "train" or "t10k".
 * limit = 0 for all. Returns -1 with a one-line message. Refused: a header of 0 images, image and
 * label counts that differ, images over 4096x4096, data shorter than the header says. Memory grows
 * with the data actually read (never more than twice it), so a lying header cannot make it allocate. */
int fx_dataset_load(const char *dir, const char *split, uint32_t limit, fx_dataset *d, char *err, size_t errlen);
/* Load an explicit pair of IDX files. */
int fx_dataset_load_files(const char *images, const char *labels, uint32_t limit, fx_dataset *d, char *err,
                          size_t errlen);
void fx_dataset_free(fx_dataset *d);
#ifdef __cplusplus
}
#endif
#endif
