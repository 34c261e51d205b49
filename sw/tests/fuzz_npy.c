/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the .npy reader (fx_npy_read, used by `flexor import`) on arbitrary files. Input:
 * byte 0 picks the expected type, byte 1 the number of dimensions (0..3), bytes 2..4 the expected shape
 * (0..15 each), the rest is the file (held in a memfd). Properties: no crash or sanitizer finding, no
 * allocation beyond the expected array, a refusal is one line with no data, an acceptance gives exactly
 * the file's data bytes (compared with the file's tail). */
#define _GNU_SOURCE
#include "flexor/npy.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const descr[] = {"|u1", "|i1", "<i2", "<u2", "<i4", "<u4", "<i8", "<u8"};
    static const size_t esz[] = {1, 1, 2, 2, 4, 4, 8, 8};
    static int fd = -1;
    if (fd < 0 && (fd = memfd_create("npy", 0)) < 0) abort();
    if (size < 5) return 0;
    const int t = data[0] % 8, ndim = data[1] % 4;
    const uint64_t shape[3] = {data[2] % 16u, data[3] % 16u, data[4] % 16u};
    if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET)) abort();
    for (size_t off = 5; off < size;) {
        const ssize_t w = write(fd, data + off, size - off);
        if (w <= 0) abort();
        off += (size_t)w;
    }
    char path[64], err[512] = "";
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    void *out = NULL;
    if (fx_npy_read(path, descr[t], shape, ndim, &out, err, sizeof err)) {
        if (!err[0] || strchr(err, '\n') || out) abort();
        return 0;
    }
    size_t count = 1;
    for (int i = 0; i < ndim; i++) count *= shape[i];
    const size_t bytes = count * esz[t];
    if (bytes > size - 5 || memcmp(out, data + size - bytes, bytes)) abort();
    free(out);
    return 0;
}
