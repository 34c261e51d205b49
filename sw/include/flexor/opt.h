/* SPDX-License-Identifier: Apache-2.0 */
/* Strict command-line parsing shared by every subcommand: numbers are the whole string, in range, never
 * wrapped; errors are one line "flexor CMD: ... (flexor CMD --help)" and exit status 2. */
#ifndef FLEXOR_OPT_H
#define FLEXOR_OPT_H
#include <stddef.h>
#include <stdint.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Decimal (no leading zero: "010" is refused), or hexadecimal with 0x; no sign, no spaces, no suffix;
 * within [lo, hi]. 0, or -1. */
int fx_parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *v);
/* Decimal with an optional leading '-'; within [lo, hi]. 0, or -1. */
int fx_parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *v);
int fx_parse_int(const char *s, int lo, int hi, int *v);
int fx_parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *v);
/* A finite decimal number (strtod syntax, no spaces) within [lo, hi]. 0, or -1. */
int fx_parse_double(const char *s, double lo, double hi, double *v);

/* Splits a comma list into items[max][itemlen] (NUL-terminated); the number of items, or -1 when an item
 * is empty or does not fit, or there are more than max. Every option taking a list uses it. */
int fx_split_list(const char *list, char *items, size_t itemlen, int max);

/* Prints "flexor CMD: MESSAGE (flexor CMD --help)" on stderr; returns 2 (the bad-input exit status). */
int fx_opt_fail(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "flexor CMD: bad value 'VAL' for --OPT: EXPECTED"; returns 2. */
int fx_opt_bad_value(const char *cmd, const char *opt, const char *val, const char *expected);
/* For getopt_long's error returns ('?' or ':') with opterr = 0 and an optstring starting with ':':
 * names the unknown option or the option that lacks its value; returns 2. */
int fx_opt_error(const char *cmd, int c, char **argv);
/* Resets getopt for a fresh parse of a subcommand's argv: optind = 1, opterr = 0. */
void fx_opt_reset(void);
#ifdef __cplusplus
}
#endif
#endif
