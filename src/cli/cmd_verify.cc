// certgate verify [SITE] [--json]: live TLS checks that each site's gate refuses a client
// without a certificate, with a foreign CA's certificate and with a revoked one (DESIGN.md
// section 2). Exit 0 when every door is closed, 1 when one is open, could not be checked, or the
// command could not run.
//
// Every site with a probe is checked, or only SITE. Sites without a probe are listed as not
// checked but do not fail the run (the probe is optional in certgate.toml); when none has one
// there is nothing to check, which is said and is not an error. Naming a site without a probe
// is. --now moves only the judgement of [site.fallback] windows; the throwaway foreign
// certificate is dated by the real clock so that the server never refuses it for its dates.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "apply/gate_check.h"
#include "base/duration.h"
#include "base/text.h"
#include "cli/commands.h"
#include "cli/gate_run.h"
#include "cli/load.h"
#include "cli/pipeline.h"
#include "pki/ca_database.h"
#include "sys/clock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

using apply::GateCheck;
using apply::GateReport;
using apply::GateVerdict;

struct VerifyFlags {
  std::string site;
  bool json = false;
  std::string timeout = "5s";
  std::string settle;  // empty: no retries
};

struct Selection {
  std::vector<const desired::Site*> sites;  // with a probe, to check
  std::vector<std::string> skipped;         // without a probe
};

Result<Selection> select_sites(const desired::DesiredState& state, const std::string& name) {
  Selection out;
  if (name.empty()) {
    for (const desired::Site& s : state.sites) {
      if (s.probe) {
        out.sites.push_back(&s);
      } else {
        out.skipped.push_back(s.name);
      }
    }
    return out;
  }
  const desired::Site* site = state.find_site(name);
  if (site == nullptr) {
    std::vector<std::string_view> names;
    for (const desired::Site& s : state.sites) names.push_back(s.name);
    std::string message = "no site \"" + name + "\" in the desired state";
    if (auto near = base::closest_match(name, names))
      message += "; did you mean \"" + *near + "\"?";
    return make_error(Errc::not_found, message);
  }
  if (!site->probe) {
    return make_error(Errc::invalid, "site \"" + name +
                                         "\" has no probe; set probe = \"https://HOST:PORT/PATH\" "
                                         "in its [[site]] table");
  }
  out.sites.push_back(site);
  return out;
}

std::string render_text(const std::vector<GateReport>& reports, const Selection& selection) {
  std::string out = gate_reports_text(reports);
  for (const std::string& name : selection.skipped) out += name + "  not checked: no probe\n";
  return out + "\n" + gate_summary(reports);
}

std::string render_json(const std::vector<GateReport>& reports, const Selection& selection) {
  nlohmann::ordered_json sites = nlohmann::ordered_json::array();
  bool all_closed = true;
  for (const GateReport& r : reports) {
    all_closed = all_closed && r.is_closed();
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const GateCheck& c : r.checks) {
      checks.push_back({{"check", apply::to_string(c.kind)},
                        {"verdict", apply::to_string(c.verdict)},
                        {"detail", c.detail},
                        {"http_status", c.http_status},
                        {"attempts", c.attempts}});
    }
    sites.push_back({{"site", r.site},
                     {"url", r.target.url},
                     {"sni", r.target.sni},
                     {"closed", r.is_closed()},
                     {"error", r.error},
                     {"checks", checks}});
  }
  nlohmann::ordered_json doc = {
      {"all_closed", all_closed}, {"sites", sites}, {"skipped", selection.skipped}};
  return doc.dump(2) + "\n";
}

Result<apply::GateCheckOptions> check_options(const VerifyFlags& flags) {
  apply::GateCheckOptions o;
  auto timeout = base::parse_duration(flags.timeout);
  if (!timeout) return make_error(Errc::invalid, "--timeout: " + timeout.error().message);
  o.timeout = *timeout;
  if (!flags.settle.empty()) {
    auto settle = base::parse_duration(flags.settle);
    if (!settle) return make_error(Errc::invalid, "--settle: " + settle.error().message);
    o.settle = *settle;
  }
  return o;
}

int run_verify(const GlobalOptions& g, const VerifyFlags& flags) {
  auto options = check_options(flags);
  if (!options) return fail(options.error().message);
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  auto loaded = load_and_report(g, *now, fs);
  if (!loaded) return 1;
  const desired::DesiredState& state = loaded->state;
  auto selection = select_sites(state, flags.site);
  if (!selection) return fail(selection.error().message);
  if (selection->sites.empty() && !flags.json) {
    std::fputs("No site has a probe; nothing to check.\n", stdout);
    return 0;
  }
  // The gate check presents the revoked probe's key, a secret of the state directory.
  if (auto r = sys::check_private(fs, absolute_state_dir(g)); !r) return fail(r.error().message);
  auto reports = check_gates(fs, state, selection->sites, absolute_state_dir(g), *now, *options);
  if (!reports) return fail(reports.error().message);
  const std::string out =
      flags.json ? render_json(*reports, *selection) : render_text(*reports, *selection);
  std::fputs(out.c_str(), stdout);
  for (const GateReport& r : *reports) {
    if (!r.is_closed()) return 1;
  }
  return 0;
}

}  // namespace

void add_verify_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<VerifyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "verify",
      "Live check that each site refuses clients without a valid certificate: no certificate, "
      "a foreign CA's, a revoked one");
  cmd->add_option("SITE", flags->site, "Only this site");
  cmd->add_flag("--json", flags->json, "Print the results as one JSON document");
  cmd->add_option("--timeout", flags->timeout, "Limit for each connect, handshake and response")
      ->capture_default_str();
  cmd->add_option("--settle", flags->settle,
                  "Keep retrying a check that finds a door open for this long (after a reload)");
  commands[cmd] = [&g, flags] { return run_verify(g, *flags); };
}

}  // namespace certgate::cli
