// sys::CommandRunner: the one way certgate runs another program (`nginx -t`, `nginx -s reload`).
//
// [nginx].test and .reload are shell strings from the desired state, run with `/bin/sh -c` on
// the target, always under a timeout: a hung nginx must not hang the agent. Tests use FakeRunner
// (tests/support/), which records every command and answers from a script.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"

namespace certgate::sys {

struct Command {
  std::string shell;  // run as `/bin/sh -c shell`
  std::chrono::seconds timeout{120};
};

struct CommandOutput {
  int exit_code = 0;  // 128 + N when killed by signal N
  bool timed_out = false;
  std::string out;
  std::string err;

  bool succeeded() const { return exit_code == 0 && !timed_out; }
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;

  // Runs `command` to completion and returns its exit code and output; a command that fails is
  // a value, not an error. Errc::io only when it cannot be started. On timeout the command's
  // process group is killed and `timed_out` is set.
  virtual Result<CommandOutput> run(const Command& command) = 0;
};

// Runs commands on this machine: fork, /bin/sh -c in its own process group, stdout and stderr
// captured through pipes (stdin is /dev/null).
class RealCommandRunner final : public CommandRunner {
 public:
  Result<CommandOutput> run(const Command& command) override;
};

// "exit 1", "timed out after 120s", "killed by signal 9": how a command ended, for messages.
std::string describe_end(const CommandOutput& output, const Command& command);

}  // namespace certgate::sys
