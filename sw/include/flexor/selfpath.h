/* SPDX-License-Identifier: Apache-2.0 */
/* Where the running program is, and where an installed flexor keeps its data (<prefix>/share/flexor). */
#ifndef FLEXOR_SELFPATH_H
#define FLEXOR_SELFPATH_H
#include <stddef.h>
#ifdef __cplusplus
extern "C" {
#endif

/* Absolute path of the running executable, or "flexor" when the system does not say. */
const char *fx_self_exe(void);

/* The tree to read data files from: <directory of the executable>/../share/flexor (canonical) when
 * probe exists there (an installed flexor reads its own copy, whatever became of the source tree), else
 * build_dir (the source tree baked in at build time; may be NULL) when build_dir/probe exists. Writes it
 * to out and returns 0; -1 when neither holds probe (or out is too small). */
int fx_data_dir(const char *build_dir, const char *probe, char *out, size_t outlen);
#ifdef __cplusplus
}
#endif
#endif
