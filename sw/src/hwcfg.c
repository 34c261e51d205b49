/* SPDX-License-Identifier: Apache-2.0 */
/* Parser and derived quantities of the hardware configuration (docs/contract.md §1, §4). */
#define _POSIX_C_SOURCE 200809L
#include "flexor/hwcfg.h"
#include "flexor/mxor.h"
#include "flexor/opt.h"
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

/* The keys of a .cfg file (docs/contract.md §1): every one must be stated exactly once, there are no
 * defaults, so the file alone is the configuration. lo/hi are the ranges fx_hwcfg_check enforces. */
enum { K_NAME, K_LIST, K_U32, K_U64 };
typedef struct {
    const char *key;
    int kind;
    size_t off;
    uint64_t lo, hi;
} cfg_key;

#define U32(f, lo, hi) {#f, K_U32, offsetof(fx_hwcfg, f), lo, hi}
static const cfg_key keys[] = {
    {"name", K_NAME, 0, 0, 0},
    U32(n_out, 2, 32),
    {"n_in", K_LIST, 0, 1, 32},
    U32(n_tap, 1, 32),
    {"seed", K_U64, offsetof(fx_hwcfg, seed), 0, UINT64_MAX},
    U32(lanes, 1, 256),
    U32(q_max, 1, 8),
    U32(k_max, 1, 1u << 20),
    U32(wmem_depth, 1, 1u << 24),
    U32(pmem_depth, 1, 1u << 24),
    U32(amem_depth, 1, 1u << 24),
};
#undef U32
#define N_KEYS (sizeof keys / sizeof keys[0])
#define MAX_LINE 1024 /* characters of a line, newline included; longer lines are refused, never split */

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

/* Decimal, or hexadecimal after 0x: the whole string, no sign, no spaces, within [lo, hi]. A leading
 * zero is refused ("010": octal to C, decimal to a person). */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

/* One line into buf (without its newline). 1: a line; 0: end of file; -1: longer than MAX_LINE - 1;
 * -2: a NUL byte; -3: a read error. */
static int read_line(FILE *f, char buf[MAX_LINE])
{
    size_t n = 0;
    int c;
    while ((c = getc(f)) != EOF && c != '\n') {
        if (c == 0) return -2;
        if (n == MAX_LINE - 1) return -1;
        buf[n++] = (char)c;
    }
    buf[n] = 0;
    if (ferror(f)) return -3;
    return c == EOF && n == 0 ? 0 : 1;
}

/* Stores one value; returns 0, or -1 with the reason (after "file:line: key: ") in err. */
static int set_value(fx_hwcfg *cfg, const cfg_key *k, char *val, char *err, unsigned errlen)
{
    uint64_t v;
    switch (k->kind) {
    case K_NAME: {
        size_t n = strlen(val);
        /* the name lands in generated C, Verilog and JSON strings: plain characters only */
        if (n >= sizeof cfg->name || strspn(val, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-") != n) {
            snprintf(err, errlen, "must be 1..%zu of A-Z a-z 0-9 _ . -", sizeof cfg->name - 1);
            return -1;
        }
        memcpy(cfg->name, val, n + 1);
        return 0;
    }
    case K_LIST:
        cfg->n_in_count = 0;
        for (char *tok = val;; cfg->n_in_count++) {
            char *comma = strchr(tok, ',');
            if (comma) *comma = 0;
            if (cfg->n_in_count == FX_MAX_NIN_SET || fx_parse_u64(trim(tok), k->lo, k->hi, &v)) {
                snprintf(err, errlen, "must list 1..%d values, each %llu..%llu, separated by commas", FX_MAX_NIN_SET,
                         (unsigned long long)k->lo, (unsigned long long)k->hi);
                return -1;
            }
            cfg->n_in[cfg->n_in_count] = (uint32_t)v;
            if (!comma) break;
            tok = comma + 1;
        }
        cfg->n_in_count++;
        qsort(cfg->n_in, cfg->n_in_count, sizeof cfg->n_in[0], cmp_u32);
        return 0;
    default:
        if (fx_parse_u64(val, k->lo, k->hi, &v)) {
            snprintf(err, errlen, "'%s' is not a number in %llu..%llu (decimal or 0x hex)", val,
                     (unsigned long long)k->lo, (unsigned long long)k->hi);
            return -1;
        }
        if (k->kind == K_U64) *(uint64_t *)((char *)cfg + k->off) = v;
        else *(uint32_t *)((char *)cfg + k->off) = (uint32_t)v;
        return 0;
    }
}

int fx_hwcfg_read(FILE *f, const char *path, fx_hwcfg *cfg, char *err, unsigned errlen)
{
    char line[MAX_LINE], why[160];
    int seen[N_KEYS] = {0}, rc;
    memset(cfg, 0, sizeof *cfg);
    for (int lineno = 1; (rc = read_line(f, line)) != 0; lineno++) {
        if (rc < 0) {
            snprintf(err, errlen, "%s:%d: %s", path, lineno,
                     rc == -1 ? "line longer than 1023 characters" : rc == -2 ? "NUL byte" : strerror(errno));
            return -1;
        }
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) { snprintf(err, errlen, "%s:%d: expected key = value", path, lineno); return -1; }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        size_t k = 0;
        while (k < N_KEYS && strcmp(keys[k].key, key)) k++;
        if (!*key) { snprintf(err, errlen, "%s:%d: empty key", path, lineno); return -1; }
        if (k == N_KEYS) { snprintf(err, errlen, "%s:%d: unknown key '%.64s'", path, lineno, key); return -1; }
        if (seen[k]) {
            snprintf(err, errlen, "%s:%d: %s: already set on line %d", path, lineno, key, seen[k]);
            return -1;
        }
        if (!*val) { snprintf(err, errlen, "%s:%d: %s: empty value", path, lineno, key); return -1; }
        if (set_value(cfg, &keys[k], val, why, sizeof why)) {
            snprintf(err, errlen, "%s:%d: %s: %s", path, lineno, key, why);
            return -1;
        }
        seen[k] = lineno;
    }
    for (size_t k = 0; k < N_KEYS; k++)
        if (!seen[k]) {
            snprintf(err, errlen, "%s: missing key '%s' (every key must be stated, docs/contract.md §1)", path,
                     keys[k].key);
            return -1;
        }
    if (fx_hwcfg_check(cfg, why, sizeof why)) { snprintf(err, errlen, "%s: %s", path, why); return -1; }
    return 0;
}

int fx_hwcfg_load(const char *path, fx_hwcfg *cfg, char *err, unsigned errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno)); return -1; }
    struct stat st;
    if (fstat(fileno(f), &st) || S_ISDIR(st.st_mode)) {
        snprintf(err, errlen, "%s: is a directory, not a configuration file", path);
        fclose(f);
        return -1;
    }
    int rc = fx_hwcfg_read(f, path, cfg, err, errlen);
    fclose(f);
    return rc;
}

/* Ranges of the table above, then the rules between keys. */
int fx_hwcfg_check(const fx_hwcfg *c, char *err, unsigned errlen)
{
    for (size_t k = 0; k < N_KEYS; k++) {
        if (keys[k].kind != K_U32) continue;
        uint32_t v = *(const uint32_t *)((const char *)c + keys[k].off);
        if (v < keys[k].lo || v > keys[k].hi) {
            snprintf(err, errlen, "%s %u outside %llu..%llu", keys[k].key, v, (unsigned long long)keys[k].lo,
                     (unsigned long long)keys[k].hi);
            return -1;
        }
    }
    if (c->n_in_count == 0 || c->n_in_count > FX_MAX_NIN_SET) {
        snprintf(err, errlen, "n_in needs 1..%d values", FX_MAX_NIN_SET);
        return -1;
    }
    for (uint32_t i = 0; i < c->n_in_count; i++) {
        fx_mxor m;
        if (c->n_in[i] < 1 || c->n_in[i] > c->n_out) { snprintf(err, errlen, "n_in %u must be 1..n_out", c->n_in[i]); return -1; }
        if (i && c->n_in[i] <= c->n_in[i - 1]) { snprintf(err, errlen, "n_in %u listed twice (or not ascending)", c->n_in[i]); return -1; }
        if (c->n_tap > c->n_in[i]) { snprintf(err, errlen, "n_tap %u must be 1..n_in (%u)", c->n_tap, c->n_in[i]); return -1; }
        if (fx_mxor_generate(c->seed, c->n_in[i], c->n_out, c->n_tap, &m)) {
            snprintf(err, errlen, "no M-xor satisfies the rules for n_in=%u n_tap=%u", c->n_in[i], c->n_tap); return -1;
        }
    }
    return 0;
}

uint32_t fx_hwcfg_hash(const fx_hwcfg *c)
{
    char buf[256], list[128] = "";
    size_t n = 0;
    for (uint32_t i = 0; i < c->n_in_count; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%u", i ? "," : "", c->n_in[i]);
    int len = snprintf(buf, sizeof buf, "flexor-cfg-v1 gen=splitmix64-v1 seed=0x%016llx n_out=%u n_tap=%u n_in=%s",
                       (unsigned long long)c->seed, c->n_out, c->n_tap, list);
    return (uint32_t)crc32(0L, (const Bytef *)buf, (uInt)len);
}

int fx_hwcfg_format(const fx_hwcfg *c, const char *comment, char *buf, size_t len)
{
    char list[128] = "";
    size_t n = 0;
    for (uint32_t i = 0; i < c->n_in_count && n < sizeof list; i++)
        n += (size_t)snprintf(list + n, sizeof list - n, "%s%u", i ? "," : "", c->n_in[i]);
    int k = snprintf(buf, len,
                     "%s%s%sname       = %s\nn_out      = %u\nn_in       = %s\nn_tap      = %u\nseed       = 0x%llX\n"
                     "lanes      = %u\nq_max      = %u\nk_max      = %u\nwmem_depth = %u\npmem_depth = %u\namem_depth = %u\n",
                     comment ? "# " : "", comment ? comment : "", comment ? "\n" : "", c->name, c->n_out, list, c->n_tap,
                     (unsigned long long)c->seed, c->lanes, c->q_max, c->k_max, c->wmem_depth, c->pmem_depth, c->amem_depth);
    return n >= sizeof list || k < 0 || (size_t)k >= len ? -1 : 0;
}

uint32_t fx_signed_bits(uint64_t maxabs)
{
    uint32_t b = 1; /* sign bit */
    while (b < 64 && (maxabs >> (b - 1)) != 0) b++;
    return b;
}

fx_widths fx_hwcfg_widths(const fx_hwcfg *c)
{
    fx_widths w;
    w.psum_w = fx_signed_bits(255ull * c->n_out);
    w.acc_w = fx_signed_bits(255ull * c->k_max);
    /* |Σ α·acc| ≤ q_max·2^15·255·k_max, plus |bias| < 2^31 */
    w.sum_w = fx_signed_bits((uint64_t)c->q_max * 32768ull * 255ull * c->k_max + 2147483648ull);
    w.p_words = 2 + (c->q_max + 1) / 2;
    w.a_words = (c->n_out + 3) / 4;
    return w;
}

int fx_hwcfg_resolve(const char *arg, const char *rtl_dir, char *out, size_t len)
{
    size_t l = strlen(arg);
    int path = strchr(arg, '/') || (l > 4 && !strcmp(arg + l - 4, ".cfg"));
    int n = path ? snprintf(out, len, "%s", arg) : snprintf(out, len, "%s/config/%s.cfg", rtl_dir, arg);
    return n < 0 || (size_t)n >= len ? -1 : 0;
}
