#define _GNU_SOURCE
#include "ctfs.h"

/* Processes seen through /proc, the subreaper, and cgroup delegation. */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/xattr.h>
#include <unistd.h>

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

int ctfs_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

int ctfs_children(pid_t *out, int max) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/task/%d/children", (int)getpid());
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  int count = 0;
  long pid = 0;
  int digits = 0;
  char buffer[4096];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
    for (ssize_t i = 0; i < n; i++) {
      if (buffer[i] >= '0' && buffer[i] <= '9') {
        pid = pid * 10 + (buffer[i] - '0');
        digits = 1;
      } else if (digits) {
        if (count < max) out[count] = (pid_t)pid;
        count++;
        pid = 0;
        digits = 0;
      }
    }
  }
  if (digits) {
    if (count < max) out[count] = (pid_t)pid;
    count++;
  }
  close(fd);
  return count < max ? count : max;
}

int ctfs_cgroup_delegated(const char *path) {
  const char *names[] = {"trusted.delegate", "user.delegate"};
  for (int i = 0; i < 2; i++) {
    char value[8];
    ssize_t n = getxattr(path, names[i], value, sizeof value);
    if (n == 1 && value[0] == '1') return 1;
  }
  return 0;
}
