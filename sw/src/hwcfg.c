/* Parser and derived quantities of the hardware configuration (docs/contract.md §1, §4). */
#include "flexor/hwcfg.h"
#include "flexor/mxor.h"
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static void defaults(fx_hwcfg *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->name, sizeof c->name, "default");
    c->n_out = 20; c->n_tap = 2; c->seed = 0x464C584F52ull;
    c->n_in_count = 4; c->n_in[0] = 8; c->n_in[1] = 12; c->n_in[2] = 16; c->n_in[3] = 20;
    c->lanes = 16; c->q_max = 4; c->k_max = 4096;
    c->wmem_depth = 8192; c->pmem_depth = 256; c->amem_depth = 4096;
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static int parse_u64(const char *s, uint64_t *v)
{
    char *end;
    errno = 0;
    if (!*s || *s == '-') return -1;
    unsigned long long x = strtoull(s, &end, 0);
    if (errno || *end) return -1;
    *v = x;
    return 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

int fx_hwcfg_load(const char *path, fx_hwcfg *cfg, char *err, unsigned errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) { snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno)); return -1; }
    defaults(cfg);
    char line[512];
    int lineno = 0;
    while (fgets(line, sizeof line, f)) {
        lineno++;
        char *hash = strchr(line, '#');
        if (hash) *hash = 0;
        char *s = trim(line);
        if (!*s) continue;
        char *eq = strchr(s, '=');
        if (!eq) { snprintf(err, errlen, "%s:%d: expected key = value", path, lineno); fclose(f); return -1; }
        *eq = 0;
        char *key = trim(s), *val = trim(eq + 1);
        uint64_t v = 0;
        if (!strcmp(key, "name")) {
            snprintf(cfg->name, sizeof cfg->name, "%s", val);
            continue;
        }
        if (!strcmp(key, "n_in")) {
            cfg->n_in_count = 0;
            for (char *tok = strtok(val, ","); tok; tok = strtok(NULL, ",")) {
                if (cfg->n_in_count == FX_MAX_NIN_SET || parse_u64(trim(tok), &v) || v > 32) {
                    snprintf(err, errlen, "%s:%d: n_in must list at most %d values <= 32", path, lineno, FX_MAX_NIN_SET);
                    fclose(f); return -1;
                }
                cfg->n_in[cfg->n_in_count++] = (uint32_t)v;
            }
            qsort(cfg->n_in, cfg->n_in_count, sizeof cfg->n_in[0], cmp_u32);
            continue;
        }
        if (parse_u64(val, &v)) {
            snprintf(err, errlen, "%s:%d: %s: not a number: '%s'", path, lineno, key, val); fclose(f); return -1;
        }
        uint32_t *dst = NULL;
        if (!strcmp(key, "seed")) { cfg->seed = v; continue; }
        else if (!strcmp(key, "n_out")) dst = &cfg->n_out;
        else if (!strcmp(key, "n_tap")) dst = &cfg->n_tap;
        else if (!strcmp(key, "lanes")) dst = &cfg->lanes;
        else if (!strcmp(key, "q_max")) dst = &cfg->q_max;
        else if (!strcmp(key, "k_max")) dst = &cfg->k_max;
        else if (!strcmp(key, "wmem_depth")) dst = &cfg->wmem_depth;
        else if (!strcmp(key, "pmem_depth")) dst = &cfg->pmem_depth;
        else if (!strcmp(key, "amem_depth")) dst = &cfg->amem_depth;
        else { snprintf(err, errlen, "%s:%d: unknown key '%s'", path, lineno, key); fclose(f); return -1; }
        if (v > 0xFFFFFFFFull) { snprintf(err, errlen, "%s:%d: %s too large", path, lineno, key); fclose(f); return -1; }
        *dst = (uint32_t)v;
    }
    fclose(f);
    if (fx_hwcfg_check(cfg, err, errlen)) return -1;
    return 0;
}

int fx_hwcfg_check(const fx_hwcfg *c, char *err, unsigned errlen)
{
    if (c->n_out < 2 || c->n_out > 32) { snprintf(err, errlen, "n_out must be 2..32"); return -1; }
    if (c->n_in_count == 0) { snprintf(err, errlen, "n_in needs at least one value"); return -1; }
    for (uint32_t i = 0; i < c->n_in_count; i++) {
        fx_mxor m;
        if (c->n_in[i] < 1 || c->n_in[i] > c->n_out) { snprintf(err, errlen, "n_in %u must be 1..n_out", c->n_in[i]); return -1; }
        if (i && c->n_in[i] == c->n_in[i - 1]) { snprintf(err, errlen, "n_in %u listed twice", c->n_in[i]); return -1; }
        if (c->n_tap < 1 || c->n_tap > c->n_in[i]) { snprintf(err, errlen, "n_tap %u must be 1..n_in (%u)", c->n_tap, c->n_in[i]); return -1; }
        if (fx_mxor_generate(c->seed, c->n_in[i], c->n_out, c->n_tap, &m)) {
            snprintf(err, errlen, "no M-xor satisfies the rules for n_in=%u n_tap=%u", c->n_in[i], c->n_tap); return -1;
        }
    }
    if (c->lanes < 1 || c->lanes > 256) { snprintf(err, errlen, "lanes must be 1..256"); return -1; }
    if (c->q_max < 1 || c->q_max > 8) { snprintf(err, errlen, "q_max must be 1..8"); return -1; }
    if (c->k_max < 1 || c->k_max > (1u << 20)) { snprintf(err, errlen, "k_max must be 1..2^20"); return -1; }
    if (!c->wmem_depth || !c->pmem_depth || !c->amem_depth || c->wmem_depth > (1u << 24) ||
        c->pmem_depth > (1u << 24) || c->amem_depth > (1u << 24)) {
        snprintf(err, errlen, "memory depths must be 1..2^24"); return -1;
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
