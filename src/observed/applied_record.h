// STATE/state.json: what the last successful apply applied (source, commit, when), and where its
// files went, so that a due CRL still reaches those targets when a later desired state is
// refused or does not parse (cli/crl_guard.h). apply
// writes it, status and the agent read it; its JSON form lives here, once. Pure: callers do the
// file I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"

namespace certgate::observed {

// A target of the last apply, as its desired state described it.
struct RecordedTarget {
  std::string name;     // "local" or the [[host]] name
  std::string address;  // empty for local
  int port = 22;
  std::string user;
  std::string dir;  // its [nginx] settings
  std::string test;
  std::string reload;
  std::string worker_group = "";  // the group of its pickup/ files, when it serves [enroll]

  bool operator==(const RecordedTarget&) const = default;
};

// Where the last apply published the files of its pull hosts ([publish]), for guard_crl: a due
// CRL reaches their folders on that branch too. Empty repo: there were no pull hosts.
struct RecordedPublish {
  std::string repo;
  std::string branch;
  std::string signing_key;
  std::vector<std::string> hosts;  // the pull hosts, sorted

  bool operator==(const RecordedPublish&) const = default;
};

struct AppliedRecord {
  std::string source;  // "file certgate.toml", "git 1a2b3c4 (main)"
  std::string commit;  // empty unless the source is git
  std::string source_sha256;
  base::Instant applied_at;
  // target -> path relative to its [nginx].dir -> sha256 of the file deployed there.
  std::map<std::string, std::map<std::string, std::string>> deployed;
  std::vector<RecordedTarget> targets;
  // The applied [ca] CRL settings: a CRL refreshed without a valid desired state keeps them.
  std::chrono::seconds crl_validity{0};
  std::chrono::seconds crl_refresh_before{0};
  RecordedPublish publish = {};

  bool operator==(const AppliedRecord&) const = default;
};

// STATE/state.json's text for `record`.
std::string format_applied_record(const AppliedRecord& record);

// Parses STATE/state.json's text; Errc::invalid when it is not ours.
Result<AppliedRecord> parse_applied_record(std::string_view text);

}  // namespace certgate::observed
