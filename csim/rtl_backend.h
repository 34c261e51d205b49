/* SPDX-License-Identifier: Apache-2.0 */
/* fx_backend over the Verilated RTL (flexor_rtl.h): the host driver talks to it exactly as to the C
 * model. Output words are drained into a host FIFO while commands are written, so a driver may queue
 * commands behind a streaming RUN. A watchdog turns a deadlock into an error naming the cycle. */
#ifndef FLEXOR_CSIM_RTL_BACKEND_H
#define FLEXOR_CSIM_RTL_BACKEND_H
#include "flexor/driver.h"
#include "flexor_rtl.h"

typedef struct {
    uint64_t xseed;       /* Verilator X randomisation seed (0: registers start at zero) */
    double stall;         /* probability of a stall cycle on each port */
    uint64_t stall_seed;  /* seed of the stall pattern */
    uint64_t watchdog;    /* cycles without a handshake or tap that count as a deadlock */
    uint64_t inject_tap;  /* tests of the checker: corrupt the psum of the K-th lane tap (1-based; 0 off) */
    uint64_t inject_image; /* ... counted from the start of this image (fx_rtl_backend_image) */
} fx_rtl_opts;

/* The reset a new backend starts with (cycles of rst_ni low). */
#define FX_RTL_BACKEND_RESET_CYCLES 4u

fx_backend *fx_rtl_backend_new(const fx_hwcfg *cfg, const fx_rtl_opts *o);
fx_rtl *fx_rtl_backend_rtl(fx_backend *b);
/* Image `image` of a run starts: the stall pattern restarts from a seed of (stall_seed, image) and the
 * injected fault's tap count from 0, so that an image runs the same cycles whichever images ran before it
 * in this process (cosim --jobs splits the images over processes). */
void fx_rtl_backend_image(fx_backend *b, uint64_t image);
/* Why the last write/read failed (deadlock, protocol violation), "" if none. */
const char *fx_rtl_backend_msg(fx_backend *b);
/* Wall-clock seconds spent clocking the model. */
double fx_rtl_backend_seconds(fx_backend *b);
/* CPU seconds of the same (the fair speed figure on a shared machine). */
double fx_rtl_backend_cpu_seconds(fx_backend *b);
#endif
