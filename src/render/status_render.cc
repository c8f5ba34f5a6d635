#include "render/status_render.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "observed/overlap.h"
#include "render/status_ca.h"

namespace certgate::render {

namespace {

using observed::Cert;

// The certificate that speaks for a device: its newest live one, else its latest one.
const Cert* current_cert(const std::vector<const Cert*>& certs, base::Instant now) {
  const Cert* best = nullptr;
  for (const Cert* c : certs) {
    const bool better =
        !best || (c->is_live(now) && !best->is_live(now)) ||
        (c->is_live(now) == best->is_live(now) &&
         (c->is_live(now) ? observed::is_newer(*c, *best) : c->not_after > best->not_after));
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

// The live certificates of a device, newest first, with when each older one stops working.
// `d` is null for a device no longer in the desired state.
std::vector<CertificateStatus> certificate_rows(const std::vector<const Cert*>& certs,
                                                const desired::DesiredState& desired,
                                                const observed::ObservedState& observed,
                                                const desired::Device* d, base::Instant now,
                                                const std::vector<observed::AccessLogSeen>& logs) {
  std::vector<const Cert*> live;
  for (const Cert* c : certs)
    if (c->is_live(now)) live.push_back(c);
  std::sort(live.begin(), live.end(),
            [](const Cert* a, const Cert* b) { return observed::is_newer(*a, *b); });
  std::vector<CertificateStatus> rows;
  for (const Cert* c : live) {
    CertificateStatus row;
    row.serial = c->serial;
    if (c->has_file) row.not_before = c->not_before;
    row.not_after = c->not_after;
    row.is_newest = c == live.front();
    row.ends_at = c->not_after;
    row.ends_by = "not_after";
    row.last_seen = observed::last_seen_serial(logs, c->serial);
    if (!d) {
      row.state = "orphan";
    } else if (row.is_newest) {
      row.state = state_of(*c, d, now);
    } else {
      const bool fits = observed::fits_device(*d, *c, observed.find_csr(d->name));
      row.ends_at = observed::predecessor_end(*c, *live.front(), fits, desired.defaults.overlap);
      if (row.ends_at < c->not_after) row.ends_by = "overlap";
      row.state = now < row.ends_at ? "overlap" : "superseded-pending";
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace

std::vector<DeviceStatus> device_statuses(const desired::DesiredState& desired,
                                          const observed::ObservedState& observed,
                                          base::Instant now,
                                          const std::vector<observed::AccessLogSeen>& logs) {
  std::map<std::string, std::vector<const Cert*>> by_device;
  for (const Cert& c : observed.certs) by_device[c.device].push_back(&c);
  const std::map<std::string, observed::DeviceSeen> seen =
      observed::last_seen_by_device(observed, logs, now);
  auto seen_of = [&seen](const std::string& device) -> std::optional<observed::DeviceSeen> {
    auto it = seen.find(device);
    if (it == seen.end()) return std::nullopt;
    return it->second;
  };
  std::vector<DeviceStatus> rows;
  for (const desired::Device& d : desired.devices) {
    DeviceStatus row{d.name, "missing", "", std::nullopt, d.groups, {}, seen_of(d.name)};
    const std::vector<const Cert*>& certs = by_device[d.name];
    if (const Cert* c = current_cert(certs, now)) {
      row.state = state_of(*c, &d, now);
      row.serial = c->serial;
      row.not_after = c->not_after;
      row.certificates = certificate_rows(certs, desired, observed, &d, now, logs);
    }
    rows.push_back(std::move(row));
  }
  for (const auto& [device, certs] : by_device) {
    if (device == observed::kRevokedProbeName || desired.find_device(device)) continue;
    const Cert* c = current_cert(certs, now);
    // Deleted from the desired state: listed while its certificate still matters, live (the
    // next apply revokes it) or revoked and on the CRL until it expires.
    const bool revoked = c && c->status == observed::CertStatus::revoked && now < c->not_after;
    if (c && (c->is_live(now) || revoked))
      rows.push_back({device,
                      revoked ? "revoked" : "orphan",
                      c->serial,
                      c->not_after,
                      {},
                      certificate_rows(certs, desired, observed, nullptr, now, logs),
                      seen_of(device),
                      true});
  }
  std::sort(rows.begin(), rows.end(),
            [](const DeviceStatus& a, const DeviceStatus& b) { return a.name < b.name; });
  return rows;
}

std::vector<TargetStatus> target_statuses(const observed::ObservedState& observed,
                                          const plan::Plan& plan,
                                          const desired::DesiredState* desired) {
  std::vector<TargetStatus> out;
  for (const observed::TargetFiles& t : observed.targets) {
    TargetStatus ts{t.target, t.dir, {}, false, t.unreachable, t.generated_from, ""};
    if (desired) {
      for (const desired::Host& h : desired->hosts)
        if (h.name == t.target) ts.is_pull = h.is_pull();
    }
    ts.published_commit = t.published_commit;
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

namespace {

// "2026-12-02 05:33 UTC".
std::string minute_text(base::Instant t) {
  const std::string r = base::format_rfc3339(t);
  return r.substr(0, 10) + " " + r.substr(11, 5) + " UTC";
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return std::to_string(bytes >> 20) + " MiB";
  if (bytes >= (1u << 10)) return std::to_string(bytes >> 10) + " KiB";
  return std::to_string(bytes) + " bytes";
}

// Once per access log: what was read, or why nothing could be ("not an error": status goes on).
std::string log_lines(const desired::DesiredState& desired,
                      const std::vector<observed::AccessLogSeen>& logs) {
  std::string out;
  for (const observed::AccessLogSeen& log : logs) {
    out += "Log      " + log.target + " " + log.path + ": ";
    out += log.is_read() ? std::to_string(log.lines) + (log.lines == 1 ? " request" : " requests") +
                               " with a certificate in " + (log.is_tail ? "the last " : "") +
                               size_text(log.bytes_read) + "\n"
                         : "not read (" + log.problem + "): last seen unknown\n";
  }
  for (const desired::Host& h : desired.hosts) {
    if (h.nginx.access_log.empty()) continue;
    out += "Log      " + h.name + " " + h.nginx.access_log +
           ": not read (the access logs of [[host]]s are not fetched yet)\n";
  }
  return out;
}

// Under a device's row: each of several live certificates, and what the logs saw.
std::string device_detail(const DeviceStatus& d, bool has_logs) {
  std::string out;
  if (d.certificates.size() > 1) {
    for (const CertificateStatus& c : d.certificates) {
      out += "  " + std::string(c.is_newest ? "newest " : "older  ") + c.serial + "  " + c.state;
      out += c.is_newest ? ", notAfter " + base::format_date(c.not_after)
                         : (c.state == "overlap" ? ", works until " : ", ended ") +
                               base::format_date(c.ends_at) +
                               (c.ends_by == "overlap" ? " (end of the overlap)" : " (notAfter)");
      out += "\n";
    }
  }
  if (!has_logs || d.certificates.empty()) return out;
  if (!d.last_seen) return out + "  last seen: never (not in the access log read)\n";
  out += "  last seen " + minute_text(d.last_seen->sighting.at) + " with serial " +
         d.last_seen->serial;
  if (d.uses_old_certificate()) out += " (old certificate: not picked up the renewal)";
  if (d.last_seen->sighting.verify != "SUCCESS")
    out += " (refused: " + d.last_seen->sighting.verify + ")";
  return out + "\n";
}

nlohmann::ordered_json certificates_json(const DeviceStatus& d) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CertificateStatus& c : d.certificates) {
    out.push_back(
        {{"serial", c.serial},
         {"not_before", c.not_before ? base::format_rfc3339(*c.not_before) : ""},
         {"not_after", base::format_rfc3339(c.not_after)},
         {"newest", c.is_newest},
         {"state", c.state},
         {"ends_at", base::format_rfc3339(c.ends_at)},
         {"ends_by", c.ends_by},
         {"last_seen", c.last_seen ? nlohmann::ordered_json(base::format_rfc3339(c.last_seen->at))
                                   : nlohmann::ordered_json()}});
  }
  return out;
}

nlohmann::ordered_json last_seen_json(const DeviceStatus& d) {
  if (!d.last_seen) return nullptr;
  return {{"serial", d.last_seen->serial},
          {"at", base::format_rfc3339(d.last_seen->sighting.at)},
          {"verify", d.last_seen->sighting.verify},
          {"newest", d.last_seen->is_newest}};
}

nlohmann::ordered_json access_logs_json(const std::vector<observed::AccessLogSeen>& logs) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const observed::AccessLogSeen& log : logs) {
    out.push_back({{"target", log.target},
                   {"path", log.path},
                   {"read", log.is_read()},
                   {"error", log.problem},
                   {"bytes_read", log.bytes_read},
                   {"tail_only", log.is_tail},
                   {"lines", log.lines}});
  }
  return out;
}

}  // namespace

std::string status_text(const desired::DesiredState& desired,
                        const observed::ObservedState& observed,
                        const std::optional<observed::AppliedRecord>& applied,
                        const plan::Plan& plan, base::Instant now,
                        const std::vector<observed::AccessLogSeen>& logs) {
  std::string out =
      "certgate status — state " + observed.state_dir + ", at " + base::format_rfc3339(now) + "\n";
  out += ca_status_text(observed, now);
  out += applied ? "Applied  " + applied->source + " at " +
                       base::format_rfc3339(applied->applied_at) + "\n"
                 : "Applied  never\n";
  out += log_lines(desired, logs);
  const bool has_read_log = std::any_of(
      logs.begin(), logs.end(), [](const observed::AccessLogSeen& l) { return l.is_read(); });
  char line[256];
  std::snprintf(line, sizeof line, "%-24s %-10s %-34s %-11s %s\n", "DEVICE", "STATE", "SERIAL",
                "NOT AFTER", "GROUPS");
  out += line;
  for (const DeviceStatus& d : device_statuses(desired, observed, now, logs)) {
    std::snprintf(line, sizeof line, "%-24s %-10s %-34s %-11s %s\n", d.name.c_str(),
                  d.state.c_str(), d.serial.empty() ? "-" : d.serial.c_str(),
                  d.not_after ? base::format_date(*d.not_after).c_str() : "-",
                  d.deleted ? "(deleted from the desired state)" : join(d.groups).c_str());
    std::string row = line;
    while (row.size() > 1 && row[row.size() - 2] == ' ') row.erase(row.size() - 2, 1);
    out += row + device_detail(d, has_read_log);
  }
  for (const TargetStatus& t : target_statuses(observed, plan, &desired)) {
    out += "Target   " + t.target + " " + t.dir + ": ";
    if (!t.unreachable.empty()) {
      out += "unreachable: " + t.unreachable + "\n";
      continue;
    }
    std::string from = t.commit.empty()
                           ? (t.generated_from.empty() ? "" : ", from " + t.generated_from)
                           : ", commit " + t.commit.substr(0, 7);
    // "in sync, commit 1a2b3c4, pull: publish commit 9f8e7d6"
    if (t.is_pull)
      from += t.published_commit.empty()
                  ? ", pull: nothing published yet"
                  : ", pull: publish commit " + t.published_commit.substr(0, 7);
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
                        const plan::Plan& plan, base::Instant now,
                        const std::vector<observed::AccessLogSeen>& logs) {
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
  ca_status_json(observed, j);
  j["devices"] = nlohmann::ordered_json::array();
  for (const DeviceStatus& d : device_statuses(desired, observed, now, logs)) {
    j["devices"].push_back({{"name", d.name},
                            {"state", d.state},
                            {"serial", d.serial},
                            {"not_after", d.not_after ? base::format_rfc3339(*d.not_after) : ""},
                            {"groups", d.groups},
                            {"certificates", certificates_json(d)},
                            {"last_seen", last_seen_json(d)},
                            {"uses_old_certificate", d.uses_old_certificate()},
                            {"deleted", d.deleted}});
  }
  j["access_logs"] = access_logs_json(logs);
  j["targets"] = nlohmann::ordered_json::array();
  for (const TargetStatus& t : target_statuses(observed, plan, &desired)) {
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
                            {"mode", t.is_pull ? "pull" : "push"},
                            {"published_commit", t.published_commit},
                            {"files", files}});
  }
  return j.dump(2) + "\n";
}

}  // namespace certgate::render
