/* SPDX-License-Identifier: Apache-2.0 */
/* See sx_config.h. */
#include "sx_config.h"
#include "sx_util.h"
#include <stdio.h>
#include <string.h>

void sx_cfg_path(const char *name, char *out, unsigned n)
{
    char rtl[4200];
    snprintf(rtl, sizeof rtl, "%s/rtl", sx_src_dir());
    if (fx_hwcfg_resolve(name, rtl, out, n)) snprintf(out, n, "%s", name); /* too long: fails to open, one line */
}

int sx_cfg_generate(const char *name, const char *gen_dir, const char *logpath, sx_cfg *c)
{
    char cfg[1024], err[600];
    memset(c, 0, sizeof *c);
    sx_cfg_path(name, cfg, sizeof cfg);
    if (!sx_file_exists(cfg)) { fprintf(stderr, "flexor synth: %s: no such configuration file\n", cfg); return 2; }
    if (fx_hwcfg_load(cfg, &c->hw, err, sizeof err)) { fprintf(stderr, "flexor synth: %s\n", err); return 2; }
    snprintf(c->hash, sizeof c->hash, "%08x", fx_hwcfg_hash(&c->hw));
    for (uint32_t i = 0; i < c->hw.n_in_count; i++) {
        fx_mxor m;
        if (fx_mxor_generate(c->hw.seed, c->hw.n_in[i], c->hw.n_out, c->hw.n_tap, &m)) { /* fx_hwcfg_load checked it */
            fprintf(stderr, "flexor synth: %s: no M-xor for n_in=%u\n", cfg, c->hw.n_in[i]);
            return 2;
        }
        memcpy(c->rows[i], m.row, sizeof c->rows[i]);
    }
    snprintf(c->gen_dir, sizeof c->gen_dir, "%s", gen_dir);
    if (sx_mkdirs(gen_dir)) return 2;
    const char *argv[] = {sx_gencfg(), cfg, gen_dir, NULL};
    int rc = sx_run(logpath, NULL, argv);
    if (rc) { fprintf(stderr, "flexor synth: %s: flexor-gencfg failed (see %s)\n", cfg, logpath); return 2; }
    return 0;
}
