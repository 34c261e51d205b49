/* SPDX-License-Identifier: Apache-2.0 */
/* cosim and regress in an ASan/UBSan build (the flexor CLI itself is not instrumented). */
#include <stdio.h>
#include <string.h>

int fx_cmd_cosim(int argc, char **argv);
int fx_cmd_regress(int argc, char **argv);

int main(int argc, char **argv)
{
    if (argc >= 2 && !strcmp(argv[1], "cosim")) return fx_cmd_cosim(argc - 1, argv + 1);
    if (argc >= 2 && !strcmp(argv[1], "regress")) return fx_cmd_regress(argc - 1, argv + 1);
    fprintf(stderr, "usage: csim_san_cli cosim|regress ...\n");
    return 2;
}
