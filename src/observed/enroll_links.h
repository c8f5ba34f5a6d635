// Enrollment links (DESIGN.md section 3, "First enrollment"): one file per device with an open
// link, STATE/enroll/DEVICE.json (mode 0600, in STATE/enroll, mode 0700), never in git, never in
// state.json, never logged. The JSON form lives here, once; apply/enroll_store.h writes the
// files, and `certgate enroll` calls it.
//
// For whoever deploys the pages (apply/, from read_enroll_links at the apply's `now`):
//  - each EnrollLink in `open` gets, on the targets that serve the [enroll] site, the page
//    render::enroll_page() and the device's bundle.p12 and bundle.mobileconfig under
//    `{path}e/TOKEN/`, reachable without a client certificate; a link whose device is unknown,
//    revoked, past not_after, uses a CSR, or has no bundle yet gets nothing (yet);
//  - any other `{path}e/...` (a guessed token, an expired or cancelled link) answers with
//    render::dead_link_page(), so a link dies at the first apply after its expiry or its
//    --cancel (the agent should tick at the nearest expires_at);
//  - `certgate enroll DEVICE` replaces a device's token: the old link dies at the next apply;
//  - the token is a secret like a password: keep it out of plan text and JSON (name the device,
//    not the path), logs, state.json, snapshots and generated headers. Use it only in deployed
//    paths and nginx locations, which is safe because it is 40 lowercase hex digits.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "sys/filesystem.h"

namespace certgate::observed {

// STATE/enroll, relative to the state directory.
inline constexpr const char* kEnrollDir = "enroll";

struct EnrollLink {
  std::string device;
  std::string token;  // secret: 32 to 128 lowercase hex digits (40 when certgate makes it)
  base::Instant created_at;
  base::Instant expires_at;  // created_at + [enroll].link_validity
  // Set instead of `token` in a snapshot (observed/snapshot.h), which never holds a token: the
  // sha256 of the token, which the generation of the files needs (render/nginx_files.h).
  std::string token_sha256 = "";

  // True while the link may serve its bundle: `now` before expires_at.
  bool is_open(base::Instant now) const { return now < expires_at; }
  bool operator==(const EnrollLink&) const = default;
};

// What a token reads as where it must not be known (a snapshot, the files' generation):
// "{token:alice-phone}", or "{token:closed}" for a token no open link has.
std::string token_placeholder(std::string_view device);

// STATE/enroll/DEVICE.json.
std::string enroll_link_path(const std::string& state_dir, std::string_view device);

// Why `token` cannot be a link token (not 32 to 128 lowercase hex digits), or "" when it can.
// The message never quotes the token.
std::string token_problem(std::string_view token);

// The file's bytes: {"format_version":1,"device":...,"token":...,"created_at":RFC 3339,
// "expires_at":RFC 3339}.
std::string format_enroll_link(const EnrollLink& link);

// Parses a file made by format_enroll_link. Errc::invalid saying what is wrong, without quoting
// the file (it holds the token).
Result<EnrollLink> parse_enroll_link(std::string_view text);

struct EnrollLinks {
  std::vector<EnrollLink> open;     // sorted by device
  std::vector<EnrollLink> expired;  // sorted by device; their files may be removed
  // One line per file that was ignored: "STATE/enroll/x.json: mode 0644, want 0600 (ignored)".
  std::vector<std::string> problems;
};

// Reads every STATE/enroll/*.json as of `now`. A missing STATE/enroll means no link. Ignored,
// and named in `problems`: a file that does not parse, whose name is not DEVICE.json for its
// device, that group or others may read, or whose token another file has too (both files).
// Names starting with '.' (write_atomic's temp files) are skipped silently. Errc::io when the
// directory or a file cannot be read.
Result<EnrollLinks> read_enroll_links(sys::Filesystem& fs, const std::string& state_dir,
                                      base::Instant now);

}  // namespace certgate::observed
