/* SPDX-License-Identifier: Apache-2.0 */
/* `flexor study` (docs/study.md): the measured answers to the paper's open questions. cmd_study.c holds
 * the points, the job list and the accuracy tables; study_static.c the analyses that need no training
 * (Q3 padding, Q5 entropy coding, Q6 M⊕ rank and bit agreement, Q8 SRAM against decryptor area). */
#ifndef FLEXOR_CLI_STUDY_H
#define FLEXOR_CLI_STUDY_H
#include <stdio.h>

/* A Markdown + CSV pair of one table, both written through fx_out (study_static.c). */
typedef struct study_out study_out;
study_out *study_open(const char *dir, const char *stem, const char *title, const char *intro, const char *md_head,
                      const char *csv_head);
FILE *study_md(study_out *t);
FILE *study_csv(study_out *t);
/* Commits both files and appends the Markdown to the report (study.md) being built; -1 on an error
 * (printed). */
int study_close(study_out *t, FILE *report);

/* The analyses; each writes DIR/STEM.csv + DIR/STEM.md and appends its Markdown to report. 0, or -1. */
int study_q3_padding(const char *dir, FILE *report);
int study_q6_mxor(const char *dir, FILE *report);
/* binary_fxm: a trained plain-binary model; flexor_fxm: a FleXOR model of the same network and seed
 * (the bit agreement of Q6); either may be missing (the tables say so). */
int study_q5_entropy(const char *dir, const char *binary_fxm, FILE *report);
int study_q6_agreement(const char *dir, const char *binary_fxm, const char *flexor_fxm, FILE *report);
/* Stored weight bits (slices × N_in × planes) of the layers between the first and the last of a model
 * file; -1 when it cannot be read (not trained yet, or no integer model). */
long long study_middle_bits(const char *fxm);
/* synth_dir: where `flexor synth --sweep` wrote sweep.csv and default.json (synth/results). */
int study_q8_cost(const char *dir, const char *synth_dir, FILE *report);
#endif
