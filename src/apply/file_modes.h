// The modes and groups of the files a deploy writes on a target (apply/deploy.h): the nginx
// files are 0644, nothing secret in them; DIR/pickup/ holds bundles and the links' tokens, 0750
// and 0640 with [nginx].worker_group, for nginx's workers and nobody else.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "sys/filesystem.h"

namespace certgate::apply {

inline constexpr std::uint32_t kFileMode = 0644;
inline constexpr std::uint32_t kDirMode = 0755;
inline constexpr std::uint32_t kPrivateMode = 0640;
inline constexpr std::uint32_t kPrivateDirMode = 0750;

// True for a file of DIR/pickup/ ("pickup/alice.p12").
bool is_private(const std::string& rel);

// Writes `bytes` to `path` (deferred) with the mode and group `rel` gets on the target (`group`
// empty: the writer's own). A private file gets its group before it takes the name nginx reads:
// a staged one (`live` false) is renamed into place later, a live one goes through a temp file
// beside it, so a failing chgrp never leaves a bundle nginx's workers cannot read in place of
// one they could.
Result<void> write_target_file(sys::Filesystem& fs, const std::string& group,
                               const std::string& path, const std::string& rel,
                               const std::string& bytes, bool live);

}  // namespace certgate::apply
