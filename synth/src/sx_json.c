/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_json.h. */
#include "flexor/fsutil.h"
#include "sx_json.h"
#include "sx_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static cJSON *parse(const char *path, const char *text, char *err, size_t errlen)
{
    cJSON *v = cJSON_Parse(text);
    if (!v) {
        const char *at = cJSON_GetErrorPtr();
        snprintf(err, errlen, "%s: malformed JSON near '%.20s'", path, at ? at : "");
    }
    return v;
}

cJSON *sx_json_load(const char *path, char *err, size_t errlen)
{
    char *text = fx_read_file(path, 0, NULL);
    if (!text) { snprintf(err, errlen, "%s: cannot read", path); return NULL; }
    cJSON *v = parse(path, text, err, errlen);
    free(text);
    return v;
}

cJSON *sx_json_load_yosys(const char *path, char *err, size_t errlen)
{
    char *text = fx_read_file(path, 0, NULL);
    if (!text) { snprintf(err, errlen, "%s: cannot read", path); return NULL; }
    char *w = text;
    for (char *line = text; *line;) {
        char *end = strchr(line, '\n'), *p = line;
        size_t len = end ? (size_t)(end - line + 1) : strlen(line);
        while (*p == ' ' || *p == '\t') p++;
        if (strchr("\"{}[]", *p) && *p) { memmove(w, line, len); w += len; }
        line += len;
    }
    *w = 0;
    cJSON *v = parse(path, text, err, errlen);
    free(text);
    return v;
}

const cJSON *sx_json_obj(const cJSON *obj, const char *key)
{
    const cJSON *e = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsObject(e) ? e : NULL;
}

double sx_json_num(const cJSON *obj, const char *key, double dflt)
{
    const cJSON *e = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    if (cJSON_IsNumber(e)) return e->valuedouble;
    if (cJSON_IsBool(e)) return cJSON_IsTrue(e);
    if (cJSON_IsString(e)) {
        char *end;
        double d = strtod(e->valuestring, &end);
        return end == e->valuestring ? dflt : d;
    }
    return dflt;
}

const char *sx_json_str(const cJSON *obj, const char *key)
{
    const cJSON *e = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    return cJSON_IsString(e) ? e->valuestring : NULL;
}

int sx_write_json(const char *path, const cJSON *j)
{
    char *text = cJSON_Print(j);
    if (!text) { fprintf(stderr, "flexor synth: %s: out of memory\n", path); return -1; }
    size_t n = strlen(text);
    char *t = sx_xrealloc(text, n + 2);
    t[n] = '\n';
    t[n + 1] = 0;
    int rc = sx_write_file(path, t);
    free(t);
    return rc;
}
