/* SPDX-License-Identifier: Apache-2.0 */
/* Writes a random LeNet-shaped model stamped with another configuration's hash (argv[1]), so the test
 * can check that cosim refuses it before touching the RTL. */
#include "flexor/model_random.h"
#include <stdio.h>

int main(int argc, char **argv)
{
    fx_model m;
    char err[256];
    if (argc != 2 || fx_model_random(&m, fx_hwcfg_builtin(), "mlp", 0, 1)) return 2;
    m.cfg_hash ^= 0x5A5A5A5Au;
    int rc = fx_model_write(argv[1], &m, err, sizeof err);
    if (rc) fprintf(stderr, "%s\n", err);
    fx_model_free(&m);
    return rc ? 2 : 0;
}
