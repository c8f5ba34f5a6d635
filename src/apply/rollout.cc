#include "apply/rollout.h"

#include "apply/deploy.h"
#include "observed/observe.h"
#include "pki/ca_database.h"

namespace certgate::apply {

Result<RolloutReport> roll_out(const desired::DesiredState& desired,
                               const std::vector<RolloutTarget>& targets, sys::Filesystem& state_fs,
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
  for (const RolloutTarget& t : targets) {
    auto files = target_files(desired, t.sites, t.nginx.dir, *observed, *ca_pem, *crl_pem,
                              generated_from, now);
    if (!files) return files.error();
    DeployRequest req{t.nginx.dir, t.nginx.test, t.nginx.reload, std::move(*files)};
    auto result = deploy(*t.target, req);
    if (!result) {
      return make_error(result.error().code, t.target->name() + ": " + result.error().message);
    }
    report.deployed[t.target->name()] = result->deployed;
    report.files_written += static_cast<int>(result->written.size() + result->removed.size());
    if (result->reloaded) report.reloaded.push_back(t.target->name());
  }
  return report;
}

}  // namespace certgate::apply
