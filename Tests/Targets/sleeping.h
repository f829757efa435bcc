/* sleeping.h: for test targets that print "ready" only once every thread
 * is parked, so that tests never have to sleep. */
#ifndef TARGETS_SLEEPING_H
#define TARGETS_SLEEPING_H

#include <stdio.h>
#include <string.h>
#include <sys/types.h>

/* True once thread `tid` of this process sleeps in the kernel (state S in
 * /proc/self/task/<tid>/stat, read after the last ')' of the name). */
static int sleeping(pid_t tid)
{
    char path[64], buf[512];
    if (tid == 0)
        return 0;
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] == 'S';
}

#endif
