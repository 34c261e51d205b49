/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks (see flexor/clock.h). */
#define _POSIX_C_SOURCE 200809L
#include "flexor/clock.h"
#include <time.h>

static double seconds(clockid_t id)
{
    struct timespec t;
    clock_gettime(id, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

double fx_wall_s(void) { return seconds(CLOCK_MONOTONIC); }
double fx_cpu_s(void) { return seconds(CLOCK_PROCESS_CPUTIME_ID); }
double fx_thread_cpu_s(void) { return seconds(CLOCK_THREAD_CPUTIME_ID); }
