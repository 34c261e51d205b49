/* SPDX-License-Identifier: Apache-2.0 */
#include "cliconfig.h"
#include "buildid.h"
#include "flexor/opt.h"
#include <getopt.h>
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

int fx_cli_config_only(const char *cmd, int argc, char **argv, void (*usage)(FILE *), int nargs, const char *what,
                       fx_hwcfg *buf, const fx_hwcfg **cfg)
{
    static const struct option opts[] = {{"config", required_argument, 0, 'c'}, {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *cfg_path = NULL;
    int c;
    fx_opt_reset();
    while ((c = getopt_long(argc, argv, ":c:h", opts, NULL)) != -1) {
        if (c == 'c') cfg_path = optarg;
        else if (c == 'h') { usage(stdout); return 0; }
        else return fx_opt_error(cmd, c, argv);
    }
    if (optind + nargs != argc) return fx_opt_fail(cmd, "expected %s", what);
    return fx_cli_hwcfg(cmd, cfg_path, buf, cfg) ? 2 : -1;
}
