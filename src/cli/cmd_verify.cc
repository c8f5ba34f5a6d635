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
#include "cli/load.h"
#include "cli/pipeline.h"
#include "pki/ca_database.h"
#include "sys/clock.h"
#include "sys/real_filesystem.h"

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

std::string verdict_text(const GateCheck& c) {
  std::string out;
  switch (c.verdict) {
    case GateVerdict::refused:
      out = "refused (" + c.detail + ")";
      break;
    case GateVerdict::admitted_by_fallback:
      out = c.detail;
      break;
    case GateVerdict::open_door:
      out = "OPEN DOOR (" + c.detail + ")";
      break;
    case GateVerdict::cannot_check:
      out = "cannot check: " + c.detail;
      break;
    case GateVerdict::not_run:
      out = "not run: " + c.detail;
      break;
  }
  if (c.attempts > 1) out += " [" + std::to_string(c.attempts) + " tries]";
  return out;
}

// The closing lines: one per door not known to be closed, or "All doors closed.".
std::string summary(const std::vector<GateReport>& reports) {
  std::string out;
  for (const GateReport& r : reports) {
    if (!r.error.empty()) out += "ERROR: " + r.site + ": " + r.error + "\n";
    for (const GateCheck& c : r.checks) {
      const std::string what = r.site + ": " + std::string(apply::describe(c.kind));
      if (c.verdict == GateVerdict::open_door) {
        out += "OPEN DOOR: " + what + " gets in (" + c.detail + ")\n";
      } else if (!c.is_closed()) {
        out += "NOT CHECKED: " + what + ": " + c.detail + "\n";
      }
    }
  }
  return out.empty() ? "All doors closed.\n" : out;
}

std::string render_text(const std::vector<GateReport>& reports, const Selection& selection) {
  std::string out;
  for (const GateReport& r : reports) {
    const std::string sni = r.target.sni.empty() ? "no SNI" : "SNI " + r.target.sni;
    out += r.site + "  " + r.target.url + " (" + sni + ")\n";
    if (!r.error.empty()) out += "  error: " + r.error + "\n";
    for (const GateCheck& c : r.checks) {
      std::string label(apply::describe(c.kind));
      label.resize(22, ' ');
      out += "  " + label + verdict_text(c) + "\n";
    }
  }
  for (const std::string& name : selection.skipped) out += name + "  not checked: no probe\n";
  return out + "\n" + summary(reports);
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

// STATE/ca/index.txt, for a serial the foreign certificate can copy; empty when unreadable,
// which only makes that check a little weaker.
std::vector<pki::IndexEntry> read_index(sys::Filesystem& fs, const std::string& state_dir) {
  auto files = pki::CaDatabase(fs, state_dir).read();
  if (!files) return {};
  return std::move(files->index);
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
  const std::string state_dir = absolute_state_dir(g);
  apply::GateMaterials materials = apply::load_gate_materials(fs, state_dir);
  const std::vector<pki::IndexEntry> index = read_index(fs, state_dir);
  const base::Instant real_now = sys::RealClock().now();
  std::vector<GateReport> reports;
  for (const desired::Site* site : selection->sites) {
    auto foreign =
        apply::make_foreign_identity(real_now, apply::allowed_serial(state, *site, index, *now));
    if (!foreign) return fail("make the foreign CA's certificate: " + foreign.error().message);
    materials.foreign = std::move(*foreign);
    reports.push_back(apply::check_gate(*site, materials, *now, *options));
  }
  const std::string out =
      flags.json ? render_json(reports, *selection) : render_text(reports, *selection);
  std::fputs(out.c_str(), stdout);
  for (const GateReport& r : reports) {
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
