// FakeRunner: a sys::CommandRunner for unit tests. It records every command it is asked to run
// and answers from a script: the first rule whose text the command contains decides the result
// (success with no output by default). A rule may also call `effect` to change a fake filesystem,
// as a real `nginx -s reload` would change the world.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sys/command_runner.h"

namespace certgate::testing {

class FakeRunner final : public sys::CommandRunner {
 public:
  struct Rule {
    std::string contains;
    sys::CommandOutput output;
    std::function<void()> effect;
  };

  void on(std::string contains, int exit_code, std::string err = "") {
    sys::CommandOutput out;
    out.exit_code = exit_code;
    out.err = std::move(err);
    rules_.push_back({std::move(contains), std::move(out), nullptr});
  }

  // As on(), and `effect` runs each time such a command does (before it returns).
  void on(std::string contains, int exit_code, std::function<void()> effect) {
    on(std::move(contains), exit_code);
    rules_.back().effect = std::move(effect);
  }

  Result<sys::CommandOutput> run(const sys::Command& command) override {
    ran.push_back(command.shell);
    for (const Rule& r : rules_) {
      if (command.shell.find(r.contains) == std::string::npos) continue;
      if (r.effect) r.effect();
      return r.output;
    }
    return sys::CommandOutput{};
  }

  std::vector<std::string> ran;

 private:
  std::vector<Rule> rules_;
};

}  // namespace certgate::testing
