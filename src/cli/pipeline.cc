#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include <chrono>

#include "observed/observe.h"
#include "pki/ca_database.h"
#include "pki/random.h"
#include "plan/deploy.h"
#include "render/nginx_files.h"

namespace certgate::cli {

namespace {

plan::PlanInputs plan_inputs(const Loaded& loaded, const observed::ObservedState& observed) {
  plan::PlanInputs in;
  in.source = loaded.snapshot.description;
  in.commit = loaded.snapshot.commit.value_or("");
  in.state_dir = observed.state_dir;
  in.fingerprints["source:" + loaded.snapshot.file_path] = pki::sha256_hex(loaded.snapshot.text);
  for (const desired::Device& d : loaded.state.devices) {
    if (d.has_csr()) in.fingerprints["source:" + *d.csr_path] = pki::sha256_hex(d.csr_pem);
  }
  for (const auto& [name, sha] : observed.fingerprints) in.fingerprints["state:" + name] = sha;
  for (const observed::TargetFiles& t : observed.targets) {
    for (const auto& [rel, f] : t.files)
      in.fingerprints["target:" + t.target + ":" + rel] = f.sha256;
  }
  return in;
}

std::string generated_from(const source::SourceSnapshot& s) {
  if (s.commit) return "git commit " + *s.commit;
  return s.description + " (sha256 " + pki::sha256_hex(s.text).substr(0, 16) + ")";
}

// Where the nginx files go: nowhere without sites (a bare CA); this machine without [[host]].
// TODO(#6): [[host]] targets over SSH.
std::vector<DeployTarget> deploy_targets(const desired::DesiredState& desired, sys::Filesystem& fs,
                                         sys::CommandRunner& runner) {
  std::vector<DeployTarget> out;
  if (desired.sites.empty() || !desired.hosts.empty()) return out;
  DeployTarget t{std::make_unique<targets::LocalTarget>(fs, runner), desired.nginx, {}};
  for (const desired::Site& s : desired.sites) t.sites.push_back(s.name);
  out.push_back(std::move(t));
  return out;
}

// What each target should hold once `plan` has run, with the serials it leaves live. ca.pem and
// crl.pem are known now unless the plan signs them anew (their sha256 is then left empty).
std::vector<plan::TargetWant> wants(const PlanRun& run, sys::Filesystem& fs, base::Instant now) {
  render::NginxInputs in;
  in.generated_from = run.generated_from;
  in.crl_number = plan::crl_number_after(run.plan, run.observed);
  in.now = now;
  for (auto& [device, serial] : plan::live_certs_after(run.plan, run.observed, now))
    in.certs.push_back({device, serial});
  pki::CaDatabase db(fs, run.observed.state_dir);
  const bool new_ca = !run.observed.ca.exists;
  const bool new_crl = run.plan.count(plan::ActionKind::crl) > 0;
  if (auto pem = fs.read(db.cert_path()); pem && !new_ca) in.ca_pem = std::move(*pem);
  if (auto pem = fs.read(db.crl_path()); pem && !new_crl) in.crl_pem = std::move(*pem);
  std::vector<plan::TargetWant> out;
  for (const DeployTarget& t : run.targets) {
    plan::TargetWant w{t.target->name(), t.nginx.dir, t.nginx.test, t.nginx.reload, {}};
    in.dir = t.nginx.dir;
    for (auto& [rel, text] : render::nginx_files(run.loaded.state, t.sites, in)) {
      std::string sha = pki::sha256_hex(text);
      // PEM files are compared whole; a line count of base64 would tell a reviewer nothing.
      if (rel.ends_with(".pem")) text.clear();
      w.files[rel] = {std::move(sha), std::move(text)};
    }
    if (!in.ca_pem) w.files["ca.pem"] = {};
    if (!in.crl_pem) w.files["crl.pem"] = {};
    out.push_back(std::move(w));
  }
  return out;
}

}  // namespace

std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    sys::CommandRunner& runner, const plan::PlanOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  const auto t0 = Clock::now();
  auto loaded = load_and_report(g, now, fs);
  if (!loaded) return std::nullopt;
  const auto t1 = Clock::now();
  auto observed = observed::observe(fs, absolute_state_dir(g), loaded->state, now);
  if (!observed) {
    fail(observed.error().message);
    return std::nullopt;
  }
  PlanRun run{std::move(*loaded), std::move(*observed), {}, {}, ""};
  run.targets = deploy_targets(run.loaded.state, fs, runner);
  for (DeployTarget& t : run.targets) {
    auto files = observed::observe_deployed(*t.target, t.nginx.dir);
    if (!files) {
      fail(t.target->name() + ": " + files.error().message);
      return std::nullopt;
    }
    run.observed.targets.push_back(std::move(*files));
  }
  const auto t2 = Clock::now();
  run.generated_from = generated_from(run.loaded.snapshot);
  plan::PlanInputs inputs = plan_inputs(run.loaded, run.observed);
  run.plan = plan::compute_plan(run.loaded.state, run.observed, inputs, options, now);
  const auto t3 = Clock::now();
  plan::add_deploy_actions(wants(run, fs, now), run.observed, run.plan);
  spdlog::debug("timing load_ms={:.1f} observe_ms={:.1f} plan_ms={:.1f} render_compare_ms={:.1f}",
                ms(t0, t1), ms(t1, t2), ms(t2, t3), ms(t3, Clock::now()));
  if (!run.loaded.state.hosts.empty() && !run.loaded.state.sites.empty())
    run.plan.notes.push_back(
        "the nginx files are not deployed: rollout to [[host]] targets over SSH is not built "
        "yet (#6)");
  return run;
}

}  // namespace certgate::cli
