#include "cli/plan_rollout.h"

#include <algorithm>

#include "apply/reload_wait.h"
#include "observed/manifest.h"
#include "pki/ca_database.h"
#include "pki/random.h"

namespace certgate::cli {
namespace {

std::vector<const DeployTarget*> rollout_order(const PlanRun& run) {
  std::vector<const DeployTarget*> order;
  for (const DeployTarget& t : run.targets) order.push_back(&t);
  auto line_of = [&](const DeployTarget* t) {
    const int unreachable = t->target ? 0 : 1 << 30;
    for (const desired::Host& h : run.loaded.state.hosts)
      if (h.name == t->name) return unreachable + h.loc.line;
    return unreachable;
  };
  std::stable_sort(order.begin(), order.end(), [&](const DeployTarget* a, const DeployTarget* b) {
    return line_of(a) < line_of(b);
  });
  return order;
}

// `t`'s actions of the plan as a deploy request, with what it holds afterwards.
Result<void> fill(const PlanRun& run, const plan::TargetWant& want, base::Instant now,
                  apply::RolloutTarget& out) {
  const std::string prefix = want.dir + "/";
  for (const auto& [rel, f] : want.files) out.holds[rel] = f.sha256;
  for (const plan::Action& a : run.plan.actions) {
    if (a.target != want.target || a.object != plan::ObjectKind::file) continue;
    out.deploys = true;
    if (a.kind != plan::ActionKind::file) continue;
    CG_CHECK(a.subject.starts_with(prefix));
    const std::string rel = a.subject.substr(prefix.size());
    out.request.expected[rel] = a.before;
    auto wanted = want.files.find(rel);
    if (wanted == want.files.end()) {  // not wanted: it goes
      out.request.changes[rel] = std::nullopt;
      continue;
    }
    const plan::WantedFile& f = wanted->second;
    if (f.sha256.empty())
      return make_error(Errc::invalid,
                        want.target + ": the bytes of " + rel + " are not known; nothing deployed");
    if (rel == "crl.pem") {
      const std::string ca = want.files.contains("ca.pem") ? want.files.at("ca.pem").bytes : "";
      if (auto r = apply::check_crl_deployable(f.bytes, ca, now); !r)
        return make_error(r.error().code, want.target + ": " + r.error().message);
    }
    // Bytes the plan could not know that came out as the target holds them already: nothing
    // to write (the file changes only when its content does).
    if (f.sha256 == a.before) continue;
    out.request.changes[rel] = f.bytes;
  }
  if (out.request.changes.empty()) {
    for (const observed::TargetFiles& t : run.observed.targets)
      if (t.target == want.target) out.deploys = out.deploys && t.has_interrupted_deploy;
    out.request.expected.clear();
    return {};
  }
  observed::Manifest m{run.generated_from, run.plan.inputs.commit, want.target, want.dir,
                       base::format_rfc3339(now)};
  m.files = out.holds;
  out.request.changes[observed::kManifestFile] = observed::format_manifest(m);
  return {};
}

// Whether a server answers at any probe of the target's sites (apply/deploy.h `serves`).
std::function<bool()> serves(const PlanRun& run, const DeployTarget& t) {
  std::vector<const desired::Site*> sites;
  for (const std::string& name : t.sites)
    if (const desired::Site* s = run.loaded.state.find_site(name); s && s->probe)
      sites.push_back(s);
  return [sites] {
    apply::GenerationWaitOptions once;
    once.consecutive = 1;
    once.max_without_header = 1;
    once.settle = std::chrono::milliseconds{200};
    return std::any_of(sites.begin(), sites.end(), [&](const desired::Site* s) {
      return apply::wait_for_generation(*s, {}, once).outcome !=
             apply::GenerationOutcome::cannot_check;
    });
  };
}

}  // namespace

Result<std::vector<apply::RolloutTarget>> rollout_targets(const PlanRun& run, base::Instant now) {
  std::vector<apply::RolloutTarget> out;
  for (const DeployTarget* t : rollout_order(run)) {
    if (t->is_pull) continue;  // published instead (cli/pull_hosts.h)
    apply::RolloutTarget r{t->name, t->target.get(), t->unreachable};
    r.request.dir = t->nginx.dir;
    r.request.test = t->nginx.test;
    r.request.reload = t->nginx.reload;
    r.request.group = t->nginx.worker_group;
    r.request.serves = serves(run, *t);
    r.request.first_deploy =
        !run.observed.last_applied || !run.observed.last_applied->deployed.contains(t->name);
    for (const plan::TargetWant& w : run.wants) {
      if (w.target != t->name) continue;
      if (auto filled = fill(run, w, now, r); !filled) return filled.error();
    }
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace certgate::cli
