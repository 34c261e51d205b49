/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the .cfg parser (fx_hwcfg_read) on arbitrary bytes. Properties: no crash, hang or
 * sanitizer finding; a refusal is one line naming the file; an accepted configuration passes
 * fx_hwcfg_check and, written back in canonical form, parses to the same value. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/hwcfg.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void canonical(FILE *f, const fx_hwcfg *c)
{
    fprintf(f, "name=%s\nn_out=%u\nn_in=", c->name, c->n_out);
    for (uint32_t i = 0; i < c->n_in_count; i++) fprintf(f, "%s%u", i ? "," : "", c->n_in[i]);
    fprintf(f, "\nn_tap=%u\nseed=0x%llx\nlanes=%u\nq_max=%u\nk_max=%u\n", c->n_tap, (unsigned long long)c->seed,
            c->lanes, c->q_max, c->k_max);
    fprintf(f, "wmem_depth=%u\npmem_depth=%u\namem_depth=%u\n", c->wmem_depth, c->pmem_depth, c->amem_depth);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* fmemopen refuses an empty buffer on older C libraries: parse one spare byte-less copy instead */
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    FILE *f = fmemopen(buf, size ? size : 1, "r");
    if (!f) abort();
    if (!size) buf[0] = '\n';
    fx_hwcfg c, again;
    char err[512];
    int rc = fx_hwcfg_read(f, "fuzz.cfg", &c, err, sizeof err);
    fclose(f);
    if (rc) {
        if (strncmp(err, "fuzz.cfg", 8) || strchr(err, '\n')) abort();
    } else {
        if (fx_hwcfg_check(&c, err, sizeof err)) abort();
        (void)fx_hwcfg_hash(&c);
        char *text = NULL;
        size_t len = 0;
        FILE *w = open_memstream(&text, &len);
        if (!w) abort();
        canonical(w, &c);
        fclose(w);
        FILE *r = fmemopen(text, len, "r");
        if (!r || fx_hwcfg_read(r, "canonical", &again, err, sizeof err) || memcmp(&c, &again, sizeof c)) abort();
        fclose(r);
        free(text);
    }
    free(buf);
    return 0;
}
