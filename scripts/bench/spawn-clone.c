/* Spawn cost of posix_spawn against a vfork-style clone sharing the descriptor table
 * (CLONE_FILES, then close_range(64, ~0, CLOSE_RANGE_UNSHARE) in the child), the technique of
 * ctfs_spawn in Sources/CTFSSupport/ctfs.c, with EXTRA_FDS descriptors open in the parent.
 *
 *   cc -O2 -o spawn-clone scripts/bench/spawn-clone.c -lpthread
 *   ./spawn-clone N THREADS EXTRA_FDS MODE      MODE 0 = posix_spawn, 1 = clone
 *   e.g. for m in 0 1; do ./spawn-clone 1000 4 2000 $m; done
 *
 * Prints the time until every one of N `/bin/true` spawns returned. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/close_range.h>
#include <errno.h>

extern char **environ;
static int total, threads, mode, devnull;
static int slots[8][3];
static double now(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec/1e9;}

struct args { const char *path; char *const *argv; char *const *envp; int in, out, err; volatile int fail; };

static int child(void *p) {
  struct args *a = p;
  if (syscall(SYS_close_range, 64, ~0U, CLOSE_RANGE_UNSHARE) != 0) goto fail;
  if (dup2(a->in, 0) < 0 || dup2(a->out, 1) < 0 || dup2(a->err, 2) < 0) goto fail;
  syscall(SYS_close_range, 3, ~0U, 0);
  struct sigaction sa; memset(&sa, 0, sizeof sa); sa.sa_handler = SIG_DFL;
  for (int s = 1; s < _NSIG; s++) if (s != SIGKILL && s != SIGSTOP) sigaction(s, &sa, NULL);
  if (setsid() < 0) goto fail;
  if (chdir("/tmp") != 0) goto fail;
  sigset_t e; sigemptyset(&e); sigprocmask(SIG_SETMASK, &e, NULL);
  execve(a->path, a->argv, a->envp);
fail:
  a->fail = errno; _exit(127);
}

static pid_t spawn_clone(int w, int out) {
  dup2(devnull, slots[w][0]); dup2(out, slots[w][1]); dup2(out, slots[w][2]);
  struct args a = { "/bin/true", (char*[]){"true", NULL}, environ, slots[w][0], slots[w][1], slots[w][2], 0 };
  size_t size = 64 * 1024;
  char *stack = mmap(NULL, size, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS|MAP_STACK, -1, 0);
  sigset_t all, old; sigfillset(&all); pthread_sigmask(SIG_BLOCK, &all, &old);
  pid_t pid = clone(child, stack + size, CLONE_VM|CLONE_VFORK|CLONE_FILES|SIGCHLD, &a);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  munmap(stack, size);
  dup2(devnull, slots[w][1]); dup2(devnull, slots[w][2]);
  if (a.fail) { fprintf(stderr, "child failed %d\n", a.fail); }
  return pid;
}

static pid_t spawn_posix(int out) {
  posix_spawnattr_t attr; posix_spawn_file_actions_t fa;
  posix_spawnattr_init(&attr); posix_spawn_file_actions_init(&fa);
  sigset_t e, all; sigemptyset(&e); sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &e); posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID|POSIX_SPAWN_SETSIGMASK|POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_adddup2(&fa, devnull, 0); posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, out, 2); posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  posix_spawn_file_actions_addchdir_np(&fa, "/tmp");
  pid_t pid; char *argv[] = {"true", NULL};
  posix_spawn(&pid, "/bin/true", &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa); posix_spawnattr_destroy(&attr);
  return pid;
}

static void *worker(void *p) {
  int w = (int)(long)p;
  for (int i = w; i < total; i += threads) {
    int out = open("/dev/null", O_WRONLY|O_CLOEXEC);
    if (mode) spawn_clone(w, out); else spawn_posix(out);
    close(out);
  }
  return NULL;
}

int main(int argc, char **argv) {
  total = atoi(argv[1]); threads = atoi(argv[2]); int extra = atoi(argv[3]); mode = atoi(argv[4]);
  devnull = open("/dev/null", O_RDWR|O_CLOEXEC);
  for (int w = 0; w < 8; w++) for (int k = 0; k < 3; k++) slots[w][k] = open("/dev/null", O_RDWR|O_CLOEXEC);
  for (int i = 0; i < extra / 2; i++) { int p[2]; pipe2(p, O_CLOEXEC); }
  pthread_t t[16]; double t0 = now();
  for (int w = 0; w < threads; w++) pthread_create(&t[w], NULL, worker, (void*)(long)w);
  for (int w = 0; w < threads; w++) pthread_join(t[w], NULL);
  double t1 = now();
  printf("%s: %d spawns, %d threads, %d fds: %.0f ms\n", mode ? "clone" : "posix", total, threads, extra, (t1-t0)*1000);
  while (waitpid(-1, NULL, 0) > 0) {}
}
