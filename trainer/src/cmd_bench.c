#include "tr.h"
int fx_cmd_bench(int argc, char **argv) { (void)argc; (void)argv; return 2; }
