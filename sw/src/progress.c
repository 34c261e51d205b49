/* SPDX-License-Identifier: Apache-2.0 */
/* Progress bar (see flexor/progress.h). */
#include "flexor/progress.h"
#include "flexor/clock.h"
#include <stdio.h>
#include <unistd.h>

void fx_progress_start(fx_progress *p, const char *what, uint64_t total, int mode)
{
    *p = (fx_progress){.what = what, .total = total ? total : 1, .t0 = fx_wall_s(), .tty = isatty(2),
                       .last_pct = -1, .mode = mode};
}

static int shown(const fx_progress *p)
{
    return p->mode == FX_PROGRESS_ON || (p->mode == FX_PROGRESS_TTY_ONLY && p->tty);
}

void fx_progress_update(fx_progress *p, uint64_t done, const char *extra)
{
    if (!shown(p)) return;
    double t = fx_wall_s();
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
        fflush(stderr);
    } else if (pct / 10 != p->last_pct / 10 || done == p->total) {
        if (pct == p->last_pct) return;
        fprintf(stderr, "%3d%% %llu/%llu %s %s\n", pct, (unsigned long long)done, (unsigned long long)p->total,
                p->what, extra ? extra : "");
    }
    p->last_pct = pct;
}

void fx_progress_end(fx_progress *p)
{
    if (shown(p) && p->tty) fputc('\n', stderr);
}
