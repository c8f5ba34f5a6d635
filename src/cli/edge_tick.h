// One tick of `certgate edge` (DESIGN.md section 2, issue #15), the edge side of pull mode:
// fetch the publish branch, refuse an unsigned or rewound tip, check HOST/
// (edge/published_check.h), deploy it to the local nginx (edge/edge_deploy.h), check the gates
// after a reload, and write the metrics. cmd_edge.cc runs it once (--once) or in the agent's loop
// (agent/agent.h).
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "cli/global_options.h"
#include "desired/desired_state.h"
#include "edge/edge_deploy.h"
#include "source/git_published.h"

namespace certgate::cli {

// The command line of `certgate edge`, as given.
struct EdgeFlags {
  std::string from;       // the publish repository: path, file://, ssh://, https://, scp-like
  std::string host;       // the folder of the branch that holds this edge's files
  std::string nginx_dir;  // where nginx reads them; the manifest's dir must name it
  std::string test;       // nginx's test command (--test or CERTGATE_EDGE_TEST)
  std::string reload;     // its reload command (--reload or CERTGATE_EDGE_RELOAD)
  std::string branch = "main";
  std::string interval = "1m";
  std::string max_backoff = "15m";
  bool once = false;
  std::string metrics_file;
  bool require_signed = false;
  std::string allowed_signers;
  bool allow_rewind = false;
  std::vector<std::string> probes;              // SITE=URL
  std::vector<std::string> probe_server_names;  // SITE=NAME
};

// The flags checked and resolved once, for every tick.
struct EdgeConfig {
  source::PublishedFetch fetch;  // url (a local path made absolute), branch, host, mirror, ssh
  std::string nginx_dir;         // absolute
  edge::EdgeCommands commands;
  std::string status_path;  // STATE/edge/HOST.status.json
  std::string lock_path;    // STATE/edge/HOST.lock: one tick at a time per host
  bool require_signed = false;
  std::string allowed_signers;
  bool allow_rewind = false;
  std::string metrics_file;
  std::vector<desired::Site> probes;
};

// Errc::invalid for a missing or malformed option (a relative --nginx-dir, --require-signed
// without --allowed-signers, a bad --probe...); reads --known-hosts for an SSH URL.
Result<EdgeConfig> edge_config(const GlobalOptions& g, const EdgeFlags& flags, sys::Filesystem& fs);

// One tick: returns 0 when the edge serves the tip's files (changed or not), 1 with why on
// stderr when anything was refused or failed (the edge's files are then as before). Writes the
// status and, with --metrics-file, the metrics, whatever happened.
int edge_tick(const EdgeConfig& config);

}  // namespace certgate::cli
