/* See outfmt.h. */
#include "flexor/outfmt.h"
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

void fx_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\r\n")) { fputs(s, f); return; }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"') fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
