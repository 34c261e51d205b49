/* SPDX-License-Identifier: Apache-2.0 */
/* Formats of the files flexor writes: JSON through cJSON (escaping and number syntax are cJSON's, not
 * ours) and CSV fields quoted per RFC 4180. Both go through fx_out (fsutil.h). */
#ifndef FLEXOR_OUTFMT_H
#define FLEXOR_OUTFMT_H
#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Writes j, pretty-printed and newline-terminated, to path with fx_write_file. -1 with err set. */
int fx_write_json(const char *path, const cJSON *j, char *err, size_t errlen);
/* One CSV field: as is, or in double quotes with inner quotes doubled when it holds a comma, a quote,
 * CR or LF (RFC 4180 §2.6-2.7). */
void fx_csv_field(FILE *f, const char *s);
/* The same field into buf (cut to fit n); returns buf. */
const char *fx_csv_text(char *buf, size_t n, const char *s);
/* The per-image predictions CSV of infer and cosim (docs/cli.md): a header
 * "index,label,predicted,logit_0,...", then one row per image; a label < 0 (no labels) is an empty field. */
void fx_pred_csv_header(FILE *f, uint32_t n_classes);
void fx_pred_csv_row(FILE *f, uint64_t index, int64_t label, int predicted, const int32_t *logits, uint32_t n_classes);
#ifdef __cplusplus
}
#endif
#endif
