#include "render/edge_metrics.h"

#include "render/prometheus.h"

namespace certgate::render {
namespace {

using prometheus::family;
using prometheus::label;

std::string seconds(base::Instant t) { return std::to_string(t.time_since_epoch().count()); }

void tick_families(std::string& out, const EdgeRun& run) {
  family(out, "certgate_edge_last_run_timestamp_seconds", "gauge", "When the last tick ended.");
  out += "certgate_edge_last_run_timestamp_seconds " + seconds(run.finished_at) + "\n";
  family(out, "certgate_edge_success", "gauge", "1 when the last tick succeeded, else 0.");
  out += std::string("certgate_edge_success ") + (run.succeeded ? "1" : "0") + "\n";
  family(out, "certgate_edge_consecutive_failures", "gauge",
         "Ticks failed in a row (0 after a success).");
  out += "certgate_edge_consecutive_failures " + std::to_string(run.consecutive_failures) + "\n";
  family(out, "certgate_edge_duration_seconds", "gauge", "How long the last tick took.");
  out += "certgate_edge_duration_seconds " + std::to_string(run.duration_seconds) + "\n";
  if (run.last_success) {
    family(out, "certgate_edge_last_success_timestamp_seconds", "gauge",
           "When a tick last succeeded.");
    out += "certgate_edge_last_success_timestamp_seconds " + seconds(*run.last_success) + "\n";
  }
}

void file_families(std::string& out, const EdgeRun& run) {
  if (!run.published_commit.empty()) {
    family(out, "certgate_edge_published_commit_info", "gauge",
           "The publish repository's commit the edge's files came from.");
    out += "certgate_edge_published_commit_info{host=\"" + label(run.host) + "\",commit=\"" +
           label(run.published_commit) + "\"} 1\n";
    family(out, "certgate_edge_source_commit_info", "gauge",
           "The desired state the CA host rendered the edge's files from.");
    out += "certgate_edge_source_commit_info{host=\"" + label(run.host) + "\",commit=\"" +
           label(run.source_commit) + "\",source=\"" + label(run.source) + "\"} 1\n";
  }
  if (run.crl_next_update) {
    family(out, "certgate_edge_crl_next_update_timestamp_seconds", "gauge",
           "nextUpdate of the CRL the edge's nginx serves: every client is refused after it.");
    out +=
        "certgate_edge_crl_next_update_timestamp_seconds " + seconds(*run.crl_next_update) + "\n";
  }
  if (run.crl_this_update) {
    family(out, "certgate_edge_crl_this_update_timestamp_seconds", "gauge",
           "thisUpdate of the CRL the edge's nginx serves (its age: time() minus this).");
    out +=
        "certgate_edge_crl_this_update_timestamp_seconds " + seconds(*run.crl_this_update) + "\n";
  }
  if (run.crl_number >= 0) {
    family(out, "certgate_edge_crl_number", "gauge", "crlNumber of the CRL the edge serves.");
    out += "certgate_edge_crl_number " + std::to_string(run.crl_number) + "\n";
  }
}

}  // namespace

std::string edge_metrics(const EdgeRun& run) {
  std::string out;
  tick_families(out, run);
  file_families(out, run);
  return out;
}

}  // namespace certgate::render
