#include "cli/edge_gate.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include "apply/gate_check.h"
#include "apply/reload_wait.h"
#include "base/names.h"
#include "cli/gate_run.h"
#include "cli/global_options.h"
#include "desired/parse.h"
#include "render/nginx_files.h"
#include "sys/clock.h"

namespace certgate::cli {
namespace {

// "SITE=VALUE" split at the first '='.
Result<std::pair<std::string, std::string>> site_value(const std::string& option,
                                                       const std::string& flag) {
  const size_t eq = option.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == option.size())
    return make_error(Errc::invalid, flag + " " + option + ": expected SITE=VALUE");
  return std::pair{option.substr(0, eq), option.substr(eq + 1)};
}

// As apply waits when the responses do not name their generation (cli/after_reload.cc).
constexpr std::chrono::seconds kBlindWait{1};

bool generation_served(const desired::Site& site, const std::string& generation) {
  const apply::GenerationWait w = apply::wait_for_generation(site, {generation}, {});
  spdlog::debug("reload wait site={} outcome={} connections={} seen={}", site.name,
                static_cast<int>(w.outcome), w.connections, w.last_seen);
  switch (w.outcome) {
    case apply::GenerationOutcome::current:
      return true;
    case apply::GenerationOutcome::stale:
      fail(site.name + ": new connections are still served by other files (" +
           (w.last_seen.empty() ? std::string("none") : "generation " + w.last_seen) +
           ") than those just deployed after " + std::to_string(w.connections) +
           " tries; nginx did not take up the files (check its error log)");
      return false;
    case apply::GenerationOutcome::not_included:
      std::printf(
          "Note: %s: responses carry no %s header, so the edge cannot tell when new "
          "connections meet the new files; waited %lld s instead.\n",
          site.name.c_str(), render::kGenerationHeaderName,
          static_cast<long long>(kBlindWait.count()));
      std::this_thread::sleep_for(kBlindWait);
      return true;
    case apply::GenerationOutcome::cannot_check:
      break;
  }
  return true;  // the gate check below says that it cannot connect
}

// Whether the checks that ran kept the door shut; the revoked check is not run here.
bool is_closed(const apply::GateReport& report) {
  if (!report.error.empty()) return false;
  for (const apply::GateCheck& c : report.checks)
    if (c.verdict != apply::GateVerdict::not_run && !c.is_closed()) return false;
  return true;
}

apply::GateReport check_site(const desired::Site& site, base::Instant now,
                             pki::ClientIdentity foreign) {
  apply::GateMaterials materials;
  materials.foreign = std::move(foreign);
  materials.revoked_missing =
      "needs the CA host's revoked probe certificate (certgate verify on the CA host runs it)";
  apply::GateCheckOptions options;
  options.settle = std::chrono::seconds{3};
  return apply::check_gate(site, materials, now, options);
}

}  // namespace

Result<std::vector<desired::Site>> edge_probe_sites(const std::vector<std::string>& probes,
                                                    const std::vector<std::string>& server_names) {
  std::vector<desired::Site> sites;
  auto find = [&](const std::string& name) -> desired::Site* {
    for (desired::Site& s : sites)
      if (s.name == name) return &s;
    return nullptr;
  };
  for (const std::string& option : probes) {
    auto kv = site_value(option, "--probe");
    if (!kv) return kv.error();
    if (find(kv->first)) return make_error(Errc::invalid, "--probe " + kv->first + ": given twice");
    auto probe = desired::parse_probe(kv->second);
    if (!probe)
      return make_error(Errc::invalid, "--probe " + option + ": " + probe.error().message);
    desired::Site site;
    site.name = kv->first;
    site.probe = std::move(*probe);
    sites.push_back(std::move(site));
  }
  for (const std::string& option : server_names) {
    auto kv = site_value(option, "--probe-server-name");
    if (!kv) return kv.error();
    desired::Site* site = find(kv->first);
    if (!site)
      return make_error(Errc::invalid,
                        "--probe-server-name " + option + ": no --probe for " + kv->first);
    if (auto problem = base::server_name_problem(kv->second))
      return make_error(Errc::invalid, "--probe-server-name " + option + ": " + *problem);
    site->server_names.push_back(kv->second);
  }
  return sites;
}

bool edge_gates_closed(const std::vector<desired::Site>& sites,
                       const std::map<std::string, std::string>& files, base::Instant now) {
  auto http = files.find("http.conf");
  const std::string generation = http == files.end() ? "" : render::generation_of(http->second);
  std::vector<apply::GateReport> reports;
  bool closed = true;
  for (const desired::Site& site : sites) {
    if (!files.contains("sites/" + site.name + ".conf")) {
      spdlog::warn("probe site={}: no sites/{}.conf was published for this host; not checked",
                   site.name, site.name);
      continue;
    }
    if (!generation.empty() && !generation_served(site, generation)) return false;
    auto foreign = apply::make_foreign_identity(sys::RealClock().now(), "");
    if (!foreign) {
      fail("make the foreign CA's certificate: " + foreign.error().message);
      return false;
    }
    reports.push_back(check_site(site, now, std::move(*foreign)));
    closed = closed && is_closed(reports.back());
  }
  if (reports.empty()) return true;
  std::printf("Checked the gates after the reload:\n%s", gate_reports_text(reports).c_str());
  std::fflush(stdout);
  if (!closed)
    fail(
        "a door is open (or could not be checked) after the reload: check that nginx includes "
        "DIR/sites/SITE.conf in each site's server{} and DIR/http.conf in http{}, and that "
        "--probe points at a gated path");
  return closed;
}

}  // namespace certgate::cli
