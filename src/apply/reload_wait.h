// After `nginx -s reload`: waiting until new connections are served by the files just deployed.
//
// The reload command returns before nginx's old workers stop accepting, and for about 100 ms
// new TLS connections still meet the old configuration (a just-revoked certificate got 200;
// DESIGN.md section 7). The http.conf certgate writes makes nginx name its generation in an
// `X-Certgate-Generation` response header (render/nginx_files.h), so apply probes each site
// without a client certificate until a run of consecutive new connections all name a generation
// it deployed. Only the probes touch the network (pki::probe_https, or a fake in tests).
#pragma once

#include <chrono>
#include <set>
#include <string>

#include "apply/gate_check.h"
#include "desired/desired_state.h"

namespace certgate::apply {

struct GenerationWaitOptions {
  int consecutive = 10;  // new connections in a row that must all name a deployed generation
  std::chrono::milliseconds retry_interval{25};  // between any two connections
  std::chrono::milliseconds settle{10000};       // give up after this long: the old config stays
  // Connections answered without any generation header before one shows it: the server does
  // not include certgate's SITE.conf at all (the gate check that follows says so), so waiting
  // longer would tell nothing.
  int max_without_header = 40;
  std::chrono::milliseconds timeout{2000};  // per connection
  ProbeFn probe;                            // empty: pki::probe_https
  SleepFn sleep;                            // empty: std::this_thread::sleep_for
};

enum class GenerationOutcome {
  current,       // `consecutive` connections in a row named a deployed generation
  stale,         // connections still met another generation when `settle` ran out
  not_included,  // no connection named any generation: the server does not include SITE.conf
  cannot_check,  // no connection could be made
};

struct GenerationWait {
  GenerationOutcome outcome = GenerationOutcome::cannot_check;
  int connections = 0;
  std::string last_seen;  // the generation the last connection named, "" for none
  std::string detail;     // for cannot_check: the last connection's error

  bool operator==(const GenerationWait&) const = default;
};

// Probes `site` (REQUIRES: site.probe) without a client certificate until `options.consecutive`
// connections in a row name a generation in `deployed`, or until `settle` is spent (in time, or
// in tries of `retry_interval` each).
GenerationWait wait_for_generation(const desired::Site& site, const std::set<std::string>& deployed,
                                   const GenerationWaitOptions& options);

}  // namespace certgate::apply
