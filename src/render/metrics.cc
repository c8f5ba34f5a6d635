#include "render/metrics.h"

namespace certgate::render {
namespace {

long long unix_seconds(base::Instant t) { return t.time_since_epoch().count(); }

// A label value: backslash, double quote and newline escaped (exposition format).
std::string label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

void family(std::string& out, const char* name, const char* type, const char* help) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

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
    family(out, "certgate_crl_number", "gauge", "crlNumber of the CRL.");
    out += "certgate_crl_number " + std::to_string(o.crl.number) + "\n";
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

}  // namespace

std::string sync_metrics(const SyncRun& run, const observed::ObservedState& observed) {
  std::string out;
  sync_families(out, run, observed);
  pki_families(out, run, observed);
  return out;
}

}  // namespace certgate::render
