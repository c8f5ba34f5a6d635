#include "apply/rollout.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

namespace certgate::apply {
namespace {

TargetResult deploy_one(const RolloutTarget& t) {
  TargetResult out{t.name, TargetOutcome::failed, "", 0, false, false};
  if (!t.target) {
    out.error = t.unreachable;
    return out;
  }
  if (!t.deploys) {
    out.outcome = TargetOutcome::unchanged;
    return out;
  }
  auto result = deploy(*t.target, t.request);
  if (!result) {
    out.error = result.error().message;
    spdlog::error("deploy failed target={} error={}", t.name, out.error);
    return out;
  }
  out.files = static_cast<int>(result->written.size() + result->removed.size());
  out.reloaded = result->reloaded;
  out.nginx_not_running = result->nginx_not_running;
  out.outcome = out.files > 0 || out.reloaded ? TargetOutcome::deployed : TargetOutcome::unchanged;
  return out;
}

// The groups the targets are deployed in: `canary` groups of one, then groups of `batch`.
std::vector<std::vector<size_t>> stages(size_t count, const desired::Rollout& policy) {
  std::vector<std::vector<size_t>> out;
  size_t i = 0;
  for (; i < count && i < static_cast<size_t>(std::max(0, policy.canary)); ++i) out.push_back({i});
  const size_t batch = static_cast<size_t>(std::max(1, policy.batch));
  while (i < count) {
    std::vector<size_t> group;
    for (; i < count && group.size() < batch; ++i) group.push_back(i);
    out.push_back(std::move(group));
  }
  return out;
}

}  // namespace

int RolloutReport::failures() const {
  return static_cast<int>(std::count_if(results.begin(), results.end(), [](const TargetResult& r) {
    return r.outcome == TargetOutcome::failed;
  }));
}

RolloutReport roll_out(const std::vector<RolloutTarget>& targets, const desired::Rollout& policy) {
  RolloutReport report;
  report.results.resize(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) report.results[i].target = targets[i].name;
  for (const std::vector<size_t>& group : stages(targets.size(), policy)) {
    if (report.failures() > policy.max_failures) {
      report.stopped = true;
      break;
    }
    if (group.size() == 1) {
      report.results[group[0]] = deploy_one(targets[group[0]]);
    } else {
      // One thread per target of the batch: each owns its target (and SSH session) meanwhile.
      std::vector<std::thread> threads;
      for (size_t i : group)
        threads.emplace_back([&, i] { report.results[i] = deploy_one(targets[i]); });
      for (std::thread& th : threads) th.join();
    }
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const TargetResult& r = report.results[i];
    if (r.outcome == TargetOutcome::failed || r.outcome == TargetOutcome::skipped) continue;
    report.deployed[r.target] = targets[i].holds;
    report.files_written += r.files;
    if (r.reloaded) report.reloaded.push_back(r.target);
    if (r.nginx_not_running) report.not_running.push_back(r.target);
  }
  return report;
}

std::string rollout_summary(const RolloutReport& report) {
  int counts[4] = {0, 0, 0, 0};
  for (const TargetResult& r : report.results) ++counts[static_cast<int>(r.outcome)];
  std::string out = "Rollout: " + std::to_string(counts[1]) + " deployed, " +
                    std::to_string(counts[0]) + " unchanged, " + std::to_string(counts[2]) +
                    " failed, " + std::to_string(counts[3]) + " not attempted";
  if (report.stopped) out += " (stopped: more failures than [rollout].max_failures)";
  out += "\n";
  for (const TargetResult& r : report.results) {
    if (r.outcome == TargetOutcome::failed) {
      std::string first_line = r.error.substr(0, r.error.find('\n'));
      out += "  failed         " + r.target + ": " + first_line + "\n";
    } else if (r.outcome == TargetOutcome::skipped) {
      out += "  not attempted  " + r.target + ": left untouched\n";
    }
  }
  return out;
}

}  // namespace certgate::apply
