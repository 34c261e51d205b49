/* SPDX-License-Identifier: Apache-2.0 */
/* See buildid.h. */
#define _POSIX_C_SOURCE 200809L
#include "buildid.h"
#include "flexor/digest.h"
#include "flexor/selfpath.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fx_build_code(const char *parts, char out[17])
{
    fx_digest d;
    fx_digest_init(&d);
    for (const char *p = parts; *p;) {
        size_t n = strcspn(p, ",");
        const fx_build_part *b = fx_build_parts;
        while (b->part && (strlen(b->part) != n || strncmp(b->part, p, n))) b++;
        if (!b->part) return -1;
        fx_digest_add_str(&d, b->part);
        fx_digest_add_str(&d, b->digest);
        p += n + (p[n] == ',');
    }
    fx_digest_hex(&d, out);
    return 0;
}

void fx_build_id(char out[17])
{
    fx_digest d;
    fx_digest_init(&d);
    for (const fx_build_part *b = fx_build_parts; b->part; b++) {
        fx_digest_add_str(&d, b->part);
        fx_digest_add_str(&d, b->digest);
    }
    fx_digest_hex(&d, out);
}

const char *fx_rtl_dir(void)
{
    const char *e = getenv("FX_RTL_DIR");
    if (e && *e) return e;
    /* an installed flexor: its own copy (<prefix>/share/flexor/rtl); else the build's rtl/ */
    static char dir[4096];
    char share[4000];
    if (!dir[0] && fx_data_dir(NULL, "rtl/flexor_top.v", share, sizeof share) == 0) snprintf(dir, sizeof dir, "%s/rtl", share);
    return dir[0] ? dir : fx_build_rtl_dir;
}

static const char *part_digest(const char *name)
{
    for (const fx_build_part *b = fx_build_parts; b->part; b++)
        if (!strcmp(b->part, name)) return b->digest;
    return "";
}

int fx_build_rtl_check(char *msg, size_t len)
{
    char now[17], bad[4200];
    const char *dir = fx_rtl_dir();
    if (fx_digest_rtl(dir, now, bad, sizeof bad)) {
        snprintf(msg, len, "cannot read the RTL: %s", bad);
        return -1;
    }
    if (strcmp(now, part_digest("rtl"))) {
        snprintf(msg, len, "the RTL or its configs in %s differ from those this flexor was built with: rebuild "
                           "(cmake --build) so the co-simulation runs this RTL", dir);
        return -1;
    }
    return 0;
}
