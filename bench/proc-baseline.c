/*
 * proc-baseline.c - the "no ptrace at all" floor for a thread profiler.
 *
 * usage: proc-baseline PID [REPEATS] [same]
 *
 * Lists /proc/PID/task and, for every thread, opens and reads its stat,
 * comm and wchan files with plain openat()/read()/close().  With "same"
 * it reads the five files threadprof's wait-site mode reads instead:
 * stat, status, syscall, wchan and stack.  Nothing is
 * parsed beyond checking that something was read; the point is to measure
 * what the kernel charges for the three small reads per thread, which is
 * the unavoidable cost of any /proc-based thread listing.
 *
 * Output (stdout, one line per repeat):
 *   threads=<count> bytes=<total bytes read> elapsed_us=<inside-process time>
 * elapsed_us excludes exec/dynamic-linking, so it is the pure per-pass cost.
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

/* Read one small file relative to dirfd; returns bytes read or -1. */
static long slurp(int dirfd, const char *name, char *buf, size_t cap)
{
    int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    long total = 0;
    for (;;) {
        ssize_t r = read(fd, buf + total, cap - (size_t)total);
        if (r <= 0)
            break;
        total += r;
        if ((size_t)total == cap)
            break;
    }
    close(fd);
    return total;
}

static const char *const three_files[] = {"stat", "comm", "wchan", NULL};
static const char *const same_files[] = {"stat", "status", "syscall", "wchan", "stack", NULL};
static const char *const *files = three_files;

static int one_pass(const char *pid, long *bytes_out)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%s/task", pid);
    int taskfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (taskfd < 0) {
        perror(path);
        return -1;
    }
    DIR *d = fdopendir(dup(taskfd));
    if (!d) {
        perror("fdopendir");
        close(taskfd);
        return -1;
    }
    int count = 0;
    long bytes = 0;
    char buf[4096], rel[300]; /* d_name is at most 255 bytes */
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        /* A thread can exit between readdir and open: count only threads
         * whose stat file could still be read. */
        snprintf(rel, sizeof rel, "%s/%s", de->d_name, files[0]);
        long s = slurp(taskfd, rel, buf, sizeof buf);
        if (s <= 0)
            continue;
        bytes += s;
        for (int f = 1; files[f]; f++) {
            snprintf(rel, sizeof rel, "%s/%s", de->d_name, files[f]);
            long r = slurp(taskfd, rel, buf, sizeof buf);
            if (r > 0)
                bytes += r;
        }
        count++;
    }
    closedir(d);
    close(taskfd);
    *bytes_out = bytes;
    return count;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s PID [REPEATS] [same]\n", argv[0]);
        return 2;
    }
    int repeats = argc > 2 ? atoi(argv[2]) : 1;
    if (repeats < 1)
        repeats = 1;
    if (argc > 3 && strcmp(argv[3], "same") == 0)
        files = same_files;
    for (int i = 0; i < repeats; i++) {
        long bytes = 0;
        double t0 = now_us();
        int n = one_pass(argv[1], &bytes);
        double t1 = now_us();
        if (n < 0)
            return 1;
        printf("threads=%d bytes=%ld elapsed_us=%.0f\n", n, bytes, t1 - t0);
    }
    return 0;
}
