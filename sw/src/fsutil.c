/* See fsutil.h. */
#define _POSIX_C_SOURCE 200809L
#include "flexor/fsutil.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int fx_mkdir_p(const char *path)
{
    char b[1024];
    if (snprintf(b, sizeof b, "%s", path) >= (int)sizeof b) { errno = ENAMETOOLONG; return -1; }
    for (char *p = b + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(b, 0777) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(b, 0777) && errno != EEXIST ? -1 : 0;
}
