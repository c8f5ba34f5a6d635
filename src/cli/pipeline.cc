#include "cli/pipeline.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "apply/pickup_files.h"
#include "cli/observed_pipeline.h"
#include "cli/plan_inputs.h"
#include "cli/pull_hosts.h"
#include "observed/observe.h"
#include "observed/tiers.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "pki/random.h"
#include "plan/deploy.h"
#include "plan/rollover.h"
#include "plan/tiers.h"
#include "render/nginx_files.h"
#include "render/target_contents.h"
#include "sys/secret_file.h"
#include "targets/ssh_session.h"
#include "targets/ssh_target.h"

namespace certgate::cli {

namespace {

// SSH connections made at once when observing [[host]] targets.
constexpr size_t kConnectParallelism = 16;

std::string generated_from(const source::SourceSnapshot& s) {
  if (s.commit) return "git commit " + *s.commit;
  return s.description + " (sha256 " + pki::sha256_hex(s.text).substr(0, 16) + ")";
}

std::string known_hosts_path(const GlobalOptions& g) {
  if (!g.known_hosts.empty()) return g.known_hosts;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : "") + "/.ssh/known_hosts";
}

// Connects to a [[host]] and reads its deployed files; a failure makes it unreachable.
void connect_host(const desired::Host& host, const targets::SshAccess& access, DeployTarget& t,
                  observed::TargetFiles& files) {
  files.target = host.name;
  files.dir = host.nginx.dir;
  auto session = targets::connect_ssh({host.address, host.port, host.user}, access);
  if (!session) {
    t.unreachable = session.error().message;
  } else {
    t.target = std::make_unique<targets::SshTarget>(host.name, std::move(*session));
    auto observed = observed::observe_deployed(*t.target, host.nginx.dir);
    if (observed) {
      files = std::move(*observed);
      return;
    }
    t.unreachable = "read " + host.nginx.dir + ": " + observed.error().message;
    t.target.reset();
  }
  files.unreachable = t.unreachable;
  spdlog::warn("host unreachable target={} error={}", host.name, t.unreachable);
}

// Where the nginx files go, with what each holds now: nowhere without sites (a bare CA); this
// machine without [[host]]; else every host, connected to in parallel (a few at a time: each
// handshake costs the CA host a key exchange).
Result<void> deploy_targets(const GlobalOptions& g, PlanRun& run, sys::Filesystem& fs,
                            sys::CommandRunner& runner) {
  const desired::DesiredState& desired = run.loaded.state;
  if (desired.sites.empty()) return {};
  if (desired.hosts.empty()) {
    DeployTarget t{
        "local", std::make_unique<targets::LocalTarget>(fs, runner), "", desired.nginx, {}};
    for (const desired::Site& s : desired.sites) t.sites.push_back(s.name);
    auto files = observed::observe_deployed(*t.target, t.nginx.dir);
    if (!files) return make_error(files.error().code, "local: " + files.error().message);
    run.observed.targets.push_back(std::move(*files));
    run.targets.push_back(std::move(t));
    return {};
  }
  auto found = ssh_access(g, fs);
  if (!found) return found.error();
  const targets::SshAccess& access = *found;
  const size_t n = desired.hosts.size();
  run.targets.resize(n);
  std::vector<observed::TargetFiles> files(n);
  std::vector<size_t> push;  // the hosts connected to over SSH
  for (size_t i = 0; i < n; ++i) {
    const desired::Host& h = desired.hosts[i];
    run.targets[i].name = h.name;
    run.targets[i].nginx = h.nginx;
    run.targets[i].sites = h.sites;
    run.targets[i].is_pull = h.is_pull();
    if (!h.is_pull()) push.push_back(i);
  }
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t k = next++; k < push.size(); k = next++) {
      const size_t i = push[k];
      connect_host(desired.hosts[i], access, run.targets[i], files[i]);
    }
  };
  std::vector<std::thread> pool;
  for (size_t k = 0; k < std::min<size_t>(push.size(), kConnectParallelism); ++k)
    pool.emplace_back(worker);
  for (std::thread& th : pool) th.join();
  observe_pull_hosts(g, fs, run, files);
  for (observed::TargetFiles& f : files) run.observed.targets.push_back(std::move(f));
  std::sort(run.observed.targets.begin(), run.observed.targets.end(),
            [](const auto& a, const auto& b) { return a.target < b.target; });
  return {};
}

// The pickup/ files a target serving [enroll] should hold once the plan has run: what the state
// holds, except, before apply (`after_apply` false), the files of devices the plan issues or
// renews, known only once it has run.
Result<WantedPickup> wanted_pickup(const PlanRun& run, sys::Filesystem& fs,
                                   const std::set<std::string>& live, const DeployTarget& t,
                                   const std::optional<std::string>& ca_pem, bool after_apply) {
  const std::vector<std::string>& sites = t.sites;
  WantedPickup out;
  const desired::DesiredState& desired = run.loaded.state;
  if (!render::serves_enroll(desired, sites)) return out;
  if (run.snapshot) {
    out = snapshot_pickup(run, live, t);
  } else if (ca_pem) {
    auto files = apply::pickup_files(fs, run.observed.state_dir, desired, live, *ca_pem,
                                     run.observed.enroll_links, t.nginx.worker_group);
    if (!files) return files.error();
    static_cast<apply::PickupFiles&>(out) = std::move(*files);
  } else {  // no CA yet: its first apply makes the pickup files
    out.links = apply::servable_links(desired, live, run.observed.enroll_links);
    out.files["pickup/.group"] = t.nginx.worker_group + "\n";
    for (const render::EnrollLinkRef& link : out.links)
      out.unknown.push_back("pickup/" + link.device + ".html");
  }
  if (after_apply) return out;
  for (const plan::Action& a : run.plan.actions) {
    if (a.object != plan::ObjectKind::device ||
        (a.kind != plan::ActionKind::issue && a.kind != plan::ActionKind::renew))
      continue;
    const desired::Device* d = desired.find_device(a.subject);
    const std::string base = "pickup/" + a.subject;
    out.unknown.push_back(base + ".pem");
    if (d && !d->has_csr()) {
      out.unknown.push_back(base + ".p12");
      out.unknown.push_back(base + ".mobileconfig");
    }
  }
  return out;
}

// What the files of every target are rendered from once the plan has run: before apply, the
// certificates it leaves live (planned serials for those it issues) and its CRL number, with
// ca.pem and crl.pem unless it signs them anew; after apply, the same with the serials apply
// chose (`new_serials`) and the CA and CRL it wrote.
struct Facts {
  render::NginxInputs in;
  std::set<std::string> live;  // devices with a live certificate
  // The issuing CA's chain, which the bundles' profiles name (in.ca_pem also holds the outgoing
  // CA of a rollover).
  std::optional<std::string> issuing_pem;
};

Result<Facts> facts(const PlanRun& run, sys::Filesystem& fs, base::Instant now,
                    const std::map<std::string, std::string>* new_serials) {
  Facts f;
  f.in.crl_number = run.plan.crl_number;
  // The outgoing CA's CRL: the CA's own when the plan starts the rollover, none once it retires.
  f.in.previous_crl_number = run.observed.previous.crl.number;
  if (plan::starts_rollover(run.plan)) f.in.previous_crl_number = run.observed.crl.number;
  if (plan::retires_previous_ca(run.plan)) f.in.previous_crl_number = -1;
  if (const plan::Action* a = plan::previous_crl_action(run.plan))
    f.in.previous_crl_number = std::stol(a->after);
  f.in.now = now;
  for (auto& [device, serial] : plan::live_certs_after(run.plan, run.observed, now)) {
    f.live.insert(device);
    if (new_serials && serial == plan::kPlannedSerial) {
      auto it = new_serials->find(device);
      if (it == new_serials->end())
        return make_error(Errc::invalid, "apply issued no certificate for " + device);
      serial = it->second;
    }
    f.in.certs.push_back({device, serial});
  }
  if (new_serials)
    std::sort(f.in.certs.begin(), f.in.certs.end(),
              [](const auto& a, const auto& b) { return a.serial < b.serial; });
  const bool new_ca = plan::ca_pem_changes(run.observed, run.plan) && !new_serials;
  f.in.issuer_dns = plan::gate_issuer_dns(run.observed.tiers, run.plan);
  // A retired CA's CRL leaves crl.pem with it.
  const bool new_crl =
      (run.plan.count(plan::ActionKind::crl) > 0 || plan::retires_previous_ca(run.plan)) &&
      !new_serials;
  if (run.snapshot) {
    if (!new_ca && !run.snapshot->ca_pem.empty()) f.in.ca_pem = run.snapshot->ca_pem;
    if (!new_crl && !run.snapshot->crl_pem.empty()) f.in.crl_pem = run.snapshot->crl_pem;
  } else {
    // Two tiers: with the root and its CRL; a rollover: with the outgoing CA and its CRL.
    const std::string& state = run.observed.state_dir;
    if (auto pem = pki::nginx_trust_pem(fs, state); pem && !new_ca) f.in.ca_pem = std::move(*pem);
    if (auto pem = pki::nginx_crl_pem(fs, state); pem && !new_crl) f.in.crl_pem = std::move(*pem);
    if (auto pem = pki::CaDatabase(fs, state).read_trust_pem(); pem && !new_ca)
      f.issuing_pem = std::move(*pem);
  }
  return f;
}

// What `t` must hold, rendered from `f` (render/target_contents.h, the one place that decides).
Result<plan::TargetWant> target_want(const PlanRun& run, sys::Filesystem& fs, Facts& f,
                                     const DeployTarget& t, bool after_apply) {
  plan::TargetWant w{t.name, t.nginx.dir, t.nginx.test, t.nginx.reload, {}};
  if (t.is_pull && run.loaded.state.publish) {
    w.publish_repo = run.loaded.state.publish->repo;
    w.publish_branch = run.loaded.state.publish->branch;
  }
  f.in.dir = t.nginx.dir;
  auto pickup = wanted_pickup(run, fs, f.live, t, f.issuing_pem, after_apply);
  if (!pickup) return pickup.error();
  f.in.links = std::move(pickup->links);
  auto contents =
      render::target_contents(run.loaded.state, t.sites, f.in, pickup->files, pickup->unknown);
  for (auto& [rel, c] : contents) {
    std::string sha = c.known ? pki::sha256_hex(c.bytes) : "";
    w.files[rel] = {std::move(sha), std::move(c.bytes)};
  }
  for (const auto& [rel, sha] : pickup->digests) w.files[rel] = {sha, "", false};
  for (const std::string& rel : pickup->hidden) w.files[rel] = {"", "", true};
  // Without links the file names no token: its bytes are known, as on the CA host.
  if (run.snapshot && !f.in.links.empty()) settle_hidden_links(run, t, w);
  return w;
}

// What each target should hold once `plan` has run.
Result<std::vector<plan::TargetWant>> wants(const PlanRun& run, sys::Filesystem& fs,
                                            base::Instant now) {
  if (!plan::has_ca_after(run.loaded.state, run.observed, run.plan))
    return std::vector<plan::TargetWant>{};
  auto f = facts(run, fs, now, nullptr);
  if (!f) return f.error();
  std::vector<plan::TargetWant> out;
  for (const DeployTarget& t : run.targets) {
    if (!t.is_observed()) continue;  // unreachable: nothing to compare with
    auto w = target_want(run, fs, *f, t, false);
    if (!w) return w.error();
    out.push_back(std::move(*w));
  }
  return out;
}

}  // namespace

Result<targets::SshAccess> ssh_access(const GlobalOptions& g, sys::Filesystem& fs) {
  targets::SshAccess access;
  access.private_key = g.ssh_key;
  access.known_hosts_path = known_hosts_path(g);
  if (auto text = fs.read(access.known_hosts_path)) {
    access.known_hosts = std::move(*text);
  } else if (text.error().code != Errc::not_found) {
    return make_error(text.error().code, "--known-hosts: " + text.error().message);
  }
  return access;
}

std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    sys::CommandRunner& runner, const plan::PlanOptions& options) {
  using Clock = std::chrono::steady_clock;
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  // Whatever the command, a state directory others may enter is refused before it is read.
  if (auto r = sys::check_private(fs, absolute_state_dir(g)); !r) {
    fail(r.error().message);
    return std::nullopt;
  }
  const auto t0 = Clock::now();
  // The state directory is read while the desired state loads: neither needs the other (but
  // for the CSRs, observed once both are in).
  std::optional<Result<observed::ObservedState>> observed;
  std::thread reader([&] { observed = observed::observe_state(fs, absolute_state_dir(g), now); });
  auto loaded = load_and_report(g, now, fs);
  reader.join();
  if (!loaded) return std::nullopt;
  const auto t1 = Clock::now();
  if (!*observed) {
    fail(observed->error().message);
    return std::nullopt;
  }
  (*observed)->csrs = observed::observe_csrs(loaded->state);
  (*observed)->tiers = observed::observe_tiers(loaded->state.ca, **observed, now);
  PlanRun run{std::move(*loaded), std::move(**observed), {}, {}, "", nullptr};
  if (auto r = deploy_targets(g, run, fs, runner); !r) {
    fail(r.error().message);
    return std::nullopt;
  }
  const auto t2 = Clock::now();
  if (!plan_run(run, fs, now, options)) return std::nullopt;
  spdlog::debug("timing load_and_observe_ms={:.1f} targets_ms={:.1f} plan_and_render_ms={:.1f}",
                ms(t0, t1), ms(t1, t2), ms(t2, Clock::now()));
  return run;
}

bool plan_run(PlanRun& run, sys::Filesystem& fs, base::Instant now,
              const plan::PlanOptions& options) {
  run.generated_from = generated_from(run.loaded.snapshot);
  plan::PlanInputs inputs = plan_inputs(run.loaded, run.observed);
  const std::optional<desired::Publish>& publish = run.loaded.state.publish;
  // The tip the pull hosts' files were read from: a saved plan is stale once it moves.
  if (publish && !run.published_tip.empty())
    inputs.fingerprints["publish:" + publish->branch] = run.published_tip;
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  run.plan = plan::compute_plan(run.loaded.state, run.observed, inputs, options, now);
  const auto t1 = Clock::now();
  auto wanted = wants(run, fs, now);
  if (!wanted) {
    fail(wanted.error().message);
    return false;
  }
  const auto t2 = Clock::now();
  plan::add_deploy_actions(*wanted, run.observed, run.plan);
  auto ms = [](Clock::time_point a, Clock::time_point b) {
    return std::chrono::duration<double, std::milli>(b - a).count();
  };
  spdlog::debug("timing compute_plan_ms={:.1f} render_ms={:.1f} compare_ms={:.1f}", ms(t0, t1),
                ms(t1, t2), ms(t2, Clock::now()));
  if (publish)
    plan::add_unpublish_actions(run.stale_published, publish->repo, publish->branch, run.plan);
  run.wants = std::move(*wanted);
  for (const std::string& p : run.observed.enroll_link_problems) spdlog::warn("{}", p);
  for (const DeployTarget& t : run.targets) {
    if (!t.is_observed())
      run.plan.notes.push_back(t.name +
                               " is unreachable, its files were not compared: " + t.unreachable);
  }
  for (const std::string& note : run.publish_notes) run.plan.notes.push_back(note);
  return true;
}

Result<void> resolve_wants(PlanRun& run, sys::Filesystem& fs, base::Instant now,
                           const std::map<std::string, std::string>& new_serials) {
  std::set<std::string> unknown;
  for (const plan::TargetWant& w : run.wants)
    for (const auto& [rel, f] : w.files)
      if (f.sha256.empty()) unknown.insert(rel);
  if (unknown.empty()) return {};
  // A revocation or a CRL refresh: only the CRL apply signed is new, and its file is the CRL
  // below its header.
  if (unknown == std::set<std::string>{"crl.pem"}) {
    auto pem = pki::nginx_crl_pem(fs, run.observed.state_dir);
    if (!pem) return pem.error();
    const std::string bytes = render::crl_file(*pem);
    const std::string sha = pki::sha256_hex(bytes);
    for (plan::TargetWant& w : run.wants)
      if (auto it = w.files.find("crl.pem"); it != w.files.end()) it->second = {sha, bytes};
    return {};
  }
  auto f = facts(run, fs, now, &new_serials);
  if (!f) return f.error();
  for (plan::TargetWant& w : run.wants) {
    if (std::none_of(w.files.begin(), w.files.end(),
                     [](const auto& entry) { return entry.second.sha256.empty(); }))
      continue;
    auto t = std::find_if(run.targets.begin(), run.targets.end(),
                          [&](const DeployTarget& d) { return d.name == w.target; });
    CG_CHECK(t != run.targets.end());
    auto fresh = target_want(run, fs, *f, *t, true);
    if (!fresh) return fresh.error();
    for (auto& [rel, wanted] : w.files) {
      auto it = fresh->files.find(rel);
      const bool same =
          it != fresh->files.end() && (wanted.sha256.empty() || wanted.sha256 == it->second.sha256);
      if (!same)
        return make_error(Errc::invalid, w.target + ": " + rel +
                                             " comes out otherwise than the plan decided; "
                                             "nothing was deployed (a bug: please report it)");
      if (wanted.sha256.empty()) wanted = std::move(it->second);
    }
    for (const auto& [rel, ignored] : fresh->files)
      if (!w.files.contains(rel))
        return make_error(Errc::invalid, w.target + ": apply would write " + rel +
                                             ", which the plan did not decide; nothing was "
                                             "deployed (a bug: please report it)");
  }
  return {};
}

}  // namespace certgate::cli
