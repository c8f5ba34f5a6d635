#include "render/metrics.h"

#include <algorithm>

#include "observed/overlap.h"
#include "render/prometheus.h"

namespace certgate::render {
namespace {

long long unix_seconds(base::Instant t) { return t.time_since_epoch().count(); }

using prometheus::family;
using prometheus::label;

void sync_families(std::string& out, const SyncRun& run, const observed::ObservedState& o) {
  family(out, "certgate_sync_last_run_timestamp_seconds", "gauge", "When the last sync ended.");
  out += "certgate_sync_last_run_timestamp_seconds " +
         std::to_string(unix_seconds(run.finished_at)) + "\n";
  family(out, "certgate_sync_success", "gauge", "1 when the last sync succeeded, else 0.");
  out += std::string("certgate_sync_success ") + (run.succeeded ? "1" : "0") + "\n";
  family(out, "certgate_sync_duration_seconds", "gauge", "How long the last sync took.");
  out += "certgate_sync_duration_seconds " + std::to_string(run.duration_seconds) + "\n";
  if (o.last_applied) {
    family(out, "certgate_sync_last_success_timestamp_seconds", "gauge",
           "When the last successful apply ended.");
    out += "certgate_sync_last_success_timestamp_seconds " +
           std::to_string(unix_seconds(o.last_applied->applied_at)) + "\n";
    family(out, "certgate_applied_commit_info", "gauge",
           "The source of the last successful apply.");
    out += "certgate_applied_commit_info{commit=\"" + label(o.last_applied->commit) +
           "\",source=\"" + label(o.last_applied->source) + "\"} 1\n";
  }
  family(out, "certgate_plan_actions", "gauge",
         "Actions of the plan the last sync computed (0: nothing was left to do).");
  out += "certgate_plan_actions " + std::to_string(run.planned_actions) + "\n";
  if (run.interval_seconds) {
    family(out, "certgate_sync_interval_seconds", "gauge", "The agent's time between ticks.");
    out += "certgate_sync_interval_seconds " + std::to_string(*run.interval_seconds) + "\n";
  }
  if (!run.targets_in_sync.empty()) {
    family(out, "certgate_target_in_sync", "gauge",
           "1 when the target holds the files the last sync wanted there, else 0.");
    for (const auto& [target, ok] : run.targets_in_sync)
      out += "certgate_target_in_sync{target=\"" + label(target) + "\"} " + (ok ? "1" : "0") + "\n";
  }
  family(out, "certgate_pending_actions", "gauge",
         "Actions not carried out because the last sync failed.");
  out +=
      "certgate_pending_actions " + std::to_string(run.succeeded ? 0 : run.planned_actions) + "\n";
}

void pki_families(std::string& out, const SyncRun& run, const observed::ObservedState& o) {
  family(out, "certgate_certificate_expiry_timestamp_seconds", "gauge",
         "notAfter of each valid device certificate.");
  for (const observed::Cert& c : o.certs) {
    if (c.status != observed::CertStatus::valid || !(run.finished_at < c.not_after)) continue;
    out += "certgate_certificate_expiry_timestamp_seconds{device=\"" + label(c.device) +
           "\",serial=\"" + c.serial + "\"} " + std::to_string(unix_seconds(c.not_after)) + "\n";
  }
  if (o.crl.exists) {
    family(out, "certgate_crl_next_update_timestamp_seconds", "gauge", "nextUpdate of the CRL.");
    out += "certgate_crl_next_update_timestamp_seconds " +
           std::to_string(unix_seconds(o.crl.next_update)) + "\n";
    if (run.desired) {
      family(out, "certgate_crl_refresh_before_seconds", "gauge",
             "[ca] crl_refresh_before: the CRL is signed again once nextUpdate is this near.");
      out += "certgate_crl_refresh_before_seconds " +
             std::to_string(run.desired->ca.crl_refresh_before.count()) + "\n";
    }
    family(out, "certgate_crl_number", "gauge", "crlNumber of the CRL.");
    out += "certgate_crl_number " + std::to_string(o.crl.number) + "\n";
  }
  if (o.ca.root_crl.exists) {
    family(out, "certgate_root_crl_next_update_timestamp_seconds", "gauge",
           "nextUpdate of the root's CRL (two-tier CA): only its offline machine can refresh it.");
    out += "certgate_root_crl_next_update_timestamp_seconds " +
           std::to_string(unix_seconds(o.ca.root_crl.next_update)) + "\n";
  }
  if (run.commit_time && !run.revoked_devices.empty() && !run.reloaded_at.empty()) {
    family(out, "certgate_revocation_latency_seconds", "gauge",
           "From the commit that revoked a device to the reload that enforced it, per target.");
    for (const std::string& device : run.revoked_devices) {
      for (const auto& [target, at] : run.reloaded_at) {
        out += "certgate_revocation_latency_seconds{device=\"" + label(device) + "\",target=\"" +
               label(target) + "\"} " + std::to_string((at - *run.commit_time).count()) + "\n";
      }
    }
  }
}

// Per device: its live certificates, newest first (one pass over the database).
std::map<std::string, std::vector<const observed::Cert*>> live_by_device(
    const observed::ObservedState& o, base::Instant now) {
  std::map<std::string, std::vector<const observed::Cert*>> out;
  for (const observed::Cert& c : o.certs)
    if (c.is_live(now) && c.device != observed::kRevokedProbeName) out[c.device].push_back(&c);
  for (auto& [device, certs] : out)
    std::sort(certs.begin(), certs.end(), [](const observed::Cert* a, const observed::Cert* b) {
      return observed::is_newer(*a, *b);
    });
  return out;
}

// When each device's newest certificate should have a successor: its end minus renew_before.
// Left out for a device whose hard end (not_after) comes first: it gets none, by design.
void renewal_due(std::string& out, const SyncRun& run,
                 const std::map<std::string, std::vector<const observed::Cert*>>& live) {
  if (!run.desired) return;
  family(out, "certgate_device_renewal_due_timestamp_seconds", "gauge",
         "When the device's newest certificate enters its renewal window: past it, a successor "
         "should exist.");
  for (const auto& [device, certs] : live) {
    const desired::Device* d = run.desired->find_device(device);
    if (!d || d->is_revoked()) continue;
    const base::Instant end = certs.front()->not_after;
    if (d->not_after && !(end < *d->not_after)) continue;
    out += "certgate_device_renewal_due_timestamp_seconds{device=\"" + label(device) + "\"} " +
           std::to_string(unix_seconds(end - d->renew_before)) + "\n";
  }
}

void device_families(std::string& out, const SyncRun& run, const observed::ObservedState& o) {
  const auto live = live_by_device(o, run.finished_at);
  family(out, "certgate_device_certificates", "gauge",
         "Live certificates per device: more than 1 during a renewal overlap.");
  for (const auto& [device, certs] : live)
    out += "certgate_device_certificates{device=\"" + label(device) + "\"} " +
           std::to_string(certs.size()) + "\n";
  family(out, "certgate_device_expiry_timestamp_seconds", "gauge",
         "notAfter of each device's newest live certificate (older ones may end sooner, by "
         "design).");
  for (const auto& [device, certs] : live)
    out += "certgate_device_expiry_timestamp_seconds{device=\"" + label(device) + "\"} " +
           std::to_string(unix_seconds(certs.front()->not_after)) + "\n";
  renewal_due(out, run, live);
  if (run.access_logs.empty()) return;
  family(out, "certgate_access_log_read", "gauge",
         "1 when the access log (log_format certgate) of a target could be read, else 0.");
  bool any_read = false;
  for (const observed::AccessLogSeen& log : run.access_logs) {
    any_read = any_read || log.is_read();
    out += "certgate_access_log_read{target=\"" + label(log.target) + "\",path=\"" +
           label(log.path) + "\"} " + (log.is_read() ? "1" : "0") + "\n";
  }
  if (!any_read) return;
  const auto seen = observed::last_seen_by_device(o, run.access_logs, run.finished_at);
  family(out, "certgate_device_newest_certificate_last_seen_timestamp_seconds", "gauge",
         "When nginx last logged a request with the device's newest certificate (absent: not in "
         "the log read).");
  for (const auto& [device, certs] : live) {
    if (auto s = observed::last_seen_serial(run.access_logs, certs.front()->serial))
      out += "certgate_device_newest_certificate_last_seen_timestamp_seconds{device=\"" +
             label(device) + "\"} " + std::to_string(unix_seconds(s->at)) + "\n";
  }
  family(out, "certgate_device_uses_old_certificate", "gauge",
         "1 when the device was last seen with an older certificate than its newest: it has not "
         "picked up its renewal.");
  for (const auto& [device, certs] : live) {
    auto it = seen.find(device);
    const bool old = it != seen.end() && !it->second.is_newest;
    out += "certgate_device_uses_old_certificate{device=\"" + label(device) + "\"} " +
           (old ? "1" : "0") + "\n";
  }
}

}  // namespace

std::string sync_metrics(const SyncRun& run, const observed::ObservedState& observed) {
  std::string out;
  sync_families(out, run, observed);
  pki_families(out, run, observed);
  device_families(out, run, observed);
  return out;
}

}  // namespace certgate::render
