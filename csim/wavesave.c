/* SPDX-License-Identifier: Apache-2.0 */
/* See wavesave.h. Names come from the FST itself (gtkwave's fstapi reader, compiled into the Verilated
 * runtime), so the save file names exactly what was dumped whatever the configuration's widths. The
 * format is GTKWave's: "[dumpfile]", "[timestart]", "*ZOOM MARKER NAMED_MARKERS…", "@FLAGS" lines
 * setting the display of the traces that follow, "-NAME" group delimiters (flags 0x800200 begin,
 * 0x1000200 end). The RTL is simulated at two FST time units per cycle (csim/flexor_rtl_shim.cpp). */
#define _POSIX_C_SOURCE 200809L
#include "wavesave.h"
#include "flexor/fsutil.h"
#include "gtkwave/fstapi.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { UNITS_PER_CYCLE = 2, NAMED_MARKERS = 26 };

int fx_wave_savefile_path(const char *fst, char *out, size_t len)
{
    const size_t n = strlen(fst), stem = n > 4 && !strcmp(fst + n - 4, ".fst") ? n - 4 : n;
    return (size_t)snprintf(out, len, "%.*s.gtkw", (int)stem, fst) < len ? 0 : -1;
}

int fx_wave_signals(const char *fst, void (*fn)(void *user, const char *name, uint32_t width), void *user)
{
    void *ctx = fstReaderOpen(fst);
    if (!ctx) return -1;
    char scope[1024] = "", name[1400];
    struct fstHier *h;
    while ((h = fstReaderIterateHier(ctx))) {
        if (h->htyp == FST_HT_SCOPE) {
            const size_t n = strlen(scope);
            snprintf(scope + n, sizeof scope - n, "%s%s", n ? "." : "", h->u.scope.name);
        } else if (h->htyp == FST_HT_UPSCOPE) {
            char *dot = strrchr(scope, '.');
            *(dot ? dot : scope) = 0;
        } else if (h->htyp == FST_HT_VAR) {
            /* Verilator writes "sig [31:0]"; GTKWave shows and saves "sig[31:0]" */
            const char *sp = strchr(h->u.var.name, ' ');
            const int base = sp ? (int)(sp - h->u.var.name) : (int)strlen(h->u.var.name);
            snprintf(name, sizeof name, "%s.%.*s%s", scope, base, h->u.var.name, sp ? sp + 1 : "");
            fn(user, name, h->u.var.length);
        }
    }
    fstReaderClose(ctx);
    return 0;
}

/* The groups, in display order: which signals (by scope depth and base name) and how to show them. */
typedef struct {
    const char *group;
    int top_port;            /* 1: a port of the top module (depth 1), 0: any depth below */
    const char *const *names; /* base names (without range); NULL-terminated; a trailing '*' is a prefix */
} group_rule;

static const char *const interface_names[] = {"clk_i", "rst_ni", "in_valid_i", "in_ready_o", "in_data_i", "out_valid_o",
                                              "out_ready_i", "out_data_o", "out_last_o", "busy_o", "err_o", "err_code_o",
                                              NULL};
static const char *const tap_names[] = {"tap_*", NULL};
static const char *const counter_names[] = {"cnt_*", NULL};
/* the RUN control (docs/rtl.md "Pipeline control, stalls, output"): argchk's phase, the pipeline's
 * advance and stall, seq's per-stage token fields, the seq -> writer result handshake */
static const char *const control_names[] = {"adv", "stall", "exec_o", "phase_q", "seq_idle", "res_valid", "res_ready",
                                            "writer_idle", "tok_*", NULL};
static const group_rule GROUPS[] = {
    {"Interface", 1, interface_names},
    {"Taps", 1, tap_names},
    {"Counters", 1, counter_names},
    {"Pipeline control", 0, control_names},
};

typedef struct {
    char **name;
    uint32_t *width;
    int n, cap, failed;
} siglist;

static void collect(void *user, const char *name, uint32_t width)
{
    siglist *s = user;
    if (s->n == s->cap) {
        const int cap = s->cap ? 2 * s->cap : 1024;
        char **nn = realloc(s->name, (size_t)cap * sizeof *nn);
        if (nn) s->name = nn;
        uint32_t *nw = nn ? realloc(s->width, (size_t)cap * sizeof *nw) : NULL;
        if (nw) s->width = nw, s->cap = cap;
        else { s->failed = 1; return; }
    }
    if (!(s->name[s->n] = strdup(name))) { s->failed = 1; return; }
    s->width[s->n++] = width;
}

static int base_matches(const char *base, size_t len, const char *pat)
{
    const size_t p = strlen(pat);
    if (p && pat[p - 1] == '*') return len >= p - 1 && !strncmp(base, pat, p - 1);
    return len == p && !strncmp(base, pat, p);
}

/* Does the signal (full name, dots = depth) fall under rule r? */
static int in_group(const group_rule *r, const char *name)
{
    const char *base = strrchr(name, '.');
    base = base ? base + 1 : name;
    int depth = 0;
    for (const char *c = name; c < base; c++) depth += *c == '.';
    if (r->top_port ? depth != 1 : depth < 2) return 0;
    const char *br = strchr(base, '[');
    const size_t len = br ? (size_t)(br - base) : strlen(base);
    for (const char *const *p = r->names; *p; p++)
        if (base_matches(base, len, *p)) return 1;
    return 0;
}

int fx_wave_savefile(const char *fst, uint64_t mark_cycle, char *err, size_t errlen)
{
    char path[4200];
    if (fx_wave_savefile_path(fst, path, sizeof path)) {
        snprintf(err, errlen, "%.300s: path too long", fst);
        return -1;
    }
    siglist *s = calloc(1, sizeof *s);
    void *ctx = s ? fstReaderOpen(fst) : NULL;
    if (!ctx) {
        snprintf(err, errlen, "%.300s: cannot read the FST dump", fst);
        free(s);
        return -1;
    }
    const uint64_t t0 = fstReaderGetStartTime(ctx);
    fstReaderClose(ctx);
    fx_wave_signals(fst, collect, s);
    fx_out o;
    FILE *f = s->failed ? NULL : fx_out_open(&o, path, err, errlen);
    if (s->failed) snprintf(err, errlen, "out of memory");
    if (f) {
        fprintf(f, "[*] flexor: GTKWave save file for %s (docs/csim.md)\n[dumpfile] \"%s\"\n[timestart] %" PRIu64 "\n",
                fst, fst, t0);
        fprintf(f, "*-4.000000 %" PRId64, mark_cycle == UINT64_MAX ? (int64_t)-1 : (int64_t)(mark_cycle * UNITS_PER_CYCLE));
        for (int i = 0; i < NAMED_MARKERS; i++) fputs(" -1", f);
        fputc('\n', f);
        for (size_t g = 0; g < sizeof GROUPS / sizeof *GROUPS; g++) {
            fprintf(f, "@800200\n-%s\n", GROUPS[g].group);
            for (int i = 0; i < s->n; i++)
                if (in_group(&GROUPS[g], s->name[i])) fprintf(f, "@%s\n%s\n", s->width[i] > 1 ? "22" : "28", s->name[i]);
            fprintf(f, "@1000200\n-%s\n", GROUPS[g].group);
        }
    }
    for (int i = 0; i < s->n; i++) free(s->name[i]);
    free(s->name), free(s->width), free(s);
    return f ? fx_out_commit(&o, err, errlen) : -1;
}
