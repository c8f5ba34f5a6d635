// targets::Target: a machine certgate deploys nginx files to, seen as a name, a filesystem and a
// command runner. apply/ and observed/ see only this interface, so the same code writes to this
// machine ("local") and, through an SSH session, to a [[host]].
#pragma once

#include <string>

#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::targets {

class Target {
 public:
  virtual ~Target() = default;
  // "local" or the [[host]] name, as plans and logs spell the target.
  virtual const std::string& name() const = 0;
  virtual sys::Filesystem& fs() = 0;
  virtual sys::CommandRunner& runner() = 0;
};

// This machine, through the given filesystem and runner (real ones in cli/, fakes in tests).
// Borrows both; they must outlive it.
class LocalTarget final : public Target {
 public:
  LocalTarget(sys::Filesystem& fs, sys::CommandRunner& runner) : fs_(fs), runner_(runner) {}
  const std::string& name() const override { return name_; }
  sys::Filesystem& fs() override { return fs_; }
  sys::CommandRunner& runner() override { return runner_; }

 private:
  std::string name_ = "local";
  sys::Filesystem& fs_;
  sys::CommandRunner& runner_;
};

}  // namespace certgate::targets
