/* SPDX-License-Identifier: Apache-2.0 */
/* Reading the small result files the stages write: the last row of a CSV by column name, and
 * numbers from JSON (cJSON) by a dotted path. */
#ifndef FLEXOR_RESULTS_H
#define FLEXOR_RESULTS_H
#include <stddef.h>

/* Value of column `col` in the first data row whose columns keys[i] equal vals[i] (i < nkeys), or in
 * the last data row when nkeys is 0; 0 on success. Fields are unquoted and may be empty. */
int csv_lookup(const char *path, int nkeys, const char *const *keys, const char *const *vals, const char *col,
               char *out, size_t len);
/* csv_lookup as a number; NAN when absent. */
double csv_number(const char *path, int nkeys, const char *const *keys, const char *const *vals, const char *col);
/* Number at dotted path ("a.b.c"; array index as a number "a.0.b") in a JSON file; 0 on success. */
int json_number(const char *path, const char *dotted, double *out);
/* String at dotted path; 0 on success. */
int json_string(const char *path, const char *dotted, char *out, size_t len);
#endif
