/* See results.h. Files here are small (KBs): read whole. */
#include "results.h"
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    if (fseek(f, 0, SEEK_END) || ftell(f) < 0 || ftell(f) > (1 << 24)) { fclose(f); return NULL; }
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) { free(b); b = NULL; }
    if (b) b[n] = 0;
    fclose(f);
    return b;
}

/* Field i of a comma-separated line (no quoting: our CSVs have none). */
static int field(const char *line, int i, char *out, size_t len)
{
    const char *s = line;
    for (int k = 0; k < i; k++) {
        s = strchr(s, ',');
        if (!s) return -1;
        s++;
    }
    size_t n = strcspn(s, ",\r\n");
    if (n >= len) n = len - 1;
    memcpy(out, s, n);
    out[n] = 0;
    return 0;
}

int csv_last(const char *path, const char *col, char *out, size_t len)
{
    char *b = slurp(path);
    if (!b) return -1;
    char *header = b, *last = NULL;
    char *nl = strchr(b, '\n');
    if (!nl) { free(b); return -1; }
    *nl = 0;
    for (char *line = nl + 1; *line; ) {
        char *e = strchr(line, '\n');
        if (e) *e = 0;
        if (*line) last = line;
        if (!e) break;
        line = e + 1;
    }
    int idx = -1, rc = -1;
    char name[128];
    for (int i = 0; field(header, i, name, sizeof name) == 0; i++)
        if (!strcmp(name, col)) { idx = i; break; }
    if (idx >= 0 && last) rc = field(last, idx, out, len);
    free(b);
    return rc;
}

static const cJSON *walk(const cJSON *j, const char *dotted)
{
    char key[128];
    while (j && *dotted) {
        size_t n = strcspn(dotted, ".");
        if (n >= sizeof key) return NULL;
        memcpy(key, dotted, n);
        key[n] = 0;
        dotted += n + (dotted[n] == '.');
        if (cJSON_IsArray(j)) j = cJSON_GetArrayItem(j, atoi(key));
        else j = cJSON_GetObjectItemCaseSensitive(j, key);
    }
    return j;
}

int json_number(const char *path, const char *dotted, double *out)
{
    char *b = slurp(path);
    if (!b) return -1;
    cJSON *root = cJSON_Parse(b);
    free(b);
    const cJSON *j = walk(root, dotted);
    int rc = -1;
    if (cJSON_IsNumber(j)) { *out = j->valuedouble; rc = 0; }
    cJSON_Delete(root);
    return rc;
}

int json_string(const char *path, const char *dotted, char *out, size_t len)
{
    char *b = slurp(path);
    if (!b) return -1;
    cJSON *root = cJSON_Parse(b);
    free(b);
    const cJSON *j = walk(root, dotted);
    int rc = -1;
    if (cJSON_IsString(j)) { snprintf(out, len, "%s", j->valuestring); rc = 0; }
    cJSON_Delete(root);
    return rc;
}
