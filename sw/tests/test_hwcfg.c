/* SPDX-License-Identifier: Apache-2.0 */
/* The .cfg parser (docs/contract.md §1): a table of bad files, each refused with its one-line
 * "file:line: ..." message; complete files accepted with every key as written; and (given the flexor
 * binary as argv[1]) `flexor inspect --config` refusing a directory with one line and exit status 2. */
#include "test_util.h"
#include "flexor/hwcfg.h"
#include <sys/stat.h>

/* Every key, as in rtl/config/default.cfg; cases below replace or drop single lines. */
static const char *const base[] = {
    "name       = test.cfg-1", "n_out      = 20", "n_in       = 20,16,12,8", "n_tap      = 2",
    "seed       = 0x464C584F52", "lanes      = 16", "q_max      = 4", "k_max      = 4096",
    "wmem_depth = 8192", "pmem_depth = 256", "amem_depth = 4096",
};
#define N_BASE (sizeof base / sizeof base[0])

typedef struct {
    const char *name;
    int line;          /* base line (0-based) replaced by text; -1: text appended at the end */
    const char *text;  /* NULL: the line is dropped */
    const char *expect; /* NULL: accepted */
} cfg_case;

static char path[300];

/* Writes base with one edit (text may hold NULs: len bytes); returns the 1-based line of the edit. */
static void write_cfg(const cfg_case *c, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f) { perror(path); exit(2); }
    fputs("# a test configuration\n", f);
    for (size_t i = 0; i < N_BASE; i++) {
        if ((int)i == c->line) {
            if (c->text) { fwrite(c->text, 1, len, f); fputc('\n', f); }
        } else {
            fprintf(f, "%s\n", base[i]);
        }
    }
    if (c->line < 0) { fwrite(c->text, 1, len, f); fputc('\n', f); }
    if (fclose(f)) { perror(path); exit(2); }
}

static char *repeat(char ch, size_t n, const char *prefix, const char *suffix)
{
    size_t p = strlen(prefix), s = strlen(suffix);
    char *b = malloc(p + n + s + 1);
    memcpy(b, prefix, p);
    memset(b + p, ch, n);
    memcpy(b + p + n, suffix, s + 1);
    return b;
}

static void table(void)
{
    char *long_comment = repeat('x', 600, "# ", ""),             /* split at 511 characters by the old parser */
        *long_value = repeat(' ', 600, "lanes =", "16"),          /* the value lay beyond the old buffer */
        *too_long = repeat('x', 1100, "# ", ""),
        *long_name = repeat('a', 64, "name = ", "");
    const cfg_case cases[] = {
        {"complete file", -1, "", NULL},
        {"600-character comment", -1, long_comment, NULL},
        {"value after 600 spaces", 5, long_value, NULL},
        {"CRLF line", 5, "lanes = 16\r", NULL},
        {"line over 1023 characters", -1, too_long, ":13: line longer than 1023 characters"},
        {"NUL byte", 5, "lanes = 16\0 = 3", ":7: NUL byte"},
        {"duplicate key", -1, "lanes = 8", ":13: lanes: already set on line 7"},
        {"duplicate name", -1, "name = other", ":13: name: already set on line 2"},
        {"empty key", -1, " = 5", ":13: empty key"},
        {"empty value", 5, "lanes =   # nothing", ":7: lanes: empty value"},
        {"no '='", 5, "lanes 16", ":7: expected key = value"},
        {"unknown key", -1, "lane = 16", ":13: unknown key 'lane'"},
        {"missing key", 5, NULL, ": missing key 'lanes'"},
        {"missing name", 0, NULL, ": missing key 'name'"},
        {"suffix", 5, "lanes = 16x", ":7: lanes: '16x' is not a number"},
        {"plus sign", 5, "lanes = +16", ":7: lanes: '+16' is not a number"},
        {"minus sign", 7, "k_max = -1", ":9: k_max: '-1' is not a number"},
        {"leading zero (octal?)", 5, "lanes = 010", ":7: lanes: '010' is not a number"},
        {"exponent", 7, "k_max = 1e3", ":9: k_max: '1e3' is not a number"},
        {"bare 0x", 5, "lanes = 0x", ":7: lanes: '0x' is not a number"},
        {"inner space", 5, "lanes = 1 6", ":7: lanes: '1 6' is not a number"},
        {"out of range", 5, "lanes = 257", ":7: lanes: '257' is not a number in 1..256"},
        {"zero", 8, "wmem_depth = 0", ":10: wmem_depth: '0' is not a number in 1..16777216"},
        {"wraps at 32 bits", 7, "k_max = 4294971392", ":9: k_max: '4294971392' is not a number"},
        {"wraps at 64 bits", 4, "seed = 0x1464C584F52000000", ":6: seed: '0x1464C584F52000000' is not a number"},
        {"hex accepted", 5, "lanes = 0x10", NULL},
        {"empty n_in entry", 2, "n_in = 20,,16", ":4: n_in: must list 1..8 values"},
        {"trailing comma", 2, "n_in = 20,16,", ":4: n_in: must list 1..8 values"},
        {"nine n_in values", 2, "n_in = 20,16,12,8,7,6,5,4,3", ":4: n_in: must list 1..8 values"},
        {"n_in 33", 2, "n_in = 33", ":4: n_in: must list 1..8 values, each 1..32"},
        {"n_in beyond n_out", 2, "n_in = 20,24", ": n_in 24 must be 1..n_out"},
        {"n_in twice", 2, "n_in = 16, 16", ": n_in 16 listed twice"},
        {"quote in name", 0, "name = a\"b", ":2: name: must be 1..63 of"},
        {"64-character name", 0, long_name, ":2: name: must be 1..63 of"},
        {"n_tap > n_in", 3, "n_tap = 9", ": n_tap 9 must be 1..n_in (8)"},
    };
    char err[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const cfg_case *c = &cases[i];
        size_t len = !c->text ? 0 : !strcmp(c->name, "NUL byte") ? 15 : strlen(c->text);
        write_cfg(c, len);
        fx_hwcfg cfg;
        memset(err, 0, sizeof err);
        int rc = fx_hwcfg_load(path, &cfg, err, sizeof err);
        if (!c->expect) {
            CHECK(rc == 0, "%s: refused: %s", c->name, err);
            if (rc) continue;
            CHECK(!strcmp(cfg.name, "test.cfg-1") && cfg.n_out == 20 && cfg.n_in_count == 4 && cfg.n_in[0] == 8 &&
                      cfg.n_in[3] == 20 && cfg.n_tap == 2 && cfg.seed == 0x464C584F52ull && cfg.lanes == 16 &&
                      cfg.q_max == 4 && cfg.k_max == 4096 && cfg.wmem_depth == 8192 && cfg.pmem_depth == 256 &&
                      cfg.amem_depth == 4096,
                  "%s: values differ from the file", c->name);
            continue;
        }
        CHECK(rc == -1, "%s: accepted", c->name);
        char want[600];
        snprintf(want, sizeof want, "%s%s", path, c->expect);
        CHECK(rc && !strncmp(err, want, strlen(want)) && !strchr(err, '\n'), "%s: message '%s', expected '%s...'",
              c->name, err, want);
    }
    printf("config table: %zu cases\n", sizeof cases / sizeof cases[0]);
    free(long_comment); free(long_value); free(too_long); free(long_name);
}

/* A directory, a missing file, an empty file. */
static void not_files(const char *flexor_bin)
{
    char err[512], dir[300], empty[300];
    fx_hwcfg cfg;
    snprintf(dir, sizeof dir, "%s/cfgdir", t_tmpdir());
    mkdir(dir, 0700);
    CHECK(fx_hwcfg_load(dir, &cfg, err, sizeof err) == -1 && strstr(err, "is a directory") && !strchr(err, '\n'),
          "directory: '%s'", err);
    CHECK(fx_hwcfg_load("/nonexistent/x.cfg", &cfg, err, sizeof err) == -1 && strstr(err, "cannot open"),
          "missing file: '%s'", err);
    snprintf(empty, sizeof empty, "%s/empty.cfg", t_tmpdir());
    FILE *f = fopen(empty, "w");
    if (f) fclose(f);
    CHECK(fx_hwcfg_load(empty, &cfg, err, sizeof err) == -1 && strstr(err, "missing key 'name'"), "empty file: '%s'",
          err);
    if (!flexor_bin) return;
    char *argv[] = {(char *)flexor_bin, "inspect", "/nonexistent.fxm", "--config", dir, NULL};
    char out[1024];
    int st = t_run(argv, out, sizeof out);
    char *nl = strchr(out, '\n');
    CHECK(st == 2 && strstr(out, "is a directory") && nl && nl[1] == 0, "flexor inspect --config DIR: exit %d, '%s'",
          st, out);
}

/* fx_hwcfg_format (flexor study's configuration files): the built-in configuration and one with other
 * values (a 64-bit seed, one N_in) read back to every value and the same hash; a buffer too small is -1. */
static void format_round_trip(void)
{
    fx_hwcfg c[2] = {*fx_hwcfg_builtin(), *fx_hwcfg_builtin()}, back;
    snprintf(c[1].name, sizeof c[1].name, "study_nout30_ntap3_mseed2");
    c[1].n_out = 30; c[1].n_tap = 3; c[1].seed = 0xFEDCBA9876543210ull; c[1].n_in_count = 1; c[1].n_in[0] = 24;
    char text[1024], err[512];
    for (int i = 0; i < 2; i++) {
        CHECK(fx_hwcfg_format(&c[i], i ? "a comment" : NULL, text, sizeof text) == 0, "format %d", i);
        FILE *f = fopen(path, "w");
        if (!f) { perror(path); exit(2); }
        fputs(text, f);
        fclose(f);
        memset(&back, 0, sizeof back);
        int rc = fx_hwcfg_load(path, &back, err, sizeof err);
        CHECK(rc == 0, "formatted configuration %d refused: %s", i, err);
        CHECK(!rc && !strcmp(back.name, c[i].name) && back.n_out == c[i].n_out && back.n_tap == c[i].n_tap &&
                  back.seed == c[i].seed && back.n_in_count == c[i].n_in_count &&
                  !memcmp(back.n_in, c[i].n_in, sizeof back.n_in[0] * back.n_in_count) && back.lanes == c[i].lanes &&
                  back.q_max == c[i].q_max && back.k_max == c[i].k_max && back.wmem_depth == c[i].wmem_depth &&
                  back.pmem_depth == c[i].pmem_depth && back.amem_depth == c[i].amem_depth &&
                  fx_hwcfg_hash(&back) == fx_hwcfg_hash(&c[i]),
              "configuration %d does not read back to its values", i);
    }
    CHECK(fx_hwcfg_format(&c[1], NULL, text, 100) == -1, "a short buffer accepted");
}

int main(int argc, char **argv)
{
    snprintf(path, sizeof path, "%s/t.cfg", t_tmpdir());
    table();
    format_round_trip();
    not_files(argc > 1 ? argv[1] : NULL);
    return t_report("test_hwcfg");
}
