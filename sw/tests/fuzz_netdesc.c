/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the network description parser (fx_netdesc_parse) on arbitrary bytes, read as a
 * file and, with its line ends as commas, as a spec. Properties: no crash, hang or sanitizer finding; a
 * refusal is one line naming the source; an accepted description is consistent (every layer reads
 * earlier layers, every shape non-empty) and its canonical text parses back to the same canonical text. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/netdesc.h"
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fx_netdesc d, again;
static char canon[1 << 16], canon2[1 << 16];

static void check(const char *text, size_t len, int spec)
{
    char err[512];
    const char *src = spec ? "spec" : "fuzz.net";
    if (fx_netdesc_parse(text, len, spec, src, &d, err, sizeof err)) {
        if (strncmp(err, src, strlen(src)) || strchr(err, '\n')) abort();
        return;
    }
    if (d.n < 2 || d.n > FX_NET_MAX_LAYERS || d.L[0].kind != FX_NET_INPUT || !fx_netdesc_weight_layers(&d)) abort();
    for (uint32_t i = 1; i < d.n; i++) {
        const fx_net_layer *l = &d.L[i];
        if (l->from < 0 || l->from >= (int)i || (l->kind == FX_NET_ADD && (l->other < 0 || l->other >= (int)i))) abort();
        if (!l->c || !l->h || !l->w || (uint64_t)l->c * l->h * l->w > (1u << 26)) abort();
    }
    int n = fx_netdesc_format(&d, canon, sizeof canon);
    if (n < 0 || fx_netdesc_parse(canon, (size_t)n, 0, "canonical", &again, err, sizeof err)) abort();
    if (fx_netdesc_format(&again, canon2, sizeof canon2) != n || memcmp(canon, canon2, (size_t)n)) abort();
    char a[17], b[17];
    fx_netdesc_digest(&d, a);
    fx_netdesc_digest(&again, b);
    if (strcmp(a, b)) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    if (!buf) return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    check(buf, size, 0);
    for (size_t i = 0; i < size; i++)
        if (buf[i] == '\n') buf[i] = ',';
    check(buf, size, 1);
    free(buf);
    return 0;
}
