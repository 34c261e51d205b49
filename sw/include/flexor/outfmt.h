/* SPDX-License-Identifier: Apache-2.0 */
/* Formats of the files flexor writes: JSON through cJSON (escaping and number syntax are cJSON's, not
 * ours) and CSV fields quoted per RFC 4180. Both go through fx_out (fsutil.h). */
#ifndef FLEXOR_OUTFMT_H
#define FLEXOR_OUTFMT_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdio.h>

/* Writes j, pretty-printed and newline-terminated, to path with fx_write_file. -1 with err set. */
int fx_write_json(const char *path, const cJSON *j, char *err, size_t errlen);
/* One CSV field: as is, or in double quotes with inner quotes doubled when it holds a comma, a quote,
 * CR or LF (RFC 4180 §2.6-2.7). */
void fx_csv_field(FILE *f, const char *s);
/* The same field into buf (cut to fit n); returns buf. */
const char *fx_csv_text(char *buf, size_t n, const char *s);
#endif
