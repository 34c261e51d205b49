/* Unit tests of synth's own arithmetic: the JSON reader, the NAND2-eq table, the weight-memory model
 * (values computed by hand from the layer shapes) the flat reference generator and the module categories. */
#define _GNU_SOURCE /* mkstemp */
#include "sx_area.h"
#include "sx_flows.h"
#include "sx_json.h"
#include "sx_prove.h"
#include "sx_util.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int fails;
#define CHECK(c)                                                            \
    do {                                                                    \
        if (!(c)) { fprintf(stderr, "%s:%d: FAILED %s\n", __FILE__, __LINE__, #c); fails++; } \
    } while (0)

int main(void)
{
    char err[200];
    /* JSON: nesting, escapes, Yosys' "816+" strings, errors */
    sxj *j = sxj_parse("{\"a\": [1, 2.5, -3e2], \"m\": {\"\\\\top\": {\"n\": \"816+\"}}, \"t\": true, \"z\": null}", err,
                       sizeof err);
    CHECK(j != NULL);
    const sxj *a = sxj_get(j, "a");
    CHECK(a && a->type == SXJ_ARR && a->child->num == 1 && a->child->next->num == 2.5 && a->child->next->next->num == -300);
    CHECK(sxj_num(sxj_get(sxj_get(j, "m"), "\\top"), "n", 0) == 816);
    CHECK(sxj_num(j, "t", 0) == 1 && sxj_get(j, "z") && sxj_get(j, "missing") == NULL);
    sxj_free(j);
    CHECK(sxj_parse("{\"a\": }", err, sizeof err) == NULL && strstr(err, "JSON"));
    CHECK(sxj_parse("[1, 2", err, sizeof err) == NULL);
    CHECK(sxj_parse("{} x", err, sizeof err) == NULL);

    /* NAND2-eq: NAND2 is the unit, XOR2 = 1.596/0.798 = 2, unknown types have none */
    CHECK(fabs(sx_nand2_weight("$_NAND_") - 1) < 1e-9);
    CHECK(fabs(sx_nand2_weight("$_XOR_") - 2) < 1e-9);
    CHECK(fabs(sx_nand2_weight("$_DFF_P_") - 4.522 / 0.798) < 1e-9);
    CHECK(sx_nand2_weight("$_DLATCH_P_") < 0);
    sxj *cells = sxj_parse("{\"$_XOR_\": 20, \"$_NAND_\": 3, \"$mem_v2\": 2, \"$paramod$x\\\\dec\": 4, \"$_FOO_\": 1}", err,
                           sizeof err);
    sx_gates g = {0};
    sx_gates_add(&g, cells, 2);
    CHECK(g.xor2 == 40 && g.cells == 48 && g.unmapped == 2 && fabs(g.n2eq - (40 * 2 + 6)) < 1e-9);
    sxj_free(cells);

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
    char *t = sx_read_file(path, NULL);
    CHECK(t && strstr(t, "assign y_o[0] = x_i[0] ^ x_i[2];") && strstr(t, "assign y_o[1] = x_i[1];") &&
          strstr(t, "assign y_o[2] = 1'b0;"));
    free(t);
    remove(path);
    if (fd >= 0) close(fd);
    /* Module categories (synth/categories.txt): every Yosys naming form, first match wins */
    CHECK(!strcmp(sx_category("$paramod$1c78\\flexor_decryptor"), "decryptor"));
    CHECK(!strcmp(sx_category("$paramod$b4c5\\flexor_decrypt_array"), "decrypt_select"));
    CHECK(!strcmp(sx_category("$paramod\\flexor_requant\\SUM_W=s32'00100111"), "requantize"));
    CHECK(!strcmp(sx_category("\\flexor_top"), "control"));
    CHECK(!strcmp(sx_category("$paramod$77\\flexor_syn_decprog_net"), "decryptor"));
    CHECK(!strcmp(sx_category("\\something_else"), "other"));
    if (fails) return 1;
    printf("synth unit tests passed\n");
    return 0;
}
