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
#include "render/nginx_files.h"

namespace certgate::cli {
namespace {

// How long apply waits after a reload when the site's responses do not name their generation:
// longer than old workers were seen accepting on nginx 1.22 (about 100 ms).
constexpr int kBlindWaitSeconds = 1;

// The generation the http.conf of each reloaded target names, for each site it serves.
std::map<std::string, std::set<std::string>> deployed_generations(
    const PlanRun& run, const apply::RolloutReport& rollout) {
  std::map<std::string, std::set<std::string>> out;
  for (const DeployTarget& t : run.targets) {
    if (!t.target || std::find(rollout.reloaded.begin(), rollout.reloaded.end(), t.name) ==
                         rollout.reloaded.end())
      continue;
    auto text = t.target->fs().read(sys::join_path(t.nginx.dir, "http.conf"));
    for (const std::string& name : t.sites) {
      if (!text) break;
      if (std::string g = render::generation_of(*text); !g.empty()) out[name].insert(g);
    }
  }
  return out;
}

// `nginx -s reload` returns before the old workers stop accepting: until new connections to
// each probed site name the generation just deployed, a just-revoked certificate may still get
// in. False (and why on stderr) when a site still serves another configuration.
bool new_configuration_served(const PlanRun& run, const apply::RolloutReport& rollout,
                              const std::vector<const desired::Site*>& sites) {
  const auto deployed = deployed_generations(run, rollout);
  bool served = true;
  for (const desired::Site* site : sites) {
    auto it = deployed.find(site->name);
    if (it == deployed.end()) continue;
    const apply::GenerationWait w = apply::wait_for_generation(*site, it->second, {});
    spdlog::debug("reload wait site={} outcome={} connections={} seen={}", site->name,
                  static_cast<int>(w.outcome), w.connections, w.last_seen);
    if (w.outcome == apply::GenerationOutcome::stale) {
      fail(site->name + ": new connections are still served by another configuration (" +
           (w.last_seen.empty() ? std::string("none") : "generation " + w.last_seen) + ") after " +
           std::to_string(w.connections) +
           " tries; nginx did not take up the deployed files (check its error log)");
      served = false;
    } else if (w.outcome == apply::GenerationOutcome::not_included) {
      // A server{} or location{} with add_header lines of its own does not inherit http.conf's.
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

}  // namespace

bool gates_closed_after_reload(const PlanRun& run, const apply::RolloutReport& rollout,
                               sys::Filesystem& fs, const std::string& state, base::Instant now) {
  std::vector<const desired::Site*> sites;
  for (const DeployTarget& t : run.targets) {
    if (std::find(rollout.reloaded.begin(), rollout.reloaded.end(), t.name) ==
        rollout.reloaded.end())
      continue;
    for (const std::string& name : t.sites) {
      const desired::Site* site = run.loaded.state.find_site(name);
      // Once per site: its probe is one address, however many hosts serve it.
      if (site && site->probe && std::find(sites.begin(), sites.end(), site) == sites.end())
        sites.push_back(site);
    }
  }
  if (sites.empty()) return true;
  if (!new_configuration_served(run, rollout, sites)) return false;
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
  if (!closed) {
    std::printf("%s", gate_summary(*reports).c_str());
    std::fflush(stdout);
    fail(
        "a door is open after the reload: check that nginx includes certgate's files in each "
        "site's server{} (DIR/sites/SITE.conf) and DIR/http.conf in http{}");
  }
  return closed;
}

}  // namespace certgate::cli
