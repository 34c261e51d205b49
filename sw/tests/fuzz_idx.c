/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the IDX dataset reader (fx_dataset_load_files) on arbitrary image and label files,
 * plain or gzip. Input: 2 bytes choosing where the image file ends, 1 byte for the limit, then the two
 * files back to back (held in memfds, read through /proc/self/fd). Properties: no crash or sanitizer
 * finding, no allocation beyond what the data justifies (-rss_limit_mb), a refusal is one line and frees
 * everything, and an accepted dataset is consistent: n > 0, n within the limit, the sizes in range and
 * n_classes the largest label + 1. */
#define _GNU_SOURCE
#include "flexor/idx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void put(int fd, const uint8_t *p, size_t n)
{
    if (ftruncate(fd, 0) || lseek(fd, 0, SEEK_SET)) abort();
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0) abort();
        p += w;
        n -= (size_t)w;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fi = -1, fl = -1;
    if (fi < 0 && ((fi = memfd_create("images", 0)) < 0 || (fl = memfd_create("labels", 0)) < 0)) abort();
    if (size < 3) return 0;
    const size_t body = size - 3, cut = ((size_t)data[0] | (size_t)data[1] << 8) % (body + 1);
    const uint32_t limit = data[2] & 0x80 ? 0 : data[2];
    put(fi, data + 3, cut);
    put(fl, data + 3 + cut, body - cut);
    char pi[64], pl[64], err[512];
    snprintf(pi, sizeof pi, "/proc/self/fd/%d", fi);
    snprintf(pl, sizeof pl, "/proc/self/fd/%d", fl);
    fx_dataset d;
    if (fx_dataset_load_files(pi, pl, limit, &d, err, sizeof err)) {
        if (!err[0] || strchr(err, '\n') || d.images || d.labels) abort();
        return 0;
    }
    if (!d.n || (limit && d.n > limit) || !d.rows || !d.cols || d.rows > 4096 || d.cols > 4096) abort();
    uint32_t top = 0, sum = 0;
    for (uint32_t i = 0; i < d.n; i++) top = d.labels[i] + 1u > top ? d.labels[i] + 1u : top;
    if (top != d.n_classes) abort();
    /* every image byte is there (ASan checks the bounds) */
    for (size_t i = 0; i < (size_t)d.n * d.rows * d.cols; i++) sum += d.images[i];
    if (sum == 0xFFFFFFFFu) fputc(0, stderr);
    fx_dataset_free(&d);
    return 0;
}
