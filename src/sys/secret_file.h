// Files and folders that hold secrets (the CA key, device keys, bundles and their passwords, the
// state directory) are the owner's alone: every command that reads one refuses it when its mode
// lets anyone else in, with the same words, rather than carry on with a key others may have
// read (apply, sync, plan, status, bundle, enroll and verify alike).
#pragma once

#include <string>

#include "base/result.h"
#include "sys/filesystem.h"

namespace certgate::sys {

// Errc::refused when `path` exists and its mode has any group or other bit (077): "refusing to
// use PATH: its mode is 0644, open to others; it holds secrets: run chmod 600 on it (700 for a
// folder) and check who has seen it". A missing path is fine.
Result<void> check_private(Filesystem& fs, const std::string& path);

// A folder of secrets that a command may create: made 0700 when missing, else check_private.
Result<void> prepare_private_dir(Filesystem& fs, const std::string& dir);

// The bytes of secret file `path`, once check_private passes.
Result<std::string> read_secret(Filesystem& fs, const std::string& path);

}  // namespace certgate::sys
