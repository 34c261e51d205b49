/* SPDX-License-Identifier: Apache-2.0 */
/* A progress bar on stderr: redrawn in place on a terminal, a line every 10 % otherwise. */
#ifndef FLEXOR_PROGRESS_H
#define FLEXOR_PROGRESS_H
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* How a progress bar shows itself. */
enum {
    FX_PROGRESS_ON = 0,       /* bar on a terminal, a line every 10 % otherwise (ctest, logs) */
    FX_PROGRESS_OFF = 1,      /* nothing (--quiet) */
    FX_PROGRESS_TTY_ONLY = 2, /* bar on a terminal, nothing otherwise */
};

typedef struct {
    const char *what;
    uint64_t total;
    double t0, last;
    int tty, last_pct, mode;
} fx_progress;

/* mode: FX_PROGRESS_*; a nonzero quiet flag passed as mode means FX_PROGRESS_OFF. */
void fx_progress_start(fx_progress *p, const char *what, uint64_t total, int mode);
/* extra: a short status appended to the bar (may be NULL). Redraws at most 4 times a second. */
void fx_progress_update(fx_progress *p, uint64_t done, const char *extra);
/* Ends the bar's line on a terminal. */
void fx_progress_end(fx_progress *p);
#ifdef __cplusplus
}
#endif
#endif
