#define _POSIX_C_SOURCE 200809L
#include "csim_util.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double fx_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double fx_cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void fx_progress_start(fx_progress *p, const char *what, uint64_t total, int quiet)
{
    *p = (fx_progress){.what = what, .total = total ? total : 1, .t0 = fx_now(), .tty = isatty(2),
                       .last_pct = -1, .quiet = quiet};
}

void fx_progress_update(fx_progress *p, uint64_t done, const char *extra)
{
    if (p->quiet) return;
    double t = fx_now();
    int pct = (int)(100 * done / p->total);
    if (p->tty) {
        if (t - p->last < 0.25 && done < p->total) return;
        p->last = t;
        char bar[31];
        int fill = (int)(30 * done / p->total);
        for (int i = 0; i < 30; i++) bar[i] = i < fill ? '#' : '.';
        bar[30] = 0;
        double el = t - p->t0, eta = done ? el * (double)(p->total - done) / (double)done : 0;
        fprintf(stderr, "\r[%s] %llu/%llu %s  %.0f s, eta %.0f s  %s   ", bar, (unsigned long long)done,
                (unsigned long long)p->total, p->what, el, eta, extra ? extra : "");
    } else if (pct / 10 != p->last_pct / 10 || done == p->total) {
        /* Not a terminal (ctest, logs): a line every 10 %. */
        if (pct == p->last_pct) return;
        fprintf(stderr, "%3d%% %llu/%llu %s %s\n", pct, (unsigned long long)done, (unsigned long long)p->total,
                p->what, extra ? extra : "");
    }
    p->last_pct = pct;
}

void fx_progress_end(fx_progress *p)
{
    if (!p->quiet && p->tty) fputc('\n', stderr);
}

int fx_write_text_atomic(const char *path, const char *text)
{
    size_t n = strlen(path) + 32;
    char *tmp = malloc(n);
    if (!tmp) return -1;
    snprintf(tmp, n, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f && fputs(text, f) >= 0;
    if (f && fclose(f)) ok = 0;
    if (!ok || rename(tmp, path)) {
        fprintf(stderr, "%s: cannot write: %s\n", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}
