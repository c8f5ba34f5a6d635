// The deploy stage of apply: after the PKI actions, bring every target's nginx files to what the
// CA database now says (level-triggered: re-read, re-render, compare, deploy), one target after
// the other. Canary and batches for [[host]] targets come with TODO(#6).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "sys/filesystem.h"
#include "targets/target.h"

namespace certgate::apply {

struct RolloutTarget {
  targets::Target* target = nullptr;  // borrowed
  desired::NginxSpec nginx;
  std::vector<std::string> sites;
};

struct RolloutReport {
  // target -> path relative to its dir -> sha256 of the file now deployed (for state.json).
  std::map<std::string, std::map<std::string, std::string>> deployed;
  std::vector<std::string> reloaded;  // targets reloaded
  int files_written = 0;
};

// Re-observes the CA database in `state_dir` (through `state_fs`), renders each target's files
// (deploy.h target_files) and deploys them. Stops at the first target that fails, with its
// error; targets already deployed stay deployed (each one is whole: its files and its reload).
Result<RolloutReport> roll_out(const desired::DesiredState& desired,
                               const std::vector<RolloutTarget>& targets, sys::Filesystem& state_fs,
                               const std::string& state_dir, const std::string& generated_from,
                               base::Instant now);

}  // namespace certgate::apply
