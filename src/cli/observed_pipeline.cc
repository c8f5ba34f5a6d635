#include "cli/observed_pipeline.h"

#include <algorithm>

#include "base/duration.h"
#include "observed/observe.h"
#include "observed/tiers.h"
#include "pki/random.h"
#include "render/enroll_pages.h"
#include "render/pickup_conf.h"

namespace certgate::cli {

namespace {

std::string age_text(std::chrono::seconds s) {
  const long h = static_cast<long>(s.count() / 3600);
  if (h >= 48) return std::to_string(h / 24) + "d";
  if (h >= 1) return std::to_string(h) + "h";
  return std::to_string(s.count() / 60) + "m";
}

Result<observed::Snapshot> read_snapshot(sys::Filesystem& fs, const ObservedOptions& options,
                                         base::Instant now) {
  const std::string& path = options.snapshot_file;
  auto text = fs.read(path);
  if (!text)
    return make_error(text.error().code, "--observed " + path + ": " + text.error().message);
  auto snap = observed::parse_snapshot(*text);
  if (!snap) return make_error(Errc::invalid, "--observed " + path + ": " + snap.error().message);
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(now - snap->taken_at);
  if (age > options.max_age)
    return make_error(Errc::invalid,
                      "--observed " + path + ": the snapshot was taken at " +
                          base::format_rfc3339(snap->taken_at) + ", " + age_text(age) +
                          " ago, longer than --max-snapshot-age " + age_text(options.max_age) +
                          ": the CA host may have renewed, revoked or signed a CRL since, so a "
                          "plan against it would not be what apply does; is its agent running "
                          "and publishing the snapshot (sync --snapshot-file)?");
  return snap;
}

// The targets of the desired state, not connected to, with the files the snapshot holds for
// each (none for a target the snapshot does not know, or whose [nginx].dir changed).
void snapshot_targets(PlanRun& run, const observed::Snapshot& snap) {
  const desired::DesiredState& desired = run.loaded.state;
  std::vector<observed::TargetFiles> files;
  auto add = [&](const std::string& name, const desired::NginxSpec& nginx,
                 std::vector<std::string> sites) {
    DeployTarget t{name, nullptr, "", nginx, std::move(sites), true};
    observed::TargetFiles f{name, nginx.dir, {}, false, "", ""};
    for (const observed::TargetFiles& s : snap.observed.targets) {
      if (s.target != name || s.dir != nginx.dir) continue;
      f = s;
      if (!s.unreachable.empty()) {
        t.from_snapshot = false;
        t.unreachable = "unreachable when the snapshot was taken: " + s.unreachable;
      }
    }
    files.push_back(std::move(f));
    run.targets.push_back(std::move(t));
  };
  if (desired.sites.empty()) {
    // A bare CA deploys nothing.
  } else if (desired.hosts.empty()) {
    std::vector<std::string> sites;
    for (const desired::Site& s : desired.sites) sites.push_back(s.name);
    add("local", desired.nginx, std::move(sites));
  } else {
    for (const desired::Host& h : desired.hosts) {
      add(h.name, h.nginx, h.sites);
      run.targets.back().is_pull = h.is_pull();  // its changes end in a publish action
    }
  }
  std::sort(files.begin(), files.end(),
            [](const auto& a, const auto& b) { return a.target < b.target; });
  run.observed.targets = std::move(files);
}

}  // namespace

std::optional<PlanRun> run_observed_pipeline(const GlobalOptions& g, base::Instant now,
                                             sys::Filesystem& fs, const ObservedOptions& options) {
  source::SourceOptions source = source_options(g);
  source.mirror_dir.clear();  // a git URL fails: fetching it needs a state directory
  auto snap = read_snapshot(fs, options, now);
  if (!snap) {
    fail(snap.error().message);
    return std::nullopt;
  }
  auto loaded = load_and_report(source, now, fs);
  if (!loaded) return std::nullopt;
  auto shared = std::make_shared<const observed::Snapshot>(std::move(*snap));
  PlanRun run{std::move(*loaded), shared->observed, {}, {}, "", shared};
  run.observed.csrs = observed::observe_csrs(run.loaded.state);
  run.observed.tiers = observed::observe_tiers(run.loaded.state.ca, run.observed, now);
  snapshot_targets(run, *shared);
  if (!plan_run(run, fs, now, options.plan)) return std::nullopt;
  return run;
}

WantedPickup snapshot_pickup(const PlanRun& run, const std::set<std::string>& live,
                             const DeployTarget& t) {
  WantedPickup out;
  const desired::DesiredState& desired = run.loaded.state;
  const observed::Snapshot& snap = *run.snapshot;
  const std::string prefix = std::string(render::kPickupDir) + "/";
  out.files[prefix + ".group"] = t.nginx.worker_group + "\n";
  const bool same_ca_name = desired.ca.common_name == snap.pickup_ca_common_name;
  for (const std::string& name : live) {
    const desired::Device* d = desired.find_device(name);
    auto it = snap.pickup.find(name);
    if (!d || d->is_revoked() || it == snap.pickup.end()) continue;
    const observed::PickupDigest& digest = it->second;
    if (!digest.pem.empty()) out.digests[prefix + name + ".pem"] = digest.pem;
    if (d->has_csr() || digest.p12.empty()) continue;
    out.digests[prefix + name + ".p12"] = digest.p12;
    // The profile names the CA: made anew, from the bundle the CA host holds, when it changes.
    if (same_ca_name && !digest.mobileconfig.empty())
      out.digests[prefix + name + ".mobileconfig"] = digest.mobileconfig;
    else
      out.hidden.push_back(prefix + name + ".mobileconfig");
  }
  out.links = apply::servable_links(desired, live, run.observed.enroll_links);
  for (const render::EnrollLinkRef& link : out.links) {
    for (const observed::EnrollLink& l : run.observed.enroll_links) {
      if (l.device != link.device) continue;
      out.files[prefix + link.device + ".html"] =
          render::enroll_page({link.device, desired.ca.common_name, l.expires_at});
    }
  }
  return out;
}

void settle_hidden_links(const PlanRun& run, const DeployTarget& t, plan::TargetWant& want) {
  auto wanted = want.files.find(render::kLinksConf);
  if (wanted == want.files.end()) return;
  for (const observed::TargetFiles& f : run.observed.targets) {
    if (f.target != t.name) continue;
    auto have = f.files.find(render::kLinksConf);
    if (have != f.files.end() && pki::sha256_hex(have->second.text) == wanted->second.sha256) {
      wanted->second = {have->second.sha256, "", false};
      return;
    }
  }
  wanted->second = {"", "", true};
}

}  // namespace certgate::cli
