/* SPDX-License-Identifier: Apache-2.0 */
/* --config NAME|PATH of the subcommands that read models (docs/cli.md): one resolution and one error form. */
#ifndef FLEXOR_CLICONFIG_H
#define FLEXOR_CLICONFIG_H
#include "flexor/hwcfg.h"

/* *cfg = the built-in configuration when arg is NULL, else the one arg names (loaded into buf).
 * 0 on success; 2 after printing "flexor CMD: ..." on a bad name or file. */
int fx_cli_hwcfg(const char *cmd, const char *arg, fx_hwcfg *buf, const fx_hwcfg **cfg);
#endif
