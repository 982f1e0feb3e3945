#define _GNU_SOURCE
#include "ctfs.h"

/* The daemon loop's descriptors: the signal self-pipe, the wall-clock timer, the runs' pipes. */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

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

int ctfs_pipe(int fds[2]) {
  if (pipe2(fds, O_CLOEXEC) != 0) return -1;
  return fcntl(fds[0], F_SETFL, O_NONBLOCK);
}

ssize_t ctfs_splice(int from, int to, size_t len) {
  return splice(from, NULL, to, NULL, len, SPLICE_F_NONBLOCK);
}

int ctfs_pipe_grow(int fd, int size) {
  int got = fcntl(fd, F_SETPIPE_SZ, size);
  return got >= 0 ? got : fcntl(fd, F_GETPIPE_SZ);
}
