#include "tr.h"
int fx_cmd_sweep(int argc, char **argv) { (void)argc; (void)argv; return 2; }
