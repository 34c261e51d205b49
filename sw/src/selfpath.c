/* SPDX-License-Identifier: Apache-2.0 */
/* The running executable and the installed data tree (see flexor/selfpath.h). */
#define _DEFAULT_SOURCE /* realpath */
#include "flexor/selfpath.h"
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *fx_self_exe(void)
{
    static char exe[PATH_MAX];
    if (!exe[0]) {
        ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
        if (n <= 0) snprintf(exe, sizeof exe, "flexor");
        else exe[n] = 0;
    }
    return exe;
}

static int has(const char *dir, const char *probe)
{
    char p[PATH_MAX];
    return snprintf(p, sizeof p, "%s/%s", dir, probe) < (int)sizeof p && access(p, R_OK) == 0;
}

int fx_data_dir(const char *build_dir, const char *probe, char *out, size_t outlen)
{
    char share[PATH_MAX], canon[PATH_MAX];
    const char *exe = fx_self_exe(), *slash = strrchr(exe, '/');
    if (slash && snprintf(share, sizeof share, "%.*s/../share/flexor", (int)(slash - exe), exe) < (int)sizeof share &&
        realpath(share, canon) && has(canon, probe))
        return snprintf(out, outlen, "%s", canon) < (int)outlen ? 0 : -1;
    if (build_dir && has(build_dir, probe)) return snprintf(out, outlen, "%s", build_dir) < (int)outlen ? 0 : -1;
    return -1;
}
