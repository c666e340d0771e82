// An LD_PRELOAD shim that makes the gateway's writes or flushes fail, as a failing disk would.
// LMDB (0.9.24, without MDB_WRITEMAP) writes pages with pwrite, or lseek + writev for runs of
// pages, flushes with fdatasync and writes the meta page with pwrite on an O_DSYNC descriptor;
// the shim also covers pwritev, fsync and msync for builds that use them.
//
// Environment:
//   CHECKIN_FAULT_CALL   comma-separated: pwrite, writev, pwritev, fdatasync, fsync, msync;
//                        "write" stands for pwrite, writev and pwritev. Unset: the shim is idle.
//   CHECKIN_FAULT_PATH   only descriptors whose /proc/self/fd link contains this (msync: any).
//   CHECKIN_FAULT_ARM    a file: calls are counted and failed only while it exists, so a test
//                        can let start-up pass and aim at one request.
//   CHECKIN_FAULT_AFTER  matching calls that still succeed once armed (default 0).
//   CHECKIN_FAULT_TIMES  matching calls that then fail (default 1; 0 = every one after). One
//                        failure is what the kernel reports after a lost writeback: the next
//                        fsync succeeds.
//   CHECKIN_FAULT_ERRNO  the errno set (default EIO).
// Each failure prints one line "io_fault_shim: <call> failed" on stderr.
#include <dlfcn.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace {

enum : int {
  call_pwrite = 1,
  call_writev = 2,
  call_pwritev = 4,
  call_fdatasync = 8,
  call_fsync = 16,
  call_msync = 32
};

int selected_calls() {
  static int calls = -1;
  if (calls >= 0) return calls;
  int c = 0;
  const char* list = getenv("CHECKIN_FAULT_CALL");
  char copy[256];
  snprintf(copy, sizeof copy, "%s", list ? list : "");
  char* rest = nullptr;
  for (char* name = strtok_r(copy, ",", &rest); name; name = strtok_r(nullptr, ",", &rest)) {
    if (!strcmp(name, "write")) c |= call_pwrite | call_writev | call_pwritev;
    if (!strcmp(name, "pwrite")) c |= call_pwrite;
    if (!strcmp(name, "writev")) c |= call_writev;
    if (!strcmp(name, "pwritev")) c |= call_pwritev;
    if (!strcmp(name, "fdatasync")) c |= call_fdatasync;
    if (!strcmp(name, "fsync")) c |= call_fsync;
    if (!strcmp(name, "msync")) c |= call_msync;
  }
  calls = c;
  return calls;
}

long env_long(const char* name, long fallback) {
  const char* v = getenv(name);
  return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

bool fd_matches(int fd) {
  const char* want = getenv("CHECKIN_FAULT_PATH");
  if (!want || !*want || fd < 0) return true;
  char link[64];
  char target[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  const ssize_t n = readlink(link, target, sizeof target - 1);
  if (n <= 0) return false;
  target[n] = '\0';
  return std::strstr(target, want) != nullptr;
}

long matched_calls = 0;

// true when this call must fail (errno is then set).
bool should_fail(int call, int fd, const char* name) {
  if (!(selected_calls() & call)) return false;
  const char* arm = getenv("CHECKIN_FAULT_ARM");
  if (arm && *arm && access(arm, F_OK) != 0) return false;
  if (call != call_msync && !fd_matches(fd)) return false;
  const long n = __atomic_fetch_add(&matched_calls, 1, __ATOMIC_SEQ_CST);
  const long after = env_long("CHECKIN_FAULT_AFTER", 0);
  const long times = env_long("CHECKIN_FAULT_TIMES", 1);
  if (n < after || (times > 0 && n >= after + times)) return false;
  char line[96];
  const int len = snprintf(line, sizeof line, "io_fault_shim: %s failed\n", name);
  if (len > 0 && ::write(2, line, static_cast<std::size_t>(len)) < 0) {
    // stderr is gone; the failure itself is what matters
  }
  errno = static_cast<int>(env_long("CHECKIN_FAULT_ERRNO", EIO));
  return true;
}

template <class Fn>
Fn real(const char* name) {
  return reinterpret_cast<Fn>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

ssize_t pwrite(int fd, const void* buf, size_t count, off_t offset) {
  if (should_fail(call_pwrite, fd, "pwrite")) return -1;
  return real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite")(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void* buf, size_t count, off_t offset) {
  if (should_fail(call_pwrite, fd, "pwrite")) return -1;
  return real<ssize_t (*)(int, const void*, size_t, off_t)>("pwrite64")(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec* iov, int iovcnt) {
  if (should_fail(call_writev, fd, "writev")) return -1;
  return real<ssize_t (*)(int, const struct iovec*, int)>("writev")(fd, iov, iovcnt);
}

ssize_t pwritev(int fd, const struct iovec* iov, int iovcnt, off_t offset) {
  if (should_fail(call_pwritev, fd, "pwritev")) return -1;
  return real<ssize_t (*)(int, const struct iovec*, int, off_t)>("pwritev")(fd, iov, iovcnt,
                                                                            offset);
}

int fdatasync(int fd) {
  if (should_fail(call_fdatasync, fd, "fdatasync")) return -1;
  return real<int (*)(int)>("fdatasync")(fd);
}

int fsync(int fd) {
  if (should_fail(call_fsync, fd, "fsync")) return -1;
  return real<int (*)(int)>("fsync")(fd);
}

int msync(void* addr, size_t length, int flags) {
  if (should_fail(call_msync, -1, "msync")) return -1;
  return real<int (*)(void*, size_t, int)>("msync")(addr, length, flags);
}

}  // extern "C"
