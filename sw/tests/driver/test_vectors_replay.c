/* SPDX-License-Identifier: Apache-2.0 */
/* flexor-vectors end to end: generate vector sets (normal traffic, every --error K), then replay cmd.hex
 * word by word into a fresh C model the way a testbench would, and compare the out stream, both tap files
 * and the final error code with what the files promise. Checks the file formats the RTL testbench reads.
 * Usage: test_vectors_replay PATH/TO/flexor-vectors */
#define _POSIX_C_SOURCE 200809L
#include "dtest.h"
#include "flexor/spawn.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct { uint64_t *v; size_t n, cap; } list;

static void add(list *l, uint64_t x)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? 2 * l->cap : 1024;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) abort();
    }
    l->v[l->n++] = x;
}

/* Whitespace-separated hex numbers, as $readmemh reads them. */
static int read_hex(const char *dir, const char *name, list *l)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    unsigned long long x;
    while (fscanf(f, "%llx", &x) == 1) add(l, x);
    int bad = !feof(f);
    fclose(f);
    return bad ? -1 : 0;
}

static long vh_param(const char *dir, const char *key)
{
    char path[1024], line[512], pat[128];
    snprintf(path, sizeof path, "%s/vectors.vh", dir);
    snprintf(pat, sizeof pat, "localparam integer %s = %%ld;", key);
    FILE *f = fopen(path, "r");
    long v = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, pat, &v) == 1) break;
    if (f) fclose(f);
    return v;
}

static list rc, ra;
static void tc(void *u, uint32_t col, uint32_t m, uint32_t plane, uint32_t chunk, uint32_t dec, int32_t psum)
{
    (void)u;
    uint64_t f[6] = {col, m, plane, chunk, dec, (uint32_t)psum};
    for (int i = 0; i < 6; i++) add(&rc, f[i]);
}
static void ta(void *u, uint32_t col, uint32_t m, uint32_t plane, int32_t acc)
{
    (void)u;
    uint64_t f[4] = {col, m, plane, (uint32_t)acc};
    for (int i = 0; i < 4; i++) add(&ra, f[i]);
}

static void replay(const char *dir, long want_err)
{
    list cmd = {0}, out = {0}, tch = {0}, tac = {0};
    CHECK(!read_hex(dir, "cmd.hex", &cmd) && !read_hex(dir, "out.hex", &out) && !read_hex(dir, "tap_chunk.hex", &tch) &&
              !read_hex(dir, "tap_acc.hex", &tac),
          "%s: unreadable vector files", dir);
    CHECK((long)cmd.n == vh_param(dir, "VEC_CMD_WORDS") && (long)out.n == vh_param(dir, "VEC_OUT_WORDS") &&
              (long)tch.n == 6 * vh_param(dir, "VEC_TAP_CHUNKS") && (long)tac.n == 4 * vh_param(dir, "VEC_TAP_ACCS"),
          "%s: counts in vectors.vh do not match the files", dir);
    CHECK(vh_param(dir, "VEC_ERR_CODE") == want_err, "%s: VEC_ERR_CODE %ld, expected %ld", dir,
          vh_param(dir, "VEC_ERR_CODE"), want_err);
    fx_backend *b = fx_accel_model_new(fx_hwcfg_builtin());
    fx_taps t = {.chunk = tc, .acc = ta};
    rc.n = ra.n = 0;
    b->set_taps(b, &t);
    for (size_t i = 0; i < cmd.n; i++) { /* one word at a time, as the in stream delivers them */
        uint32_t w = (uint32_t)cmd.v[i];
        b->write(b, &w, 1);
    }
    long lasts = 0;
    for (size_t i = 0; i < out.n; i++) {
        uint32_t w;
        CHECK(b->read(b, &w, 1) == 0 && w == (uint32_t)out.v[i], "%s: out word %zu", dir, i);
        CHECK(out.v[i] >> 32 <= 1, "%s: out_last field", dir);
        lasts += (long)(out.v[i] >> 32);
    }
    uint32_t w;
    CHECK(b->read(b, &w, 1) == -1, "%s: more results than out.hex", dir);
    CHECK(out.n == 0 || out.v[out.n - 1] >> 32 == 1, "%s: the final word must carry out_last", dir);
    CHECK(lasts == vh_param(dir, "VEC_RUNS"), "%s: %ld out_last flags, VEC_RUNS %ld", dir, lasts, vh_param(dir, "VEC_RUNS"));
    CHECK(rc.n == tch.n && !memcmp(rc.v, tch.v, rc.n * sizeof *rc.v), "%s: chunk taps", dir);
    CHECK(ra.n == tac.n && !memcmp(ra.v, tac.v, ra.n * sizeof *ra.v), "%s: acc taps", dir);
    CHECK((long)b->error(b) == want_err, "%s: error %u after replay, expected %ld", dir, b->error(b), want_err);
    b->destroy(b);
    free(cmd.v); free(out.v); free(tch.v); free(tac.v);
}

int main(int argc, char **argv)
{
    if (argc != 2) { fprintf(stderr, "usage: test_vectors_replay FLEXOR-VECTORS\n"); return 2; }
    char base[] = "/tmp/fxvecXXXXXX";
    if (!mkdtemp(base)) { perror("mkdtemp"); return 2; }
    const char *sets[][4] = {
        {"0", "-s", "4", "-n 2"},         {"0", "-s", "7", "--chain 0"},   {"0", "-s", "2", "-a mlp --straddle"},
        {"1", "-s", "5", "--error 1"},    {"2", "-s", "5", "--error 2"},   {"3", "-s", "5", "--error 3"},
        {"4", "-s", "5", "--error 4"},    {"5", "-s", "5", "--error 5"},   {"6", "-s", "5", "--error 6"},
    };
    fx_spawn_opts quiet = {.exe = argv[1], .out = FX_SPAWN_NULL}, silent = {.exe = argv[1], .out = FX_SPAWN_NULL, .err = FX_SPAWN_NULL};
    char msg[512];
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        char dir[256], extra[64], line[1024];
        snprintf(dir, sizeof dir, "%s/set%zu", base, i);
        /* the set's own options, split at spaces: none holds one */
        const char *args[12] = {"flexor-vectors", "-o", dir, sets[i][1], sets[i][2]};
        int n = 5;
        snprintf(extra, sizeof extra, "%s", sets[i][3]);
        for (char *save, *t = strtok_r(extra, " ", &save); t && n < 11; t = strtok_r(NULL, " ", &save)) args[n++] = t;
        args[n] = NULL;
        fx_spawn_cmdline(args, line, sizeof line);
        CHECK(fx_spawn(args, &quiet, msg, sizeof msg) == 0, "%s failed %s", line, msg);
        replay(dir, atol(sets[i][0]));
        const char *rm[] = {"rm", "-rf", "--", dir, NULL};
        if (fx_spawn(rm, NULL, NULL, 0)) fprintf(stderr, "could not remove %s\n", dir);
    }
    rmdir(base);
    /* bad input: exit status 2 */
    char out[300];
    snprintf(out, sizeof out, "%s/x", base);
    const char *bad[] = {"flexor-vectors", "-o", out, "--error", "9", NULL};
    CHECK(fx_spawn(bad, &silent, NULL, 0) == 2, "bad --error must exit 2");
    rmdir(base);
    free(rc.v); free(ra.v);
    if (t_report("test_vectors_replay")) return 1;
    printf("test_vectors_replay: ok\n");
    return 0;
}
