/* SPDX-License-Identifier: Apache-2.0 */
/* The GTKWave save file cosim writes beside an FST dump (csim/wavesave.c): it names the dump, starts the
 * view at the dump's first time, puts the marker on 2·MARK (two time units per cycle), and every trace it
 * lists exists in the dump under exactly that name, in four non-empty groups.
 * Usage: check_gtkw DUMP.fst DUMP.gtkw MARK_CYCLE */
#include "wavesave.h"
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *names;
    size_t len, cap;
} nameset;

static void add(void *user, const char *name, uint32_t width)
{
    (void)width;
    nameset *s = user;
    const size_t n = strlen(name) + 2;
    if (s->len + n > s->cap) {
        s->cap = (s->len + n) * 2;
        if (!(s->names = realloc(s->names, s->cap))) abort();
    }
    s->len += (size_t)sprintf(s->names + s->len, "\n%s", name);
}

static int has(const nameset *s, const char *name)
{
    char key[2100];
    snprintf(key, sizeof key, "\n%s", name);
    for (const char *p = s->names; p && (p = strstr(p, key)); p++)
        if (p[strlen(key)] == '\n' || p[strlen(key)] == 0) return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) return 2;
    nameset s = {0};
    if (fx_wave_signals(argv[1], add, &s)) { printf("FAIL: cannot read %s\n", argv[1]); return 1; }
    FILE *f = fopen(argv[2], "r");
    if (!f) { printf("FAIL: no save file %s\n", argv[2]); return 1; }
    char line[2000], want_marker[64], dumpfile[1100];
    snprintf(want_marker, sizeof want_marker, "*-4.000000 %" PRIu64 " ", (uint64_t)(2 * strtoull(argv[3], NULL, 10)));
    snprintf(dumpfile, sizeof dumpfile, "[dumpfile] \"%s\"", argv[1]);
    int fail = 0, groups = 0, in_group = 0, traces = 0, marker = 0, dump = 0, start = 0;
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!strncmp(line, "[dumpfile]", 10)) dump = !strcmp(line, dumpfile);
        else if (!strncmp(line, "[timestart] ", 12)) start = 1;
        else if (line[0] == '*') marker = !strncmp(line, want_marker, strlen(want_marker));
        else if (!strcmp(line, "@800200")) in_group = 1, traces = 0;
        else if (!strcmp(line, "@1000200")) {
            groups += in_group && traces > 0;
            if (!traces) printf("FAIL: an empty group\n"), fail = 1;
            in_group = 0;
        } else if (line[0] != '@' && line[0] != '-' && line[0] != '[' && line[0]) {
            traces++;
            if (!has(&s, line)) printf("FAIL: '%s' is not a signal of the dump\n", line), fail = 1;
        }
    }
    fclose(f);
    free(s.names);
    if (!dump || !start || !marker || groups != 4) {
        printf("FAIL: dumpfile line %s, timestart %s, marker %s, %d non-empty groups (want 4)\n", dump ? "ok" : "wrong",
               start ? "ok" : "missing", marker ? "ok" : "wrong", groups);
        fail = 1;
    }
    if (!fail) printf("PASS: %s names the dump, marks cycle %s, 4 groups of existing signals\n", argv[2], argv[3]);
    return fail;
}
