// What identifies this process's circumstances for a cache of its answers (cli/run_cache.h):
// the running binary (device, inode, size and modification time of /proc/self/exe, so a
// rebuilt or upgraded certgate never reuses an old answer), the working directory (relative
// paths), the effective user (what it may read) and whether stdout is a terminal (colours).
#pragma once

#include <string>

namespace certgate::sys {

// "exe=DEV:INO:SIZE:MTIME_NS cwd=DIR uid=N tty=0|1"; empty when the binary cannot be
// identified (then nothing may be cached).
std::string process_identity();

}  // namespace certgate::sys
