#define _GNU_SOURCE
#include "ctfs.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
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
#include <unistd.h>

/* posix_spawn copies the parent's whole descriptor table into the child, which then closes
 * it again: with 3,000 descriptors open in the daemon (three per live run) that adds about a third
 * to every spawn. The fast path below shares the table instead (CLONE_FILES) and has the child
 * take a private copy of only its first 64 descriptors (close_range with CLOSE_RANGE_UNSHARE,
 * Linux 5.9+), where each spawning thread has parked its three standard descriptors in slots
 * reserved for it. Otherwise it does what the posix_spawn path does, in the same order. */

#define SLOT_SETS 8
#define SLOT_LIMIT 64

static int slots[SLOT_SETS][3];
static int slot_busy[SLOT_SETS];
static int park_fd = -1; /* /dev/null, what idle slots hold */
/* One stack per slot set for the clone (used by one spawn at a time, like the slots): mapped
 * once, so a spawn neither maps memory nor faults in fresh stack pages. */
#define CHILD_STACK (64 * 1024)
static char *stacks[SLOT_SETS];
static int fast_ok = -1; /* -1 not set up, 0 off, 1 on */
static pthread_mutex_t slot_lock = PTHREAD_MUTEX_INITIALIZER;

void ctfs_spawn_setup(void) {
  pthread_mutex_lock(&slot_lock);
  if (fast_ok == -1) {
    park_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    /* TFS_SPAWN=posix_spawn: every spawn of this process uses posix_spawn (to test that path,
     * or to rule the fast one out). */
    const char *mode = getenv("TFS_SPAWN");
    fast_ok = park_fd >= 0 && !(mode != NULL && strcmp(mode, "posix_spawn") == 0);
    for (int i = 0; i < SLOT_SETS; i++) {
      stacks[i] = mmap(NULL, CHILD_STACK, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
      if (stacks[i] == MAP_FAILED) fast_ok = 0;
      for (int k = 0; k < 3; k++) {
        slots[i][k] = open("/dev/null", O_RDONLY | O_CLOEXEC);
        /* Below 3 (a daemon started with stdin closed) a slot would be overwritten by the
         * child's own dup2s: then use posix_spawn. */
        if (slots[i][k] < 3 || slots[i][k] >= SLOT_LIMIT) fast_ok = 0;
      }
    }
  }
  pthread_mutex_unlock(&slot_lock);
}

/* At load, before the process opens anything of its own: the slots then land in 3..63 in every
 * process (the daemon, `run --here`, a test binary that opened many files before its first
 * spawn), so none falls back to posix_spawn for want of low descriptors. */
__attribute__((constructor)) static void ctfs_load(void) { ctfs_spawn_setup(); }

int ctfs_spawn_fast_enabled(void) { return fast_ok == 1; }

static int take_slots(void) {
  pthread_mutex_lock(&slot_lock);
  int found = -1;
  for (int i = 0; i < SLOT_SETS && found < 0; i++) {
    if (!slot_busy[i]) {
      slot_busy[i] = 1;
      found = i;
    }
  }
  pthread_mutex_unlock(&slot_lock);
  return found;
}

static void give_slots(int i) {
  pthread_mutex_lock(&slot_lock);
  slot_busy[i] = 0;
  pthread_mutex_unlock(&slot_lock);
}

struct child_args {
  const char *path;
  char *const *argv;
  char *const *envp;
  const char *cwd;
  int fds[3];
  int cgroup_fd; /* the run's cgroup.procs, or -1 */
  volatile int error;
  volatile int cgroup_error;
  volatile int unshared; /* the kernel took CLOSE_RANGE_UNSHARE */
};

/* Runs in the clone, on its own stack, sharing the parent's memory: system calls only. */
static int spawn_child(void *p) {
  struct child_args *a = p;
  /* Into the run's cgroup first, before anything the program does can fork. */
  if (a->cgroup_fd >= 0 && write(a->cgroup_fd, "0", 1) != 1) {
    a->cgroup_error = errno != 0 ? errno : EIO;
    _exit(127);
  }
  if (syscall(SYS_close_range, SLOT_LIMIT, ~0U, CLOSE_RANGE_UNSHARE) != 0) goto fail;
  a->unshared = 1;
  for (int k = 0; k < 3; k++) {
    if (dup2(a->fds[k], k) < 0) goto fail;
  }
  if (syscall(SYS_close_range, 3, ~0U, 0) != 0) goto fail;
  /* Default dispositions for every signal, glibc's internal ones too (its sigaction refuses
   * those; posix_spawn resets them the same way): the kernel's struct, without a restorer. */
  struct {
    void *handler;
    unsigned long flags;
    void *restorer;
    unsigned long mask;
  } dfl = {SIG_DFL, 0, NULL, 0};
  for (int sig = 1; sig < _NSIG; sig++) {
    if (sig != SIGKILL && sig != SIGSTOP) syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof dfl.mask);
  }
  if (setsid() < 0) goto fail;
  if (a->cwd != NULL && chdir(a->cwd) != 0) goto fail;
  sigset_t empty;
  sigemptyset(&empty);
  sigprocmask(SIG_SETMASK, &empty, NULL);
  execve(a->path, a->argv, a->envp);
fail:
  a->error = errno != 0 ? errno : EINVAL;
  _exit(127);
}

/* 0 and *pid set; an errno value; or -1 when the fast path cannot be used. */
static int spawn_fast(const char *path, char *const argv[], char *const envp[], const char *cwd,
                      int stdin_fd, int stdout_fd, int stderr_fd, int cgroup_fd, pid_t *pid) {
  if (fast_ok != 1) return -1;
  int set = take_slots();
  if (set < 0) return -1;
  int *slot = slots[set];
  int sources[3] = {stdin_fd, stdout_fd, stderr_fd};
  int rc = 0;
  for (int k = 0; k < 3 && rc == 0; k++) {
    if (dup3(sources[k], slot[k], O_CLOEXEC) < 0) rc = errno;
  }
  if (rc == 0) {
    struct child_args a = {path, argv, envp, cwd, {slot[0], slot[1], slot[2]}, cgroup_fd, 0, 0, 0};
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, &old);
    pid_t child = clone(spawn_child, stacks[set] + CHILD_STACK,
                        CLONE_VM | CLONE_VFORK | CLONE_FILES | SIGCHLD, &a);
    int clone_errno = errno;
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (child < 0) {
      rc = clone_errno;
    } else if (a.cgroup_error != 0) {
      waitpid(child, NULL, 0);
      rc = a.cgroup_error;
    } else if (a.error != 0) {
      waitpid(child, NULL, 0);
      /* A kernel without CLOSE_RANGE_UNSHARE (before 5.9): use posix_spawn from now on. */
      rc = a.unshared ? a.error : -1;
      if (!a.unshared) fast_ok = 0;
    } else {
      *pid = child;
    }
  }
  /* Park /dev/null again: the slots must stay taken, and must not keep the log open. */
  for (int k = 0; k < 3; k++) dup3(park_fd, slot[k], O_CLOEXEC);
  give_slots(set);
  return rc;
}

int ctfs_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
  return ctfs_spawn_in(path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, -1, pid);
}

int ctfs_spawn_in(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int stdin_fd, int stdout_fd, int stderr_fd, int cgroup_fd, pid_t *pid) {
  int fast = spawn_fast(path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, cgroup_fd, pid);
  if (fast != -1) return fast;
  int rc = ctfs_spawn_posix(path, argv, envp, cwd, stdin_fd, stdout_fd, stderr_fd, pid);
  /* posix_spawn runs no code of ours in the child: it joins the cgroup just after (a child
   * forking at once can leave one process outside; the subreaper still finds it). */
  if (rc == 0 && cgroup_fd >= 0) dprintf(cgroup_fd, "%d", (int)*pid);
  return rc;
}

int ctfs_spawn_posix(const char *path, char *const argv[], char *const envp[], const char *cwd,
                     int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid) {
  posix_spawnattr_t attr;
  posix_spawn_file_actions_t actions;
  int rc = posix_spawnattr_init(&attr);
  if (rc != 0) return rc;
  rc = posix_spawn_file_actions_init(&actions);
  if (rc != 0) {
    posix_spawnattr_destroy(&attr);
    return rc;
  }
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK |
                                      POSIX_SPAWN_SETSIGDEF);
  posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
  posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  if (cwd != NULL) posix_spawn_file_actions_addchdir_np(&actions, cwd);
  rc = posix_spawn(pid, path, &actions, &attr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  return rc;
}
