/* posix_spawn cost against the number of descriptors open in the parent (diagnostic for P1b).
 *
 *   cc -O2 -o /tmp/spawn-fds scripts/bench/spawn-fds.c -lpthread
 *   /tmp/spawn-fds N THREADS EXTRA_FDS      e.g. /tmp/spawn-fds 1000 2 3000
 *
 * Spawns N `/bin/true` with the daemon's options (new session, clean signal mask and
 * dispositions, dup2 of stdin/stdout/stderr, closefrom(3), chdir) from THREADS threads while
 * EXTRA_FDS descriptors (pipes) are open, and prints the time until every spawn returned. Each
 * spawn copies the parent's descriptor table (dup_fd) and the child closes it again, so the cost
 * grows with the number of open descriptors. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static int total, threads, devnull;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static void *worker(void *arg) {
  for (long i = (long)arg; i < total; i += threads) {
    posix_spawnattr_t attr;
    posix_spawn_file_actions_t actions;
    posix_spawnattr_init(&attr);
    posix_spawn_file_actions_init(&actions);
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    posix_spawnattr_setsigmask(&attr, &empty);
    posix_spawnattr_setsigdefault(&attr, &all);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    posix_spawn_file_actions_adddup2(&actions, devnull, 0);
    posix_spawn_file_actions_adddup2(&actions, devnull, 1);
    posix_spawn_file_actions_adddup2(&actions, devnull, 2);
    posix_spawn_file_actions_addclosefrom_np(&actions, 3);
    posix_spawn_file_actions_addchdir_np(&actions, "/");
    char *argv[] = {"/bin/true", "entry", NULL};
    pid_t pid;
    posix_spawn(&pid, "/bin/true", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s N THREADS EXTRA_FDS\n", argv[0]);
    return 64;
  }
  total = atoi(argv[1]);
  threads = atoi(argv[2]);
  int extra = atoi(argv[3]);
  if (threads < 1 || threads > 64) threads = 1;
  devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int i = 0; i < extra / 2; i++) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) {
      perror("pipe2 (raise ulimit -n)");
      return 1;
    }
  }
  pthread_t tid[64];
  double t0 = now();
  for (long i = 0; i < threads; i++) pthread_create(&tid[i], NULL, worker, (void *)i);
  for (int i = 0; i < threads; i++) pthread_join(tid[i], NULL);
  double t1 = now();
  while (wait(NULL) > 0) {
  }
  printf("%d spawns, %d threads, %d extra fds: %.0f ms until the last spawn returned (%.0f us each)\n", total,
         threads, extra, (t1 - t0) * 1e3, (t1 - t0) * 1e6 / total);
  return 0;
}
