#ifndef CTFS_H
#define CTFS_H

#include <sys/types.h>
#include <stdint.h>

/// Starts `path` with `argv`/`envp` in a new session (pgid = sid = pid), working directory `cwd`,
/// stdin/stdout/stderr from the given descriptors, every other descriptor closed, an empty
/// signal mask and default dispositions. Returns 0 and sets *pid, or an errno value.
int ctfs_spawn(const char *path, char *const argv[], char *const envp[], const char *cwd,
               int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);
/// `ctfs_spawn` into a cgroup: the child writes itself into `cgroup_fd` (an open cgroup.procs,
/// or -1 for none) before anything else, so all it starts stays there; an error joining fails
/// the spawn with that errno.
int ctfs_spawn_in(const char *path, char *const argv[], char *const envp[], const char *cwd,
                  int stdin_fd, int stdout_fd, int stderr_fd, int cgroup_fd, pid_t *pid);
/// `ctfs_spawn`'s fallback on its own: the same child by `posix_spawn`, whose child also has
/// glibc's two internal real-time signals (32 and 33) ignored. `ctfs_spawn` uses it when the fast
/// path is off (see below); tests call it to cover that path.
int ctfs_spawn_posix(const char *path, char *const argv[], char *const envp[], const char *cwd,
                     int stdin_fd, int stdout_fd, int stderr_fd, pid_t *pid);

/// Reserves the low descriptors `ctfs_spawn`'s fast path parks each spawn's standard
/// descriptors in (it then copies no other descriptor into the child). Done at load time (a
/// constructor); calling it again does nothing. On kernels before 5.9 spawns use posix_spawn.
void ctfs_spawn_setup(void);
/// Whether spawns use the shared-table clone (1) or posix_spawn (0). TFS_SPAWN=posix_spawn in
/// the environment when the library loads turns the clone off.
int ctfs_spawn_fast_enabled(void);

/// Installs handlers for `signals` that write the signal number as one byte to `fd`
/// (the self-pipe trick: the daemon's poll loop reads it). Returns 0 or -1.
int ctfs_signal_pipe(int fd, const int *signals, int count);

/// A CLOCK_REALTIME timerfd (non-blocking, close-on-exec) that fires at absolute epoch
/// nanoseconds and reports clock jumps (TFD_TIMER_CANCEL_ON_SET). Returns the fd or -1.
int ctfs_timer_create(void);
int ctfs_timer_set(int fd, int64_t epoch_ns);
/// Reads the timer; returns 1 when it fired, 2 when the clock was set (jump), 0 otherwise.
int ctfs_timer_read(int fd);

/// Process start time (clock ticks since boot, field 22 of /proc/PID/stat) or -1; and whether
/// the process exists and is not a zombie.
int64_t ctfs_process_start(pid_t pid);
int ctfs_process_alive(pid_t pid);

/// pipe2(fds, O_CLOEXEC) with the read end non-blocking. Returns 0 or -1.
int ctfs_pipe(int fds[2]);

/// splice(2) of up to `len` bytes from the pipe `from` to `to` (a file, at its offset, or
/// /dev/null), never waiting for the pipe: bytes moved, 0 at end of file, or -1 with errno
/// (EAGAIN: the pipe is empty).
ssize_t ctfs_splice(int from, int to, size_t len);
/// Asks for a pipe buffer of `size` bytes (F_SETPIPE_SZ); returns the buffer's size after it
/// (unchanged when refused: above /proc/sys/fs/pipe-max-size, or the user's pipe pages used up).
int ctfs_pipe_grow(int fd, int size);

/// Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER): the orphans of its children's
/// descendants are reparented to it instead of init. Returns 0 or -1.
int ctfs_become_subreaper(void);
/// The pids of the children of this process's main thread (/proc/self/task/PID/children), up
/// to `max` of them into `out`. Returns how many, or -1 when the kernel does not list them.
int ctfs_children(pid_t *out, int max);
/// Whether the cgroup folder `path` carries systemd's delegation mark (the `trusted.delegate`
/// or `user.delegate` attribute set to 1, as under `Delegate=yes`).
int ctfs_cgroup_delegated(const char *path);

#endif
