/* SPDX-License-Identifier: Apache-2.0 */
/* --config NAME|PATH of the subcommands that read models (docs/cli.md): one resolution and one error form. */
#ifndef FLEXOR_CLICONFIG_H
#define FLEXOR_CLICONFIG_H
#include "flexor/hwcfg.h"
#include <stdio.h>

/* *cfg = the built-in configuration when arg is NULL, else the one arg names (loaded into buf).
 * 0 on success; 2 after printing "flexor CMD: ..." on a bad name or file. */
int fx_cli_hwcfg(const char *cmd, const char *arg, fx_hwcfg *buf, const fx_hwcfg **cfg);
/* The whole command line of a subcommand whose only option is --config: --help/-h, then exactly nargs
 * operands (described by what in the error), then the configuration. Returns -1 to go on (operands at
 * argv[optind]), or the exit status to return: 0 after --help, 2 after a one-line error. */
int fx_cli_config_only(const char *cmd, int argc, char **argv, void (*usage)(FILE *), int nargs, const char *what,
                       fx_hwcfg *buf, const fx_hwcfg **cfg);
#endif
