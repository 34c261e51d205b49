/* Small filesystem helpers shared by the CLI commands. */
#ifndef FLEXOR_FSUTIL_H
#define FLEXOR_FSUTIL_H

/* mkdir -p: creates every missing folder of path; 0 on success, -1 with errno set. */
int fx_mkdir_p(const char *path);
#endif
