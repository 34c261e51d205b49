/* SPDX-License-Identifier: Apache-2.0 */
/* The JSON files synth reads (Yosys `stat -json`, nextpnr reports, baselines) and writes (reports,
 * baselines), through cJSON. */
#ifndef SX_JSON_H
#define SX_JSON_H
#include <cjson/cJSON.h>
#include <stddef.h>

/* Parses a whole file; NULL with "PATH: problem" in err. Free with cJSON_Delete. */
cJSON *sx_json_load(const char *path, char *err, size_t errlen);
/* As sx_json_load, for Yosys 0.23 `stat -json` output: that version prints the text "design hierarchy"
 * lines into the JSON when modules nest two deep; lines not starting with a JSON token are dropped. */
cJSON *sx_json_load_yosys(const char *path, char *err, size_t errlen);
/* Member `key` of obj when it is an object (NULL when obj is not an object or has no such member). */
const cJSON *sx_json_obj(const cJSON *obj, const char *key);
/* Number of a member, or dflt when absent / not a number. Yosys writes some counts as strings ("816+"):
 * their leading number counts. */
double sx_json_num(const cJSON *obj, const char *key, double dflt);
/* String of a member, or NULL. */
const char *sx_json_str(const cJSON *obj, const char *key);
/* Writes j pretty-printed, newline-terminated, to path (sx_write_file); 0 or -1 (message on stderr). */
int sx_write_json(const char *path, const cJSON *j);
#endif
