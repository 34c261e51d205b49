/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_util.h. */
#define _POSIX_C_SOURCE 200809L
#include "sx_util.h"
#include "flexor/clock.h"
#include "flexor/selfpath.h"
#include "flexor/fsutil.h"
#include "flexor/spawn.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void oom(void)
{
    fprintf(stderr, "flexor synth: out of memory\n");
    exit(2);
}

void *sx_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) oom();
    return p;
}

void *sx_xcalloc(size_t n, size_t m)
{
    void *p = calloc(n ? n : 1, m ? m : 1);
    if (!p) oom();
    return p;
}

void *sx_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) oom();
    return p;
}

char *sx_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d) oom();
    return d;
}

void sxb_printf(sxbuf *b, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        size_t room = b->cap - b->n;
        va_start(ap, fmt);
        int k = vsnprintf(b->s ? b->s + b->n : NULL, b->s ? room : 0, fmt, ap);
        va_end(ap);
        if (k < 0) return;
        if (b->s && (size_t)k < room) { b->n += (size_t)k; return; }
        b->cap = (b->cap ? b->cap : 256) * 2 + (size_t)k;
        b->s = sx_xrealloc(b->s, b->cap);
    }
}

void sxb_free(sxbuf *b)
{
    free(b->s);
    b->s = NULL;
    b->n = b->cap = 0;
}

int sx_write_file(const char *path, const char *text)
{
    char err[4400];
    if (fx_write_file(path, text, strlen(text), err, sizeof err) == 0) return 0;
    fprintf(stderr, "flexor synth: %s\n", err);
    return -1;
}

int sx_mkdirs(const char *path)
{
    char *p = sx_xstrdup(path);
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = 0;
        if (mkdir(p, 0777) && errno != EEXIST) break;
        *s = '/';
    }
    int rc = mkdir(p, 0777) && errno != EEXIST ? -1 : 0;
    if (rc) fprintf(stderr, "flexor synth: cannot create directory %s: %s\n", path, strerror(errno));
    free(p);
    return rc;
}

int sx_file_exists(const char *path)
{
    return access(path, F_OK) == 0;
}

int sx_run(const char *logpath, const char *cwd, const char *const argv[])
{
    char line[4096], msg[512];
    fx_spawn_cmdline(argv, line, sizeof line);
    FILE *lf = logpath ? fopen(logpath, "a") : NULL;
    if (lf) { fprintf(lf, "### %s%s%s%s\n", line, cwd ? "   (in " : "", cwd ? cwd : "", cwd ? ")" : ""); fclose(lf); }
    fx_spawn_opts o = {.cwd = cwd, .out = logpath ? FX_SPAWN_APPEND : FX_SPAWN_NULL, .out_path = logpath,
                       .err = FX_SPAWN_TO_STDOUT};
    int st = fx_spawn(argv, &o, msg, sizeof msg);
    if (msg[0]) fprintf(stderr, "flexor synth: %s\n", msg);
    return st;
}

int sx_ys_path_ok(const char *path)
{
    if (!strpbrk(path, "\"\n\r")) return 0;
    fprintf(stderr, "flexor synth: %s: a path holding '\"' or a line break cannot be named in a Yosys script\n", path);
    return -1;
}

void sx_relpath(sxbuf *b, const char *from, const char *to)
{
    size_t cut = 0; /* end of the leading components the two paths share */
    for (size_t i = 0;; i++) {
        char a = from[i], c = to[i];
        if ((a == '/' || !a) && (c == '/' || !c)) {
            cut = i;
            if (!a || !c) break;
        }
        if (a != c) break;
    }
    for (const char *p = from + cut; *p; p++)
        if (*p == '/' && p[1]) sxb_printf(b, "../");
    const char *rest = to + cut + (to[cut] == '/');
    sxb_printf(b, "%s", *rest ? rest : ".");
}

int sx_ys_flow(sxbuf *p, const char *name)
{
    char path[4400];
    snprintf(path, sizeof path, "%s/synth/scripts/%s.ys", sx_src_dir(), name);
    char *text = fx_read_file(path, 0, NULL);
    if (!text) { fprintf(stderr, "flexor synth: %s: cannot read\n", path); return -1; }
    sxb_printf(p, "# ---- synth/scripts/%s.ys\n%s\n", name, text);
    free(text);
    return 0;
}

int sx_yosys(const char *dir, const char *script, const char *log)
{
    const char *argv[] = {"nice", "yosys", "-q", "-l", log, "-s", script, NULL};
    return sx_run(NULL, dir, argv);
}

double sx_elapsed(void)
{
    static double t0 = -1;
    if (t0 < 0) t0 = fx_wall_s();
    return fx_wall_s() - t0;
}

void sx_progress(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "[synth %6.1fs] ", sx_elapsed());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

const char *sx_src_dir(void)
{
    static char dir[4096];
    if (!dir[0] && fx_data_dir(SX_SRC_DIR, "rtl/flexor_top.v", dir, sizeof dir)) {
        fprintf(stderr, "flexor synth: neither the installed share/flexor nor %s holds rtl/flexor_top.v\n", SX_SRC_DIR);
        exit(2);
    }
    return dir;
}

const char *sx_gencfg(void)
{
    static char path[4096];
    if (!path[0]) {
        const char *exe = fx_self_exe(), *slash = strrchr(exe, '/');
        if (slash) snprintf(path, sizeof path, "%.*s/flexor-gencfg", (int)(slash - exe), exe);
        if (!slash || access(path, X_OK) != 0) snprintf(path, sizeof path, "%s", SX_GENCFG);
    }
    return path;
}
