#include "cli/gate_run.h"

#include "pki/ca_database.h"
#include "sys/clock.h"

namespace certgate::cli {

using apply::GateCheck;
using apply::GateReport;
using apply::GateVerdict;

namespace {

// STATE/ca/index.txt, for a serial the foreign certificate can copy; empty when unreadable,
// which only makes that check a little weaker.
std::vector<pki::IndexEntry> read_index(sys::Filesystem& fs, const std::string& state_dir) {
  auto files = pki::CaDatabase(fs, state_dir).read();
  if (!files) return {};
  return std::move(files->index);
}

}  // namespace

Result<std::vector<GateReport>> check_gates(sys::Filesystem& fs, const desired::DesiredState& state,
                                            const std::vector<const desired::Site*>& sites,
                                            const std::string& state_dir, base::Instant now,
                                            const apply::GateCheckOptions& options) {
  apply::GateMaterials materials = apply::load_gate_materials(fs, state_dir);
  const std::vector<pki::IndexEntry> index = read_index(fs, state_dir);
  const base::Instant real_now = sys::RealClock().now();
  std::vector<GateReport> reports;
  for (const desired::Site* site : sites) {
    auto foreign =
        apply::make_foreign_identity(real_now, apply::allowed_serial(state, *site, index, now));
    if (!foreign)
      return make_error(foreign.error().code,
                        "make the foreign CA's certificate: " + foreign.error().message);
    materials.foreign = std::move(*foreign);
    reports.push_back(apply::check_gate(*site, materials, now, options));
  }
  return reports;
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

std::string gate_summary(const std::vector<GateReport>& reports) {
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

std::string gate_reports_text(const std::vector<GateReport>& reports) {
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
  return out;
}

}  // namespace certgate::cli
