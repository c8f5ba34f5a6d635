#include "apply/rollout.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <thread>

#include "apply/deploy.h"
#include "observed/observe.h"
#include "pki/ca_database.h"
#include "pki/random.h"

namespace certgate::apply {
namespace {

TargetResult deploy_one(const RolloutTarget& t, const std::map<std::string, std::string>& files) {
  TargetResult out{t.name, TargetOutcome::failed, "", 0, false};
  if (!t.target) {
    out.error = t.unreachable;
    return out;
  }
  DeployRequest request{t.nginx.dir, t.nginx.test, t.nginx.reload, files};
  request.group = t.nginx.worker_group;
  auto result = deploy(*t.target, request);
  if (!result) {
    out.error = result.error().message;
    spdlog::error("deploy failed target={} error={}", t.name, out.error);
    return out;
  }
  out.files = static_cast<int>(result->written.size() + result->removed.size());
  out.reloaded = result->reloaded;
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

Result<RolloutReport> roll_out(const desired::DesiredState& desired,
                               const std::vector<RolloutTarget>& targets,
                               const desired::Rollout& policy, sys::Filesystem& state_fs,
                               const std::string& state_dir, const std::string& generated_from,
                               base::Instant now) {
  RolloutReport report;
  if (targets.empty()) return report;
  auto observed = observed::observe(state_fs, state_dir, desired, now);
  if (!observed) return observed.error();
  pki::CaDatabase db(state_fs, state_dir);
  auto ca_pem = state_fs.read(db.cert_path());
  if (!ca_pem) return ca_pem.error();
  auto crl_pem = state_fs.read(db.crl_path());
  if (!crl_pem) return crl_pem.error();
  std::vector<std::map<std::string, std::string>> files;
  for (const RolloutTarget& t : targets) {
    auto f = target_files(desired, t.sites, t.nginx.dir, *observed, *ca_pem, *crl_pem,
                          generated_from, now, state_fs, t.nginx.worker_group);
    if (!f) return f.error();
    files.push_back(std::move(*f));
  }
  report.results.resize(targets.size());
  for (size_t i = 0; i < targets.size(); ++i) report.results[i].target = targets[i].name;
  for (const std::vector<size_t>& group : stages(targets.size(), policy)) {
    if (report.failures() > policy.max_failures) {
      report.stopped = true;
      break;
    }
    if (group.size() == 1) {
      report.results[group[0]] = deploy_one(targets[group[0]], files[group[0]]);
    } else {
      // One thread per target of the batch: each owns its target (and SSH session) meanwhile.
      std::vector<std::thread> threads;
      for (size_t i : group)
        threads.emplace_back([&, i] { report.results[i] = deploy_one(targets[i], files[i]); });
      for (std::thread& th : threads) th.join();
    }
  }
  for (size_t i = 0; i < targets.size(); ++i) {
    const TargetResult& r = report.results[i];
    if (r.outcome == TargetOutcome::failed || r.outcome == TargetOutcome::skipped) continue;
    auto& shas = report.deployed[r.target];
    for (const auto& [rel, bytes] : files[i]) shas[rel] = pki::sha256_hex(bytes);
    report.files_written += r.files;
    if (r.reloaded) report.reloaded.push_back(r.target);
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
