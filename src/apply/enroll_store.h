// Writing enrollment links (observed/enroll_links.h has the files and their readers): the one
// open link of a device is made, replaced or cancelled here, atomically through sys::Filesystem.
// `certgate enroll` calls these while it holds STATE/lock.
#pragma once

#include <chrono>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "observed/enroll_links.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// Opens a link for `device`, replacing the one it had (whose token then dies at the next
// apply): a fresh random token, created at `now`, expiring at `now + validity`, written to
// STATE/enroll/DEVICE.json with mode 0600 (STATE/enroll is made 0700). Returns the link; the
// caller prints its token in the URL and logs nothing of it. Errc::crypto when the CSPRNG fails,
// Errc::io when the file cannot be written. REQUIRES: base::is_valid_name(device),
// validity > 0.
Result<observed::EnrollLink> open_enroll_link(sys::Filesystem& fs, const std::string& state_dir,
                                              const std::string& device, base::Instant now,
                                              std::chrono::seconds validity);

// Ends `device`'s link by removing its file, so the next apply takes its page down (cancelled
// links are not remembered: any unknown token gets the dead-link page). Returns whether a file
// was there. Errc::io when it cannot be removed. REQUIRES: base::is_valid_name(device).
Result<bool> cancel_enroll_link(sys::Filesystem& fs, const std::string& state_dir,
                                const std::string& device);

}  // namespace certgate::apply
