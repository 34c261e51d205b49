/* Minimal recursive-descent JSON parser; see sx_json.h. */
#include "sx_json.h"
#include "sx_util.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *p;
    char *err;
    size_t errlen;
    int depth;
} parser;

static void skip_ws(parser *ps)
{
    while (*ps->p && isspace((unsigned char)*ps->p)) ps->p++;
}

static sxj *fail(parser *ps, const char *what)
{
    if (ps->err && !ps->err[0]) snprintf(ps->err, ps->errlen, "JSON: %s near '%.20s'", what, ps->p);
    return NULL;
}

static char *parse_string_raw(parser *ps)
{
    if (*ps->p != '"') return (char *)fail(ps, "expected string");
    ps->p++;
    size_t cap = 32, n = 0;
    char *s = sx_xmalloc(cap);
    while (*ps->p && *ps->p != '"') {
        char c = *ps->p++;
        if (c == '\\') {
            char e = *ps->p++;
            c = e == 'n' ? '\n' : e == 't' ? '\t' : e;
            if (!e) break;
        }
        if (n + 2 > cap) s = sx_xrealloc(s, cap *= 2);
        s[n++] = c;
    }
    if (*ps->p != '"') { free(s); return (char *)fail(ps, "unterminated string"); }
    ps->p++;
    s[n] = 0;
    return s;
}

static sxj *parse_value(parser *ps);

static sxj *parse_container(parser *ps, int type)
{
    char close = type == SXJ_OBJ ? '}' : ']';
    sxj *v = sx_xcalloc(1, sizeof *v), **tail = &v->child;
    v->type = type;
    ps->p++;
    skip_ws(ps);
    if (*ps->p == close) { ps->p++; return v; }
    for (;;) {
        char *key = NULL;
        skip_ws(ps);
        if (type == SXJ_OBJ) {
            if (!(key = parse_string_raw(ps))) break;
            skip_ws(ps);
            if (*ps->p != ':') { free(key); fail(ps, "expected ':'"); break; }
            ps->p++;
        }
        sxj *e = parse_value(ps);
        if (!e) { free(key); break; }
        e->key = key;
        *tail = e;
        tail = &e->next;
        skip_ws(ps);
        if (*ps->p == ',') { ps->p++; continue; }
        if (*ps->p == close) { ps->p++; return v; }
        fail(ps, "expected ',' or closing bracket");
        break;
    }
    sxj_free(v);
    return NULL;
}

static sxj *parse_value(parser *ps)
{
    skip_ws(ps);
    if (++ps->depth > 64) return fail(ps, "nesting too deep");
    sxj *v = NULL;
    char c = *ps->p;
    if (c == '{') v = parse_container(ps, SXJ_OBJ);
    else if (c == '[') v = parse_container(ps, SXJ_ARR);
    else if (c == '"') {
        char *s = parse_string_raw(ps);
        if (s) { v = sx_xcalloc(1, sizeof *v); v->type = SXJ_STR; v->str = s; }
    } else if (!strncmp(ps->p, "true", 4) || !strncmp(ps->p, "false", 5)) {
        v = sx_xcalloc(1, sizeof *v);
        v->type = SXJ_BOOL;
        v->num = c == 't';
        ps->p += c == 't' ? 4 : 5;
    } else if (!strncmp(ps->p, "null", 4)) {
        v = sx_xcalloc(1, sizeof *v);
        ps->p += 4;
    } else if (c == '-' || isdigit((unsigned char)c)) {
        char *end;
        double d = strtod(ps->p, &end);
        if (end == ps->p) return fail(ps, "bad number");
        ps->p = end;
        v = sx_xcalloc(1, sizeof *v);
        v->type = SXJ_NUM;
        v->num = d;
    } else
        v = fail(ps, "unexpected character");
    ps->depth--;
    return v;
}

sxj *sxj_parse(const char *text, char *err, size_t errlen)
{
    parser ps = {text, err, errlen, 0};
    if (err && errlen) err[0] = 0;
    sxj *v = parse_value(&ps);
    if (!v) return NULL;
    skip_ws(&ps);
    if (*ps.p) { sxj_free(v); return fail(&ps, "trailing characters"); }
    return v;
}

sxj *sxj_load(const char *path, char *err, size_t errlen)
{
    char *text = sx_read_file(path, NULL);
    if (!text) { snprintf(err, errlen, "%s: cannot read", path); return NULL; }
    char e[200];
    sxj *v = sxj_parse(text, e, sizeof e);
    free(text);
    if (!v) snprintf(err, errlen, "%s: %s", path, e);
    return v;
}

sxj *sxj_load_yosys(const char *path, char *err, size_t errlen)
{
    char *text = sx_read_file(path, NULL);
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
    char e[200];
    sxj *v = sxj_parse(text, e, sizeof e);
    free(text);
    if (!v) snprintf(err, errlen, "%s: %s", path, e);
    return v;
}

void sxj_free(sxj *v)
{
    while (v) {
        sxj *n = v->next;
        sxj_free(v->child);
        free(v->str);
        free(v->key);
        free(v);
        v = n;
    }
}

const sxj *sxj_get(const sxj *obj, const char *key)
{
    if (!obj || obj->type != SXJ_OBJ) return NULL;
    for (const sxj *e = obj->child; e; e = e->next)
        if (!strcmp(e->key, key)) return e;
    return NULL;
}

double sxj_num(const sxj *obj, const char *key, double dflt)
{
    const sxj *e = sxj_get(obj, key);
    if (!e) return dflt;
    if (e->type == SXJ_NUM || e->type == SXJ_BOOL) return e->num;
    if (e->type == SXJ_STR) { /* Yosys writes some counts as strings ("816+") */
        char *end;
        double d = strtod(e->str, &end);
        return end == e->str ? dflt : d;
    }
    return dflt;
}

const char *sxj_str(const sxj *obj, const char *key)
{
    const sxj *e = sxj_get(obj, key);
    return e && e->type == SXJ_STR ? e->str : NULL;
}
