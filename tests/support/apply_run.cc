#include "support/apply_run.h"

#include "apply/recover.h"
#include "observed/observe.h"
#include "pki/random.h"
#include "plan/planner.h"
#include "targets/target.h"

namespace certgate::testing {

desired::DesiredState desired_with_devices(int devices) {
  desired::DesiredState s;
  s.ca.common_name = "Test CA";
  for (int i = 0; i < devices; ++i) {
    desired::Device d;
    d.name = "dev-" + std::to_string(100 + i);
    d.owner = d.name + "@example.com";
    s.devices.push_back(d);
  }
  return s;
}

Result<apply::ApplyReport> apply_pki_once(sys::Filesystem& fs, const desired::DesiredState& desired,
                                          base::Instant now) {
  auto observed = observed::observe(fs, kStateDir, desired, now);
  if (!observed) return observed.error();
  apply::ApplyContext ctx{fs, kStateDir, now, 2};
  return apply::apply_pki(plan::compute_plan(desired, *observed, {}, {}, now), desired, *observed,
                          ctx);
}

Result<ApplyRun> apply_once(sys::Filesystem& fs, sys::CommandRunner& runner,
                            const desired::DesiredState& desired, base::Instant now) {
  if (auto r = apply::recover(fs, kStateDir); !r) return r.error();
  ApplyRun run;
  auto pki = apply_pki_once(fs, desired, now);
  if (!pki) return pki.error();
  run.pki = std::move(*pki);
  targets::LocalTarget local(fs, runner);
  std::vector<std::string> sites;
  for (const desired::Site& s : desired.sites) sites.push_back(s.name);
  std::vector<apply::RolloutTarget> targets{{"local", &local, "", desired.nginx, sites}};
  auto rollout = apply::roll_out(desired, targets, desired.rollout, fs, kStateDir, "test", now);
  if (!rollout) return rollout.error();
  if (rollout->failures() > 0)
    return make_error(Errc::io, "deploy failed: " + rollout->results.front().error);
  run.rollout = std::move(*rollout);
  observed::AppliedRecord record{
      "file certgate.toml", "", pki::sha256_hex("test"), now, run.rollout.deployed, {}, {}, {}};
  if (auto r = apply::record_applied(fs, kStateDir, record); !r) return r.error();
  return run;
}

}  // namespace certgate::testing
