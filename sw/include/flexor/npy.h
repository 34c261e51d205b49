/* SPDX-License-Identifier: Apache-2.0 */
/* NumPy .npy files (format version 1.0), the way flexor hands arrays to frameworks (docs/cli.md). */
#ifndef FLEXOR_NPY_H
#define FLEXOR_NPY_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

enum { FX_NPY_MAX_DIMS = 8 };

/* Writes a C-order array of ndim dimensions through fx_out (atomic). descr is a NumPy type string of
 * the host's little-endian layout: "|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8". 0, or -1
 * with a one-line message in err. */
int fx_npy_write(const char *path, const char *descr, const uint64_t *shape, int ndim, const void *data, char *err,
                 size_t errlen);
/* Reads path, which must hold an array of type descr (as above; "<u1"/"<i1" also accepted for one-byte
 * types), C order, of exactly ndim dimensions equal to shape. *data gets a malloc'd copy of the elements
 * (free it). 0, or -1 with a one-line "path: problem" in err (wrong type or shape, not an .npy file,
 * truncated, or more than the expected bytes). */
int fx_npy_read(const char *path, const char *descr, const uint64_t *shape, int ndim, void **data, char *err,
                size_t errlen);
#ifdef __cplusplus
}
#endif
#endif
