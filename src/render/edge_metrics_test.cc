#include "render/edge_metrics.h"

#include <doctest/doctest.h>

namespace certgate::render {
namespace {

const base::Instant kNow{std::chrono::seconds{1767225600}};

bool has_line(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.starts_with(line + "\n");
}

TEST_CASE("edge metrics: the tick, the commits the files came from and the served CRL's dates") {
  EdgeRun run;
  run.host = "edge-1";
  run.finished_at = kNow;
  run.succeeded = true;
  run.last_success = kNow;
  run.published_commit = "abc";
  run.source = "git 1a2b3c4 (main)";
  run.source_commit = "1a2b";
  run.crl_this_update = kNow - std::chrono::seconds{3600};
  run.crl_next_update = kNow + std::chrono::seconds{86400};
  run.crl_number = 4;
  const std::string text = edge_metrics(run);
  CHECK(has_line(text, "certgate_edge_last_run_timestamp_seconds 1767225600"));
  CHECK(has_line(text, "certgate_edge_success 1"));
  CHECK(has_line(text, "certgate_edge_consecutive_failures 0"));
  CHECK(has_line(text, "certgate_edge_last_success_timestamp_seconds 1767225600"));
  CHECK(has_line(text, "certgate_edge_published_commit_info{host=\"edge-1\",commit=\"abc\"} 1"));
  CHECK(has_line(text,
                 "certgate_edge_source_commit_info{host=\"edge-1\",commit=\"1a2b\",source=\"git "
                 "1a2b3c4 (main)\"} 1"));
  CHECK(has_line(text, "certgate_edge_crl_next_update_timestamp_seconds 1767312000"));
  CHECK(has_line(text, "certgate_edge_crl_this_update_timestamp_seconds 1767222000"));
  CHECK(has_line(text, "certgate_edge_crl_number 4"));
  CHECK(has_line(text, "# TYPE certgate_edge_success gauge"));
}

TEST_CASE("edge metrics: a failing new edge reports its failures and nothing it does not know") {
  EdgeRun run;
  run.host = "edge-1";
  run.finished_at = kNow;
  run.consecutive_failures = 3;
  const std::string text = edge_metrics(run);
  CHECK(has_line(text, "certgate_edge_success 0"));
  CHECK(has_line(text, "certgate_edge_consecutive_failures 3"));
  CHECK(text.find("last_success") == std::string::npos);
  CHECK(text.find("commit_info") == std::string::npos);
  CHECK(text.find("crl_") == std::string::npos);
}

}  // namespace
}  // namespace certgate::render
