/* SPDX-License-Identifier: Apache-2.0 */
#include "cliconfig.h"
#include "buildid.h"
#include "flexor/opt.h"
#include <stdio.h>

int fx_cli_hwcfg(const char *cmd, const char *arg, fx_hwcfg *buf, const fx_hwcfg **cfg)
{
    *cfg = fx_hwcfg_builtin();
    if (!arg) return 0;
    char file[4400], err[512];
    if (fx_hwcfg_resolve(arg, fx_rtl_dir(), file, sizeof file)) return fx_opt_fail(cmd, "--config too long");
    if (fx_hwcfg_load(file, buf, err, sizeof err)) {
        fprintf(stderr, "flexor %s: %s\n", cmd, err);
        return 2;
    }
    *cfg = buf;
    return 0;
}
