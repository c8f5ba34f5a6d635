#include "sys/command_runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace certgate::sys {
namespace {

using Clock = std::chrono::steady_clock;

struct Pipes {
  int out[2] = {-1, -1};
  int err[2] = {-1, -1};
  ~Pipes() {
    for (int fd : {out[0], out[1], err[0], err[1]})
      if (fd >= 0) ::close(fd);
  }
};

[[noreturn]] void exec_child(const Command& command, const Pipes& p) {
  ::setpgid(0, 0);  // its own group, so a timeout kills the shell and what it started
  // The agent blocks SIGHUP/SIGTERM/SIGINT while a tick runs; the command must not inherit that.
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  int null = ::open("/dev/null", O_RDONLY);
  if (null >= 0) ::dup2(null, 0);
  ::dup2(p.out[1], 1);
  ::dup2(p.err[1], 2);
  ::execl("/bin/sh", "sh", "-c", command.shell.c_str(), static_cast<char*>(nullptr));
  ::_exit(127);
}

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain(int out_fd, int err_fd, Clock::time_point deadline, CommandOutput& result) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  char buf[4096];
  while (open > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;  // timeout, or poll itself failed: stop waiting either way
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[i]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        fds[i].fd = -1;
        --open;
      }
    }
  }
  return true;
}

}  // namespace

Result<CommandOutput> RealCommandRunner::run(const Command& command) {
  Pipes p;
  if (::pipe2(p.out, O_CLOEXEC) != 0 || ::pipe2(p.err, O_CLOEXEC) != 0)
    return make_error(Errc::io, "run " + command.shell + ": pipe: " + std::strerror(errno));
  const auto deadline = Clock::now() + command.timeout;
  pid_t pid = ::fork();
  if (pid < 0) return make_error(Errc::io, "run " + command.shell + ": " + std::strerror(errno));
  if (pid == 0) exec_child(command, p);
  ::setpgid(pid, pid);  // also here, so the kill below cannot race the child's own setpgid
  ::close(p.out[1]);
  p.out[1] = -1;
  ::close(p.err[1]);
  p.err[1] = -1;
  CommandOutput result;
  if (!drain(p.out[0], p.err[0], deadline, result)) {
    result.timed_out = true;
    ::kill(-pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::string describe_end(const CommandOutput& output, const Command& command) {
  if (output.timed_out) return "timed out after " + std::to_string(command.timeout.count()) + "s";
  if (output.exit_code > 128) return "killed by signal " + std::to_string(output.exit_code - 128);
  return "exit " + std::to_string(output.exit_code);
}

}  // namespace certgate::sys
