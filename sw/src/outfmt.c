/* SPDX-License-Identifier: Apache-2.0 */
/* See outfmt.h. */
#include "flexor/outfmt.h"
#include <inttypes.h>
#include "flexor/fsutil.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int fx_write_json(const char *path, const cJSON *j, char *err, size_t errlen)
{
    char *s = cJSON_Print(j);
    if (!s) {
        snprintf(err, errlen, "%s: cannot write: %s", path, strerror(ENOMEM));
        return -1;
    }
    size_t n = strlen(s);
    char *t = realloc(s, n + 2);
    if (!t) { free(s); snprintf(err, errlen, "%s: cannot write: %s", path, strerror(ENOMEM)); return -1; }
    t[n] = '\n';
    t[n + 1] = 0;
    int r = fx_write_file(path, t, n + 1, err, errlen);
    free(t);
    return r;
}

const char *fx_csv_text(char *buf, size_t n, const char *s)
{
    if (n < 3) { if (n) buf[0] = 0; return buf; }
    if (!strpbrk(s, ",\"\r\n")) { snprintf(buf, n, "%s", s); return buf; }
    size_t o = 0;
    buf[o++] = '"';
    for (; *s; s++) {
        const size_t need = *s == '"' ? 2 : 1;
        if (o + need + 2 > n) break; /* room for the closing quote and the NUL */
        if (*s == '"') buf[o++] = '"';
        buf[o++] = *s;
    }
    buf[o++] = '"';
    buf[o] = 0;
    return buf;
}

void fx_csv_field(FILE *f, const char *s)
{
    char b[8300]; /* a 4096-byte path doubled, plus quotes */
    fputs(fx_csv_text(b, sizeof b, s), f);
}

void fx_pred_csv_header(FILE *f, uint32_t n_classes)
{
    fputs("index,label,predicted", f);
    for (uint32_t c = 0; c < n_classes; c++) fprintf(f, ",logit_%u", c);
    fputc('\n', f);
}

void fx_pred_csv_row(FILE *f, uint64_t index, int64_t label, int predicted, const int32_t *logits, uint32_t n_classes)
{
    fprintf(f, "%" PRIu64 ",", index);
    if (label >= 0) fprintf(f, "%" PRId64, label);
    fprintf(f, ",%d", predicted);
    for (uint32_t c = 0; c < n_classes; c++) fprintf(f, ",%" PRId32, logits[c]);
    fputc('\n', f);
}
