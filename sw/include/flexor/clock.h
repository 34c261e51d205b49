/* SPDX-License-Identifier: Apache-2.0 */
/* Clocks, in seconds as double: the one place flexor reads time for durations and speed figures. */
#ifndef FLEXOR_CLOCK_H
#define FLEXOR_CLOCK_H
#ifdef __cplusplus
extern "C" {
#endif

/* Wall time from a monotonic clock (only differences mean anything). */
double fx_wall_s(void);
/* CPU time used by the whole process (every thread). */
double fx_cpu_s(void);
/* CPU time used by the calling thread. */
double fx_thread_cpu_s(void);

#ifdef __cplusplus
}
#endif
#endif
