/* Small helpers shared by the co-simulation commands: wall clock, a progress bar, atomic file writes. */
#ifndef FLEXOR_CSIM_UTIL_H
#define FLEXOR_CSIM_UTIL_H
#include <stdint.h>

double fx_now(void);
/* CPU seconds used by the whole process. */
double fx_cpu_now(void);

typedef struct {
    const char *what;
    uint64_t total;
    double t0, last;
    int tty, last_pct, quiet;
} fx_progress;

void fx_progress_start(fx_progress *p, const char *what, uint64_t total, int quiet);
/* extra: a short status appended to the bar (may be NULL). Redraws at most 4 times a second. */
void fx_progress_update(fx_progress *p, uint64_t done, const char *extra);
void fx_progress_end(fx_progress *p);

/* Write text to path atomically (temp file + rename). Returns -1 with a one-line message on stderr. */
int fx_write_text_atomic(const char *path, const char *text);
#endif
