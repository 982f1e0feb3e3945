#define _GNU_SOURCE
#include "ctfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

int ctfs_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
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

static int signal_fd = -1;

static void on_signal(int signo) {
  int saved = errno;
  unsigned char byte = (unsigned char)signo;
  ssize_t ignored = write(signal_fd, &byte, 1);
  (void)ignored;
  errno = saved;
}

int ctfs_signal_pipe(int fd, const int *signals, int count) {
  signal_fd = fd;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  for (int i = 0; i < count; i++) {
    if (sigaction(signals[i], &action, NULL) != 0) return -1;
  }
  return 0;
}

int ctfs_timer_create(void) {
  return timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC);
}

int ctfs_timer_set(int fd, int64_t epoch_ns) {
  struct itimerspec spec;
  memset(&spec, 0, sizeof spec);
  if (epoch_ns <= 0) epoch_ns = 1;
  spec.it_value.tv_sec = epoch_ns / 1000000000;
  spec.it_value.tv_nsec = epoch_ns % 1000000000;
  return timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, NULL);
}

int ctfs_timer_read(int fd) {
  uint64_t expirations = 0;
  ssize_t n = read(fd, &expirations, sizeof expirations);
  if (n == sizeof expirations) return 1;
  if (n < 0 && errno == ECANCELED) return 2;
  return 0;
}

static int read_stat(pid_t pid, char *state, int64_t *start) {
  char path[64];
  char buffer[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  ssize_t n = read(fd, buffer, sizeof buffer - 1);
  close(fd);
  if (n <= 0) return -1;
  buffer[n] = 0;
  char *p = strrchr(buffer, ')');  // the command name may contain spaces and parentheses
  if (p == NULL || p[1] == 0) return -1;
  p += 2;
  *state = *p;
  // Fields after ')' start at field 3 (state); starttime is field 22.
  for (int field = 3; field < 22; field++) {
    p = strchr(p, ' ');
    if (p == NULL) return -1;
    p++;
  }
  *start = strtoll(p, NULL, 10);
  return 0;
}

int64_t ctfs_process_start(pid_t pid) {
  char state;
  int64_t start;
  return read_stat(pid, &state, &start) == 0 ? start : -1;
}

int ctfs_process_alive(pid_t pid) {
  char state;
  int64_t start;
  if (read_stat(pid, &state, &start) != 0) return 0;
  return state != 'Z' && state != 'X';
}

int ctfs_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}
