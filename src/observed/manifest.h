// DIR/.certgate-manifest.json: certgate's own record, beside the nginx files of a target, of what
// it last wrote there. The generated files' headers name only what their bytes depend on (so a
// comment-only commit rewrites nothing and reloads nothing); which source a target's files came
// from lives here instead. It is written with the files, only by a deploy that changes some of
// them, so it names the last source that changed the target, not every commit applied since.
//
// In pull mode the same record sits in the publish repository beside each host's files
// (HOST/.certgate-manifest.json): the CA host says there which host and [nginx].dir the files are
// for and their sha256, and `certgate edge` checks them before it writes anything.
//
// Pure: the JSON form lives here, once; callers do the file I/O.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::observed {

// Relative to the target's [nginx].dir (and to HOST/ in a publish repository). A dotfile: an
// operator's `include DIR/*.conf` never picks it up, and nginx never reads it.
inline constexpr const char* kManifestFile = ".certgate-manifest.json";

struct Manifest {
  std::string source;  // what the files were generated from: "git commit 1a2b...", "file x ..."
  std::string commit;  // the source's git commit; empty for a file or directory source
  std::string target;  // "local" or the [[host]] name the files are for
  std::string dir;     // the [nginx].dir they were rendered for (ssl_crl and others name it)
  std::string generated_at;  // RFC 3339, when the deploy (or the publish) wrote them
  // `certgate edge`: the publish repository's commit the files were taken from; empty elsewhere.
  std::string published_commit = "";
  // Path relative to dir -> sha256 of every file certgate wrote there (not the manifest itself).
  std::map<std::string, std::string> files = {};

  bool operator==(const Manifest&) const = default;
};

// The manifest's text: JSON with sorted keys and a trailing newline, byte-identical for equal
// manifests.
std::string format_manifest(const Manifest& manifest);

// Parses a manifest's text; Errc::invalid, naming `name` and what is wrong, when it is not one
// (not JSON, another "format", a field of the wrong type, a file path that is absolute or has
// "." or ".." parts, a sha256 that is not 64 lowercase hex digits).
Result<Manifest> parse_manifest(std::string_view text, std::string_view name);

}  // namespace certgate::observed
