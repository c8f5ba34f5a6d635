#include "support/apply_run.h"

#include "apply/recover.h"
#include "cli/pipeline.h"
#include "cli/plan_rollout.h"
#include "observed/deployed.h"
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
  auto observed = observed::observe(fs, kStateDir, desired, now);
  if (!observed) return observed.error();
  source::SourceSnapshot snap;
  snap.kind = "file";
  snap.description = "file certgate.toml";
  snap.file_path = "certgate.toml";
  snap.text = "test";
  snap.tree = source::make_filesystem_tree(fs, "/");
  cli::PlanRun run{{snap, desired}, std::move(*observed), {}, {}, "", nullptr};
  if (!desired.sites.empty()) {
    cli::DeployTarget t{
        "local", std::make_unique<targets::LocalTarget>(fs, runner), "", desired.nginx, {}};
    for (const desired::Site& s : desired.sites) t.sites.push_back(s.name);
    auto files = observed::observe_deployed(*t.target, t.nginx.dir);
    if (!files) return files.error();
    run.observed.targets.push_back(std::move(*files));
    run.targets.push_back(std::move(t));
  }
  if (!cli::plan_run(run, fs, now, {})) return make_error(Errc::invalid, "plan failed");
  ApplyRun out;
  apply::ApplyContext ctx{fs, kStateDir, now, 2};
  auto pki = apply::apply_pki(run.plan, desired, run.observed, ctx);
  if (!pki) return pki.error();
  out.pki = std::move(*pki);
  if (auto r = cli::resolve_wants(run, fs, now, out.pki.new_serials); !r) return r.error();
  auto targets = cli::rollout_targets(run, now);
  if (!targets) return targets.error();
  out.rollout = apply::roll_out(*targets, desired.rollout);
  if (out.rollout.failures() > 0)
    return make_error(Errc::io, "deploy failed: " + out.rollout.results.front().error);
  observed::AppliedRecord record{
      "file certgate.toml", "", pki::sha256_hex("test"), now, out.rollout.deployed, {}, {}, {}};
  if (auto r = apply::record_applied(fs, kStateDir, record); !r) return r.error();
  return out;
}

}  // namespace certgate::testing
