#include "cli/after_reload.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <set>
#include <thread>

#include "apply/reload_wait.h"
#include "cli/commands.h"
#include "cli/gate_run.h"
#include "render/include_lines.h"
#include "render/nginx_files.h"

namespace certgate::cli {
namespace {

// How long apply waits after a reload when the site's responses do not name their generation:
// longer than old workers were seen accepting on nginx 1.22 (about 100 ms).
constexpr int kBlindWaitSeconds = 1;

// The targets of `run` named in `names`.
bool is_named(const DeployTarget& t, const std::vector<std::string>& names) {
  return std::find(names.begin(), names.end(), t.name) != names.end();
}

// The probed sites served by the targets named, once each: a probe is one address, however many
// hosts serve the site.
std::vector<const desired::Site*> probed_sites(const PlanRun& run,
                                               const std::vector<std::string>& names) {
  std::vector<const desired::Site*> sites;
  for (const DeployTarget& t : run.targets) {
    if (!is_named(t, names)) continue;
    for (const std::string& name : t.sites) {
      const desired::Site* site = run.loaded.state.find_site(name);
      if (site && site->probe && std::find(sites.begin(), sites.end(), site) == sites.end())
        sites.push_back(site);
    }
  }
  return sites;
}

// The generation the http.conf of each target named holds on disk, for each site it serves.
std::map<std::string, std::set<std::string>> disk_generations(
    const PlanRun& run, const std::vector<std::string>& names) {
  std::map<std::string, std::set<std::string>> out;
  for (const DeployTarget& t : run.targets) {
    if (!t.target || !is_named(t, names)) continue;
    auto text = t.target->fs().read(sys::join_path(t.nginx.dir, "http.conf"));
    if (!text) continue;
    const std::string g = render::generation_of(*text);
    if (g.empty()) continue;
    for (const std::string& name : t.sites) out[name].insert(g);
  }
  return out;
}

// `nginx -s reload` returns before nginx has loaded anything, and the old workers accept for a
// moment after: until new connections to each probed site of the targets named meet the files
// on their disks, a just-revoked certificate may still get in, and a later deploy could swap
// files while nginx reads them. False (and why on stderr) when a site still serves other files.
// `after_failure`: the targets failed and hold their restored files, which may predate the
// generation header; say nothing then when no response names one.
bool disk_configuration_served(const PlanRun& run, const std::vector<std::string>& names,
                               bool after_failure, int* not_included = nullptr) {
  const auto on_disk = disk_generations(run, names);
  bool served = true;
  for (const desired::Site* site : probed_sites(run, names)) {
    auto it = on_disk.find(site->name);
    if (it == on_disk.end()) continue;
    const apply::GenerationWait w = apply::wait_for_generation(*site, it->second, {});
    spdlog::debug("reload wait site={} outcome={} connections={} seen={}", site->name,
                  static_cast<int>(w.outcome), w.connections, w.last_seen);
    if (w.outcome == apply::GenerationOutcome::stale) {
      fail(site->name + ": new connections are still served by other files (" +
           (w.last_seen.empty() ? std::string("none") : "generation " + w.last_seen) +
           ") than those on disk after " + std::to_string(w.connections) +
           " tries; nginx did not take up the files (check its error log)");
      served = false;
    } else if (w.outcome == apply::GenerationOutcome::not_included && !after_failure) {
      if (not_included) ++*not_included;
      std::printf(
          "Note: %s: responses carry no %s header (a server{} or location{} with add_header "
          "lines of its own does not inherit http.conf's), so apply cannot tell when new "
          "connections meet the new files; waited %d s instead.\n",
          site->name.c_str(), render::kGenerationHeaderName, kBlindWaitSeconds);
      std::this_thread::sleep_for(std::chrono::seconds{kBlindWaitSeconds});
    }
  }
  return served;
}

// A first apply on a stopped nginx: the files are in place, nothing was rolled back, and
// starting nginx is the operator's next step. (A reload that says so while a probe answers is
// a failed deploy: apply/deploy.h `serves`.)
void say_start_nginx(const PlanRun& run, const apply::RolloutReport& rollout) {
  for (const std::string& name : rollout.not_running) {
    for (const DeployTarget& t : run.targets) {
      if (t.name != name) continue;
      std::printf(
          "nginx is not running on %s: the files are in place in %s and `%s` accepts them. "
          "Start nginx now (systemctl start nginx); it will run them. If your nginx config does "
          "not include them yet, add the lines `certgate init --nginx` prints first.\n",
          name.c_str(), t.nginx.dir.c_str(), t.nginx.test.c_str());
    }
  }
}

// The include lines of every site found open, for the failure message: on a first run the
// operator has not added them yet.
std::string open_sites_lines(const PlanRun& run, const std::vector<apply::GateReport>& reports) {
  std::string out;
  for (const apply::GateReport& r : reports) {
    if (r.is_closed()) continue;
    const desired::Site* site = run.loaded.state.find_site(r.site);
    if (site) out += render::site_include_lines(*site, run.loaded.state.nginx.dir);
  }
  return out;
}

}  // namespace

bool gates_closed_after_reload(const PlanRun& run, const apply::RolloutReport& rollout,
                               sys::Filesystem& fs, const std::string& state, base::Instant now) {
  say_start_nginx(run, rollout);
  // Failed targets hold their restored files, and nginx may have been reloaded with them.
  std::vector<std::string> failed;
  for (const apply::TargetResult& r : rollout.results)
    if (r.outcome == apply::TargetOutcome::failed) failed.push_back(r.target);
  const bool restored = disk_configuration_served(run, failed, true);
  const std::vector<const desired::Site*> sites = probed_sites(run, rollout.reloaded);
  if (sites.empty()) return restored;
  int not_included = 0;
  if (!disk_configuration_served(run, rollout.reloaded, false, &not_included)) return false;
  apply::GateCheckOptions options;
  options.settle = std::chrono::seconds{3};
  auto reports = check_gates(fs, run.loaded.state, sites, state, now, options);
  if (!reports) {
    fail("checking the gates after the reload: " + reports.error().message);
    return false;
  }
  std::printf("Checked the gates after the reload:\n%s", gate_reports_text(*reports).c_str());
  bool closed = true;
  for (const apply::GateReport& r : *reports) closed = closed && r.is_closed();
  // The first apply, and no site's responses carry the header http.conf adds: nginx does not
  // read certgate's files yet. The doors were open before certgate; including the files is the
  // operator's next step, not a failure of this apply.
  if (!closed && !run.observed.last_applied && not_included == static_cast<int>(sites.size())) {
    std::printf(
        "Next: nginx does not include certgate's files yet, so the doors are as open as before. "
        "Add these lines to your nginx config (`certgate init --nginx` prints them for every "
        "site), then `nginx -t && nginx -s reload` and `certgate verify`:\n    include "
        "%s/http.conf;"
        "   # in http{}\n%s",
        run.loaded.state.nginx.dir.c_str(), open_sites_lines(run, *reports).c_str());
    return restored;
  }
  if (!closed) {
    std::printf("%s", gate_summary(*reports).c_str());
    std::fflush(stdout);
    fail(
        "a door is open after the reload: the files are in place, but nginx does not enforce "
        "them. Check that nginx includes certgate's files (`certgate init --nginx` prints the "
        "lines), DIR/http.conf in http{} and, for each open site:\n" +
        open_sites_lines(run, *reports));
  }
  return closed && restored;
}

}  // namespace certgate::cli
