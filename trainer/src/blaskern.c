/* SPDX-License-Identifier: Apache-2.0 */
/* OpenBLAS's kernels for the trainer. Debian 12's OpenBLAS 0.3.21 runs its Haswell (AVX2) kernels on CPUs
 * it does not know, such as AMD Zen 4, which has AVX-512; its SkylakeX (AVX-512) kernels run the trainer's
 * GEMMs 1.0-1.7x faster there (ResNet-20's shapes, docs/trainer.md). OpenBLAS reads OPENBLAS_CORETYPE once,
 * when it loads, so a trainer command re-executes itself with it set: only when the user has not set it,
 * the CPU has what the SkylakeX kernels use, and OpenBLAS chose an AVX2 core. */
#define _DEFAULT_SOURCE /* setenv */
#include "flexor/trainer.h"
#include "flexor/selfpath.h"
#include <cblas.h>
#include <stdlib.h>
#include <strings.h>
#include <unistd.h>

static int avx2_core(const char *name)
{
    return name && (!strcasecmp(name, "Haswell") || !strcasecmp(name, "Zen"));
}

void fx_blas_kernels(char **argv)
{
    if (getenv("OPENBLAS_CORETYPE")) return; /* the user's choice, or this is the re-executed process */
    __builtin_cpu_init();
    if (!(__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
          __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512cd")))
        return;
    if (!avx2_core(openblas_get_corename())) return;
    if (setenv("OPENBLAS_CORETYPE", "SkylakeX", 1)) return;
    execv(fx_self_exe(), argv); /* returns only on failure: run on with the AVX2 kernels */
    unsetenv("OPENBLAS_CORETYPE");
}
