/* See sx_config.h. */
#include "sx_config.h"
#include "sx_json.h"
#include "sx_util.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sx_cfg_path(const char *name, char *out, unsigned n)
{
    size_t l = strlen(name);
    if (l > 4 && !strcmp(name + l - 4, ".cfg")) snprintf(out, n, "%s", name);
    else snprintf(out, n, "%s/rtl/config/%s.cfg", SX_SRC_DIR, name);
}

int sx_cfg_read(const char *gen_dir, sx_cfg *c, char *err, unsigned errlen)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/flexor_config.json", gen_dir);
    memset(c, 0, sizeof *c);
    snprintf(c->gen_dir, sizeof c->gen_dir, "%s", gen_dir);
    sxj *j = sxj_load(path, err, errlen);
    if (!j) return -1;
    const char *name = sxj_str(j, "name"), *hash = sxj_str(j, "hash");
    const sxj *mx = sxj_get(j, "mxor");
    if (!name || !hash || !mx || mx->type != SXJ_OBJ) {
        snprintf(err, errlen, "%s: missing name/hash/mxor", path);
        sxj_free(j);
        return -1;
    }
    snprintf(c->name, sizeof c->name, "%s", name);
    snprintf(c->hash, sizeof c->hash, "%s", hash);
#define U(k) c->k = (unsigned)sxj_num(j, #k, 0)
    U(n_out); U(n_tap); U(lanes); U(q_max); U(k_max);
    U(wmem_depth); U(pmem_depth); U(amem_depth); U(psum_w); U(acc_w); U(sum_w);
#undef U
    int bad = c->n_out < 1 || c->n_out > 32;
    for (const sxj *e = mx->child; e && !bad; e = e->next) {
        if (c->n_in_count == SX_MAX_NIN || e->type != SXJ_ARR) { bad = 1; break; }
        unsigned k = c->n_in_count++, r = 0;
        c->n_in[k] = (unsigned)strtoul(e->key, NULL, 10);
        for (const sxj *v = e->child; v; v = v->next, r++)
            if (r >= c->n_out || v->type != SXJ_NUM) bad = 1;
            else c->rows[k][r] = (uint32_t)v->num;
        if (r != c->n_out || !c->n_in[k] || c->n_in[k] > c->n_out) bad = 1;
    }
    sxj_free(j);
    if (bad || !c->n_in_count) { snprintf(err, errlen, "%s: malformed mxor section", path); return -1; }
    return 0;
}

int sx_cfg_generate(const char *name, const char *gen_dir, const char *logpath, sx_cfg *c)
{
    char cfg[1024], err[400];
    sx_cfg_path(name, cfg, sizeof cfg);
    if (!sx_file_exists(cfg)) { fprintf(stderr, "flexor synth: %s: no such configuration file\n", cfg); return 2; }
    if (sx_mkdirs(gen_dir)) return 2;
    sxbuf cmd = {0};
    sxb_printf(&cmd, "'%s' '%s' '%s'", SX_GENCFG, cfg, gen_dir);
    int rc = sx_run(logpath, cmd.s);
    sxb_free(&cmd);
    if (rc) { fprintf(stderr, "flexor synth: %s: flexor-gencfg failed (see %s)\n", cfg, logpath); return 2; }
    if (sx_cfg_read(gen_dir, c, err, sizeof err)) { fprintf(stderr, "flexor synth: %s\n", err); return 2; }
    return 0;
}
