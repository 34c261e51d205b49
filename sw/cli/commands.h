/* SPDX-License-Identifier: Apache-2.0 */
/* Subcommands of the one `flexor` CLI. Each takes argv[0] = its own name and returns the exit status
 * (0 success, 1 a check failed, 2 bad input). */
#ifndef FLEXOR_COMMANDS_H
#define FLEXOR_COMMANDS_H
/* Why run and sweep-hw skip or refuse the accelerator side for a network that needs contract v2. */
#define FX_ACCEL_V1_ONLY "the accelerator runs contract v1 only (issue 13)"
int fx_cmd_inspect(int argc, char **argv); /* sw/cli */
int fx_cmd_infer(int argc, char **argv);   /* sw/cli */
int fx_cmd_export(int argc, char **argv);  /* sw/cli: NumPy files of a model */
int fx_cmd_import(int argc, char **argv);  /* sw/cli: NumPy files back into a model */
int fx_cmd_train(int argc, char **argv);   /* trainer/ */
int fx_cmd_sweep(int argc, char **argv);   /* trainer/ */
int fx_cmd_bench(int argc, char **argv);   /* trainer/ */
int fx_cmd_cosim(int argc, char **argv);   /* csim/ */
int fx_cmd_regress(int argc, char **argv); /* csim/ */
int fx_cmd_synth(int argc, char **argv);   /* synth/ */
int fx_cmd_run(int argc, char **argv);     /* sw/cli: the main job end to end */
int fx_cmd_sweep_hw(int argc, char **argv); /* sw/cli: sweep-hw (alias sweep --hw) */
int fx_cmd_study(int argc, char **argv);    /* sw/cli: the study of docs/study.md (needs the trainer) */
int fx_cmd_stage(int argc, char **argv);    /* sw/cli: one job of a job list, with sound reuse */
#endif
