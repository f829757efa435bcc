/*
 * names: threads with names that break naive /proc stat parsers.
 *
 * Threads named (via prctl PR_SET_NAME) "a) b" and "x) R 1 2 (" block in
 * read() on a pipe nobody writes; "              )" (14 spaces and ')')
 * and "\xffz" spin; "nl\nname" (with a newline) blocks in read() too.
 * Prints "ready" once the readers sleep and the spinners have started,
 * then waits for a signal (at most ten minutes).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pipefd[2];
static atomic_int started;
static pid_t tids[8];
static const char *names[] = {"a) b", "x) R 1 2 (", "              )", "\xffz", "nl\nname"};
static const int spins[] = {0, 0, 1, 1, 0};

static void *run(void *arg)
{
    long i = (long)arg;
    prctl(PR_SET_NAME, names[i], 0, 0, 0);
    tids[i] = (pid_t)syscall(SYS_gettid);
    atomic_fetch_add(&started, 1);
    if (spins[i]) {
        volatile unsigned long x = 0;
        for (;;)
            x++;
    }
    char c;
    while (read(pipefd[0], &c, 1) > 0)
        ;
    return NULL;
}

static int state_is(pid_t tid, char want)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *rp = strrchr(buf, ')');
    return rp && rp[1] == ' ' && rp[2] == want;
}

int main(void)
{
    if (pipe(pipefd) != 0)
        return 1;
    int n = (int)(sizeof names / sizeof names[0]);
    for (long i = 0; i < n; i++) {
        pthread_t t;
        if (pthread_create(&t, NULL, run, (void *)i) != 0)
            return 1;
    }
    while (atomic_load(&started) < n)
        usleep(1000);
    for (int i = 0; i < n; i++)
        while (!spins[i] && !state_is(tids[i], 'S'))
            usleep(1000);
    printf("ready %d\n", (int)getpid());
    fflush(stdout);
    alarm(600);
    for (;;)
        pause();
}
