/* SPDX-License-Identifier: Apache-2.0 */
/* See layerdump.h. */
#include "flexor/layerdump.h"
#include "flexor/fsutil.h"
#include "flexor/npy.h"
#include "flexor/opt.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int file_path(fx_layer_dump *u, char *path, size_t n, const char *name)
{
    if ((size_t)snprintf(path, n, "%s/%s.npy", u->dir, name) < n) return 0;
    snprintf(u->err, u->errlen, "%.300s: path too long", u->dir);
    return -1;
}

int fx_layer_dump_begin(fx_layer_dump *u, const char *dir, uint64_t image, const fx_model *m, const uint8_t *input,
                        char *err, size_t errlen)
{
    *u = (fx_layer_dump){.m = m, .err = err, .errlen = errlen};
    char path[4200];
    if ((size_t)snprintf(u->dir, sizeof u->dir, "%s/image%llu", dir, (unsigned long long)image) >= sizeof u->dir) {
        snprintf(err, errlen, "%.300s: path too long", dir);
        return -1;
    }
    if (fx_mkdir_p(u->dir)) {
        snprintf(err, errlen, "%.300s: cannot create: %s", u->dir, strerror(errno));
        return -1;
    }
    const uint64_t shape[3] = {m->in_c, m->in_h, m->in_w};
    return file_path(u, path, sizeof path, "input") || fx_npy_write(path, "|u1", shape, 3, input, err, errlen) ? -1 : 0;
}

void fx_layer_dump_layer(void *user, uint32_t layer, const int32_t *out, uint32_t N, uint32_t M)
{
    fx_layer_dump *u = user;
    const fx_layer *l = &u->m->layers[layer];
    char path[4200], name[32];
    snprintf(name, sizeof name, "layer%u", layer);
    if (u->failed || (u->failed = file_path(u, path, sizeof path, name))) return;
    int32_t *t = malloc(((size_t)N * M + 1) * sizeof *t);
    if (!t) {
        snprintf(u->err, u->errlen, "out of memory");
        u->failed = 1;
        return;
    }
    for (uint32_t n = 0; n < N; n++) /* [N][M] columns -> channel-major (M, OH, OW) */
        for (uint32_t m = 0; m < M; m++) t[(size_t)m * N + n] = out[(size_t)n * M + m];
    const int conv = l->type == FX_LAYER_CONV;
    uint32_t oh = 1, ow = 1;
    if (conv) fx_layer_conv_out(l, &oh, &ow); /* stride and padding of contract v2 */
    const uint64_t shape[3] = {M, oh, ow};
    u->failed = fx_npy_write(path, "<i4", shape, conv ? 3 : 1, t, u->err, u->errlen) != 0;
    free(t);
}

int fx_layer_dump_end(fx_layer_dump *u, const int32_t *logits)
{
    char path[4200];
    const uint64_t shape[1] = {u->m->n_classes};
    if (u->failed || file_path(u, path, sizeof path, "logits") ||
        fx_npy_write(path, "<i4", shape, 1, logits, u->err, u->errlen))
        return -1;
    return 0;
}

int fx_layer_dump_list(const char *list, uint32_t *idx, int max)
{
    char items[64][16];
    if (max > 64) max = 64;
    const int n = fx_split_list(list, &items[0][0], sizeof items[0], max);
    for (int k = 0; k < n; k++)
        if (fx_parse_u32(items[k], 0, UINT32_MAX - 1, &idx[k])) return -1;
    return n;
}
