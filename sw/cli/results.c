/* SPDX-License-Identifier: Apache-2.0 */
/* See results.h. Files here are small (KBs): read whole. */
#define _POSIX_C_SOURCE 200809L
#include "results.h"
#include <cjson/cJSON.h>
#include <math.h>
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

/* Splits a line in place into at most max fields (empty fields kept); returns the count. */
static int split_fields(char *line, char **f, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = 0;
    for (char *p = line; n < max;) {
        f[n++] = p;
        p = strchr(p, ',');
        if (!p) break;
        *p++ = 0;
    }
    return n;
}

int csv_lookup(const char *path, int nkeys, const char *const *keys, const char *const *vals, const char *col,
               char *out, size_t len)
{
    enum { MAXF = 64, MAXK = 4 };
    char *b = slurp(path);
    if (!b || nkeys > MAXK) { free(b); return -1; }
    char *save = NULL, *f[MAXF], *found = NULL;
    int kidx[MAXK], cidx = -1, rc = -1;
    char *line = strtok_r(b, "\n", &save);
    int nh = line ? split_fields(line, f, MAXF) : 0;
    for (int k = 0; k < nkeys; k++) kidx[k] = -1;
    for (int i = 0; i < nh; i++) {
        if (!strcmp(f[i], col)) cidx = i;
        for (int k = 0; k < nkeys; k++)
            if (!strcmp(f[i], keys[k])) kidx[k] = i;
    }
    for (int k = 0; k < nkeys; k++)
        if (kidx[k] < 0) cidx = -1;
    while (cidx >= 0 && (line = strtok_r(NULL, "\n", &save))) {
        int n = split_fields(line, f, MAXF), ok = n > cidx;
        for (int k = 0; ok && k < nkeys; k++) ok = n > kidx[k] && !strcmp(f[kidx[k]], vals[k]);
        if (!ok) continue;
        found = f[cidx];
        if (nkeys) break; /* first match; without keys: keep going to the last row */
    }
    if (found) { snprintf(out, len, "%s", found); rc = 0; }
    free(b);
    return rc;
}

double csv_number(const char *path, int nkeys, const char *const *keys, const char *const *vals, const char *col)
{
    char v[64];
    return path && csv_lookup(path, nkeys, keys, vals, col, v, sizeof v) == 0 && v[0] ? atof(v) : NAN;
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

/* The parsed file (free with cJSON_Delete) and in *at the item at the dotted path, or NULL. */
static cJSON *json_at(const char *path, const char *dotted, const cJSON **at)
{
    char *b = slurp(path);
    cJSON *root = b ? cJSON_Parse(b) : NULL;
    free(b);
    *at = walk(root, dotted);
    return root;
}

int json_number(const char *path, const char *dotted, double *out)
{
    const cJSON *j;
    cJSON *root = json_at(path, dotted, &j);
    int rc = -1;
    if (cJSON_IsNumber(j)) { *out = j->valuedouble; rc = 0; }
    cJSON_Delete(root);
    return rc;
}

int json_string(const char *path, const char *dotted, char *out, size_t len)
{
    const cJSON *j;
    cJSON *root = json_at(path, dotted, &j);
    int rc = -1;
    if (cJSON_IsString(j)) { snprintf(out, len, "%s", j->valuestring); rc = 0; }
    cJSON_Delete(root);
    return rc;
}
