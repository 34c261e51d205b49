/* SPDX-License-Identifier: Apache-2.0 */
/* See opt.h. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/opt.h"
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v)
{
    if (!s || !(*s >= '0' && *s <= '9')) return -1; /* strtoull would take spaces, '+' and wrap '-' */
    int hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');
    const char *d = hex ? s + 2 : s;
    if (!*d || (!hex && d[0] == '0' && d[1])) return -1; /* "010": octal to some readers, decimal to others */
    for (const char *p = d; *p; p++)
        if (!(hex ? isxdigit((unsigned char)*p) : isdigit((unsigned char)*p))) return -1;
    char *e;
    errno = 0;
    unsigned long long x = strtoull(d, &e, hex ? 16 : 10);
    if (errno || *e || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

int fx_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *v)
{
    if (!s) return -1;
    const char *d = s + (*s == '-');
    if (!(*d >= '0' && *d <= '9')) return -1;
    char *e;
    errno = 0;
    long long x = strtoll(s, &e, 10);
    if (errno || *e || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

int fx_parse_int(const char *s, int lo, int hi, int *v)
{
    int64_t x;
    if (fx_parse_i64(s, lo, hi, &x)) return -1;
    *v = (int)x;
    return 0;
}

int fx_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v)
{
    uint64_t x;
    if (fx_parse_u64(s, lo, hi, &x)) return -1;
    *v = (uint32_t)x;
    return 0;
}

int fx_parse_double(const char *s, double lo, double hi, double *v)
{
    if (!s || !*s || strchr(" \t\n\v\f\r", *s)) return -1;
    char *e;
    errno = 0;
    double x = strtod(s, &e);
    if (e == s || *e || errno == ERANGE || !isfinite(x) || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

int fx_split_list(const char *list, char *items, size_t itemlen, int max)
{
    int n = 0;
    for (const char *p = list;; p++) {
        size_t len = strcspn(p, ",");
        if (!len || len >= itemlen || n == max) return -1;
        memcpy(items + (size_t)n * itemlen, p, len);
        items[(size_t)n++ * itemlen + len] = 0;
        p += len;
        if (!*p) return n;
    }
}

int fx_opt_fail(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "flexor %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (flexor %s --help)\n", cmd);
    va_end(ap);
    return 2;
}

int fx_opt_bad_value(const char *cmd, const char *opt, const char *val, const char *expected)
{
    return fx_opt_fail(cmd, "bad value '%s' for --%s: expected %s", val, opt, expected);
}

int fx_opt_error(const char *cmd, int c, char **argv)
{
    const char *arg = optind > 0 ? argv[optind - 1] : "?";
    if (c == ':') return fx_opt_fail(cmd, "option '%s' needs a value", arg);
    if (optopt && optopt < 256 && !(arg[0] == '-' && arg[1] == '-')) return fx_opt_fail(cmd, "unknown option '-%c'", optopt);
    return fx_opt_fail(cmd, "unknown option '%s'", arg);
}

void fx_opt_reset(void)
{
    optind = 1;
    opterr = 0;
}
