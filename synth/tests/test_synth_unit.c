/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of synth's own arithmetic: the JSON reader, the NAND2-eq table, the weight-memory model
 * (values computed by hand from the layer shapes), the flat reference generator, the module categories, relative
 * paths for Yosys options and the configuration as synth reads it (libflexor's parser). */
#define _GNU_SOURCE /* mkstemp */
#include "flexor/fsutil.h"
#include "test_util.h"
#include "flexor/spawn.h"
#include "sx_area.h"
#include "sx_baseline.h"
#include "sx_config.h"
#include "sx_flows.h"
#include "sx_json.h"
#include "sx_prove.h"
#include "sx_synth.h"
#include "sx_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(void)
{
    char err[200];
    /* JSON helpers over cJSON: Yosys' "816+" strings count as their number; members of objects only */
    cJSON *j = cJSON_Parse("{\"a\": [1, 2.5], \"m\": {\"\\\\top\": {\"n\": \"816+\", \"s\": \"x\"}}, \"t\": true, \"z\": null}");
    CHECK(j != NULL);
    const cJSON *top = sx_json_obj(sx_json_obj(j, "m"), "\\top");
    CHECK(top && sx_json_num(top, "n", 0) == 816 && sx_json_num(top, "s", -1) == -1 && !strcmp(sx_json_str(top, "s"), "x"));
    CHECK(sx_json_num(j, "t", 0) == 1 && sx_json_num(j, "z", 7) == 7 && sx_json_num(j, "missing", 7) == 7);
    CHECK(sx_json_obj(j, "a") == NULL && sx_json_obj(NULL, "a") == NULL && sx_json_str(j, "a") == NULL);
    cJSON_Delete(j);
    /* Yosys 0.23 prints text lines into `stat -json`: dropped; malformed JSON: one line naming the file */
    char jpath[] = "/tmp/flexor_synth_unit_json_XXXXXX";
    int jfd = mkstemp(jpath);
    CHECK(jfd >= 0);
    CHECK(sx_write_file(jpath, "{\n  \"modules\": {\n=== design hierarchy ===\n   top 1\n    \"\\\\top\": {\"num_cells\": 3}\n  }\n}\n") == 0);
    j = sx_json_load_yosys(jpath, err, sizeof err);
    CHECK(j && sx_json_num(sx_json_obj(sx_json_obj(j, "modules"), "\\top"), "num_cells", 0) == 3);
    cJSON_Delete(j);
    CHECK(sx_json_load(jpath, err, sizeof err) == NULL && strstr(err, jpath) && strstr(err, "malformed JSON") && !strchr(err, '\n'));
    remove(jpath);
    if (jfd >= 0) close(jfd);

    /* NAND2-eq: NAND2 is the unit, XOR2 = 1.596/0.798 = 2, unknown types have none */
    CHECK(fabs(sx_nand2_weight("$_NAND_") - 1) < 1e-9);
    CHECK(fabs(sx_nand2_weight("$_XOR_") - 2) < 1e-9);
    CHECK(fabs(sx_nand2_weight("$_DFF_P_") - 4.522 / 0.798) < 1e-9);
    CHECK(sx_nand2_weight("$_DLATCH_P_") < 0);
    cJSON *cells = cJSON_Parse("{\"$_XOR_\": 20, \"$_NAND_\": 3, \"$mem_v2\": 2, \"$paramod$x\\\\dec\": 4, \"$_FOO_\": 1}");
    sx_gates g = {0};
    sx_gates_add(&g, cells, 2);
    CHECK(g.xor2 == 40 && g.cells == 48 && g.unmapped == 2 && fabs(g.n2eq - (40 * 2 + 6)) < 1e-9);
    cJSON_Delete(cells);

    /* Memory model. MLP 512x512: 512 channels x ceil(512/20)=26 slices = 13312 slices. */
    CHECK(sx_slices(&sx_layers[0], 20) == 13312);
    CHECK(sx_net_bits("mlp", 20, 16, 1) == 13312ul * 16);
    CHECK(sx_net_bits("mlp", 20, 8, 2) == 2ul * 13312 * 8);
    /* LeNet-5: conv2 64 x ceil(800/20)=40, fc1 512 x ceil(1024/20)=52 -> 2560 + 26624 slices */
    CHECK(sx_net_bits("lenet5", 20, 12, 1) == (2560ul + 26624ul) * 12);
    /* EBR: 13312 words x 16 bits = 52 blocks of 256x16; x 20 bits: 1024x4 mode, 5 wide x 13 deep = 65 */
    CHECK(sx_ebr_blocks(13312, 16) == 52);
    CHECK(sx_ebr_blocks(13312, 20) == 65);
    CHECK(sx_ebr_blocks(1, 1) == 1);

    /* Reference generator: one assign per row, XOR of the row's taps, constant 0 for an empty row */
    uint32_t rows[3] = {0x5, 0x2, 0x0};
    char path[] = "/tmp/flexor_synth_unit_ref_XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    CHECK(sx_write_reference(path, 3, 3, rows) == 0);
    char *t = fx_read_file(path, 0, NULL);
    CHECK(t && strstr(t, "assign y_o[0] = x_i[0] ^ x_i[2];") && strstr(t, "assign y_o[1] = x_i[1];") &&
          strstr(t, "assign y_o[2] = 1'b0;"));
    free(t);
    remove(path);
    if (fd >= 0) close(fd);
    /* Module categories (synth/categories.txt): every Yosys naming form, first match wins */
    CHECK(!strcmp(sx_category("$paramod$1c78\\flexor_decryptor"), "decryptor"));
    CHECK(!strcmp(sx_category("$paramod$b4c5\\flexor_decrypt_array"), "decrypt"));
    CHECK(!strcmp(sx_category("$paramod\\flexor_requant\\SUM_W=s32'00100111"), "requantize"));
    CHECK(!strcmp(sx_category("\\flexor_top"), "control"));
    CHECK(!strcmp(sx_category("$paramod$77\\flexor_syn_decprog_net"), "decryptor"));
    CHECK(!strcmp(sx_category("\\something_else"), "other"));
    /* Relative paths for read_verilog -I (Yosys cannot quote that argument) */
    sxbuf rb = {0};
    sx_relpath(&rb, "/o u't/work/dec8-generic", "/o u't/gen");
    CHECK(rb.s && !strcmp(rb.s, "../../gen"));
    sxb_free(&rb);
    sx_relpath(&rb, "/a/bc", "/a/b");
    CHECK(rb.s && !strcmp(rb.s, "../b"));
    sxb_free(&rb);
    sx_relpath(&rb, "/a", "/a/x/y");
    CHECK(rb.s && !strcmp(rb.s, "x/y"));
    sxb_free(&rb);
    CHECK(sx_ys_path_ok("/a b'c;touch X;/d") == 0 && sx_ys_path_ok("/a\"b") == -1 && sx_ys_path_ok("/a\nb") == -1);

    /* The configuration through libflexor's parser: the numbers flexor-gencfg writes for default
     * (flexor_config.json: hash 43df539e, M-xor row 0 of N_in = 8 is 12) */
    char gdir[] = "/tmp/flexor_synth_unit_gen_XXXXXX", glog[64];
    CHECK(mkdtemp(gdir) != NULL);
    snprintf(glog, sizeof glog, "%s/gencfg.log", gdir);
    sx_cfg c;
    CHECK(sx_cfg_generate("default", gdir, glog, &c) == 0);
    CHECK(c.hw.n_out == 20 && c.hw.n_tap == 2 && c.hw.lanes == 16 && c.hw.n_in_count == 4 && c.hw.n_in[0] == 8);
    CHECK(!strcmp(c.hash, "43df539e") && c.rows[0][0] == 12 && c.rows[3][0] == 524296);
    char vh[128];
    snprintf(vh, sizeof vh, "%s/flexor_config.vh", gdir);
    CHECK(sx_file_exists(vh));
    /* report.json through cJSON: a config name with '"' and '\\' stays valid JSON and reads back as written */
    sx_result *res = calloc(1, sizeof *res);
    CHECK(res != NULL);
    if (res) {
        res->cfg = c;
        snprintf(res->cfg.hw.name, sizeof res->cfg.hw.name, "q\"uo\\te");
        res->dec[0].n_in = 8;
        res->dec[0].dec.total.n2eq = 2.0 / 3;
        CHECK(sx_write_reports(res, gdir) == 0);
        char rpath[128];
        snprintf(rpath, sizeof rpath, "%s/report.json", gdir);
        cJSON *rep = sx_json_load(rpath, err, sizeof err);
        CHECK(rep && !strcmp(sx_json_str(rep, "config"), "q\"uo\\te") && !strcmp(sx_json_str(rep, "hash"), "43df539e"));
        const cJSON *d0 = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(rep, "decryptors"), 0);
        CHECK(sx_json_num(d0, "n_in", 0) == 8 && sx_json_num(sx_json_obj(d0, "hardwired"), "nand2_eq", 0) == 0.67);
        cJSON_Delete(rep);
        /* baseline written with cJSON reads back: the same figures pass, an exact one moved by 1 fails */
        char bpath[128];
        snprintf(bpath, sizeof bpath, "%s/baseline.json", gdir);
        res->dec[0].dec.total.xor2 = 20;
        CHECK(sx_baseline_update(res, bpath) == 0 && sx_baseline_check(res, bpath) == 0);
        res->dec[0].dec.total.xor2 = 21;
        CHECK(sx_baseline_check(res, bpath) == 1);
        free(res);
    }
    const char *rm[] = {"rm", "-rf", "--", gdir, NULL};
    CHECK(fx_spawn(rm, NULL, NULL, 0) == 0);
    if (t_report("test_synth_unit")) return 1;
    printf("synth unit tests passed\n");
    return 0;
}
