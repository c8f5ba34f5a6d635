#include "apply/reload_wait.h"

#include <algorithm>
#include <thread>

#include "pki/tls_probe.h"
#include "render/nginx_files.h"

namespace certgate::apply {

GenerationWait wait_for_generation(const desired::Site& site, const std::set<std::string>& deployed,
                                   const GenerationWaitOptions& o) {
  const pki::ProbeRequest request = probe_request(site, "", o.timeout);
  const ProbeFn probe = o.probe ? o.probe : ProbeFn(pki::probe_https);
  const int max_attempts = std::max(
      o.consecutive,
      static_cast<int>(o.settle / std::max(o.retry_interval, std::chrono::milliseconds(1))));
  // Bounded in time as well as in tries: a probe that connects and never answers costs its whole
  // timeout each time.
  const auto deadline = std::chrono::steady_clock::now() + o.settle;
  GenerationWait wait;
  int in_a_row = 0;
  int without_header = 0;
  bool any_header = false;
  bool any_answer = false;
  while (wait.connections < max_attempts && std::chrono::steady_clock::now() < deadline) {
    auto r = probe(request);
    ++wait.connections;
    const bool answered = r && r->http_status != 0;
    wait.last_seen = answered ? pki::header_value(r->head, render::kGenerationHeaderName) : "";
    if (!answered) wait.detail = r ? r->error : r.error().message;
    any_answer = any_answer || answered;
    any_header = any_header || !wait.last_seen.empty();
    // A connection refused while the workers change over is no answer either way.
    in_a_row = deployed.contains(wait.last_seen) ? in_a_row + 1 : (answered ? 0 : in_a_row);
    if (in_a_row >= o.consecutive) {
      wait.outcome = GenerationOutcome::current;
      return wait;
    }
    if (answered && wait.last_seen.empty() && !any_header &&
        ++without_header >= o.max_without_header) {
      wait.outcome = GenerationOutcome::not_included;
      return wait;
    }
    // Spaced out even within a run, so that a run spans a while: old and new workers both
    // accept for a moment, and a quick run of lucky connections must not end the wait.
    if (o.sleep) {
      o.sleep(o.retry_interval);
    } else {
      std::this_thread::sleep_for(o.retry_interval);
    }
  }
  wait.outcome = !any_answer  ? GenerationOutcome::cannot_check
                 : any_header ? GenerationOutcome::stale
                              : GenerationOutcome::not_included;
  return wait;
}

}  // namespace certgate::apply
