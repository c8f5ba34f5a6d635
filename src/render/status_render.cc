#include "render/status_render.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace certgate::render {

namespace {

using observed::Cert;

// The certificate that speaks for a device: its newest live one, else its latest one.
const Cert* current_cert(const std::vector<const Cert*>& certs, base::Instant now) {
  const Cert* best = nullptr;
  for (const Cert* c : certs) {
    const bool better = !best || (c->is_live(now) && !best->is_live(now)) ||
                        (c->is_live(now) == best->is_live(now) && c->not_after > best->not_after);
    if (better) best = c;
  }
  return best;
}

std::string state_of(const Cert& c, const desired::Device* d, base::Instant now) {
  if (c.status == observed::CertStatus::revoked) return "revoked";
  if (!c.is_live(now)) return "expired";
  if (!d) return "orphan";
  return c.not_after - now < d->renew_before ? "renew-due" : "valid";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

}  // namespace

std::vector<DeviceStatus> device_statuses(const desired::DesiredState& desired,
                                          const observed::ObservedState& observed,
                                          base::Instant now) {
  std::map<std::string, std::vector<const Cert*>> by_device;
  for (const Cert& c : observed.certs) by_device[c.device].push_back(&c);
  std::vector<DeviceStatus> rows;
  for (const desired::Device& d : desired.devices) {
    DeviceStatus row{d.name, "missing", "", std::nullopt, d.groups};
    if (const Cert* c = current_cert(by_device[d.name], now)) {
      row.state = state_of(*c, &d, now);
      row.serial = c->serial;
      row.not_after = c->not_after;
    }
    rows.push_back(std::move(row));
  }
  for (const auto& [device, certs] : by_device) {
    if (desired.find_device(device)) continue;
    const Cert* c = current_cert(certs, now);
    if (c && c->is_live(now)) rows.push_back({device, "orphan", c->serial, c->not_after, {}});
  }
  std::sort(rows.begin(), rows.end(),
            [](const DeviceStatus& a, const DeviceStatus& b) { return a.name < b.name; });
  return rows;
}

std::vector<TargetStatus> target_statuses(const observed::ObservedState& observed,
                                          const plan::Plan& plan) {
  std::vector<TargetStatus> out;
  for (const observed::TargetFiles& t : observed.targets) {
    TargetStatus ts{t.target, t.dir, {}, false, t.unreachable, t.generated_from, ""};
    if (t.generated_from.starts_with("git commit "))
      ts.commit = t.generated_from.substr(std::string_view("git commit ").size());
    for (const plan::Action& a : plan.actions) {
      if (a.target != t.target) continue;
      if (a.kind == plan::ActionKind::reload) ts.reload_pending = true;
      if (a.kind != plan::ActionKind::file) continue;
      std::string path =
          a.subject.starts_with(t.dir + "/") ? a.subject.substr(t.dir.size() + 1) : a.subject;
      const char* state = a.reason.find("by hand") != std::string::npos ? "drift"
                          : a.detail == "(new)"                         ? "missing"
                          : a.detail == "(remove)"                      ? "stale"
                                                                        : "pending";
      ts.files.emplace_back(std::move(path), state);
    }
    out.push_back(std::move(ts));
  }
  return out;
}

std::string status_text(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now) {
  std::string out =
      "certgate status — state " + observed.state_dir + ", at " + base::format_rfc3339(now) + "\n";
  out += observed.ca.exists ? "CA       " + observed.ca.common_name + ", expires " +
                                  base::format_date(observed.ca.not_after) + "\n"
                            : "CA       none yet (certgate apply creates it)\n";
  out += observed.crl.exists
             ? "CRL      number " + std::to_string(observed.crl.number) + ", nextUpdate " +
                   base::format_rfc3339(observed.crl.next_update) + ", " +
                   std::to_string(observed.crl.serials.size()) + " listed\n"
             : "CRL      none\n";
  out += applied ? "Applied  " + applied->source + " at " +
                       base::format_rfc3339(applied->applied_at) + "\n"
                 : "Applied  never\n";
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-10s %-34s %-11s %s\n", "DEVICE", "STATE", "SERIAL",
                "NOT AFTER", "GROUPS");
  out += line;
  for (const DeviceStatus& d : device_statuses(desired, observed, now)) {
    std::snprintf(line, sizeof line, "%-24s %-10s %-34s %-11s %s\n", d.name.c_str(),
                  d.state.c_str(), d.serial.empty() ? "-" : d.serial.c_str(),
                  d.not_after ? base::format_date(*d.not_after).c_str() : "-",
                  join(d.groups).c_str());
    std::string row = line;
    while (row.size() > 1 && row[row.size() - 2] == ' ') row.erase(row.size() - 2, 1);
    out += row;
  }
  for (const TargetStatus& t : target_statuses(observed, plan)) {
    out += "Target   " + t.target + " " + t.dir + ": ";
    if (!t.unreachable.empty()) {
      out += "unreachable: " + t.unreachable + "\n";
      continue;
    }
    const std::string from = t.commit.empty()
                                 ? (t.generated_from.empty() ? "" : ", from " + t.generated_from)
                                 : ", commit " + t.commit.substr(0, 7);
    if (t.files.empty()) {
      out += (t.reload_pending ? "files in sync, reload pending" : "in sync") + from + "\n";
      continue;
    }
    out += std::to_string(t.files.size()) + " files differ:";
    for (const auto& [path, state] : t.files) out += " " + path + " (" + state + ")";
    out += from + "\n";
  }
  return out;
}

std::string status_json(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now) {
  nlohmann::ordered_json j;
  j["format_version"] = 1;
  j["now"] = base::format_rfc3339(now);
  j["state_dir"] = observed.state_dir;
  j["last_applied_commit"] = applied ? applied->commit : "";
  j["last_applied"] = nullptr;
  if (applied)
    j["last_applied"] = {{"source", applied->source},
                         {"commit", applied->commit},
                         {"at", base::format_rfc3339(applied->applied_at)}};
  j["ca"] = nullptr;
  if (observed.ca.exists)
    j["ca"] = {{"common_name", observed.ca.common_name},
               {"not_after", base::format_rfc3339(observed.ca.not_after)}};
  j["crl"] = nullptr;
  if (observed.crl.exists)
    j["crl"] = {{"number", observed.crl.number},
                {"next_update", base::format_rfc3339(observed.crl.next_update)},
                {"revoked_listed", observed.crl.serials.size()}};
  j["devices"] = nlohmann::ordered_json::array();
  for (const DeviceStatus& d : device_statuses(desired, observed, now)) {
    j["devices"].push_back({{"name", d.name},
                            {"state", d.state},
                            {"serial", d.serial},
                            {"not_after", d.not_after ? base::format_rfc3339(*d.not_after) : ""},
                            {"groups", d.groups}});
  }
  j["targets"] = nlohmann::ordered_json::array();
  for (const TargetStatus& t : target_statuses(observed, plan)) {
    nlohmann::ordered_json files = nlohmann::ordered_json::array();
    for (const auto& [path, state] : t.files) files.push_back({{"path", path}, {"state", state}});
    j["targets"].push_back({{"target", t.target},
                            {"dir", t.dir},
                            {"reachable", t.unreachable.empty()},
                            {"error", t.unreachable},
                            {"in_sync", t.in_sync()},
                            {"reload_pending", t.reload_pending},
                            {"last_applied_commit", t.commit},
                            {"generated_from", t.generated_from},
                            {"files", files}});
  }
  return j.dump(2) + "\n";
}

}  // namespace certgate::render
