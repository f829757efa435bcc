/*
 * proc-same-files: the C floor for the exact file set ProcReader reads
 * per thread (stat, status, syscall, wchan, and stack unless -n), with the
 * same openat/read/close pattern and no parsing.
 * usage: proc-same-files PID [REPEATS] [-n]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static long slurp(int dirfd, const char *name, char *buf, size_t cap)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long total = 0;
    ssize_t r;
    while ((r = read(fd, buf + total, cap - (size_t)total)) > 0)
        total += r;
    close(fd);
    return total;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    int stacks = !(argc > 3 && strcmp(argv[3], "-n") == 0);
    const char *files[] = {"stat", "status", "syscall", "wchan", "stack"};
    int nfiles = stacks ? 5 : 4;
    for (int rep = 0; rep < repeats; rep++) {
        char path[64], buf[8192], rel[300];
        double t0 = now_us();
        snprintf(path, sizeof path, "/proc/%s/task", argv[1]);
        int taskfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fdopendir(dup(taskfd));
        struct dirent *de;
        int count = 0;
        while ((de = readdir(d)) != NULL) {
            if (de->d_name[0] < '0' || de->d_name[0] > '9')
                continue;
            for (int f = 0; f < nfiles; f++) {
                snprintf(rel, sizeof rel, "%s/%s", de->d_name, files[f]);
                slurp(taskfd, rel, buf, sizeof buf);
            }
            count++;
        }
        closedir(d);
        close(taskfd);
        double us = now_us() - t0;
        printf("threads=%d elapsed_us=%.0f us_per_thread=%.2f\n", count, us, us / count);
    }
    return 0;
}
