// recover(): finishes or rolls back what an interrupted apply left (see device_files.h), so
// every apply starts from a consistent database:
//  - temp files of interrupted atomic writes in STATE, ca/ and cache/: removed;
//  - an interrupted CA rollover or retirement (apply/rollover.h): finished, or its unfinished
//    next CA set aside;
//  - a CA key without certificate and without issued certificates (an interrupted CA setup):
//    set aside as ca.key.interrupted-setup, the setup's other files removed;
//  - after an unfinished batch (STATE/staging): newcerts/SERIAL.pem whose serial index.txt
//    does not know was never committed, and is removed; next/ of the batch's devices whose
//    certificate index.txt knows as valid was committed, and is installed; any other next/ is
//    removed, with temp files in those folders, and keys that no longer match their device's
//    certificate.
// Only the devices of an unfinished batch are looked at, never all of devices/.
// REQUIRES: the caller holds STATE/lock.
#pragma once

#include <string>
#include <vector>

#include "base/result.h"
#include "sys/filesystem.h"

namespace certgate::apply {

struct RecoveryReport {
  std::vector<std::string> removed_newcerts;   // serials
  std::vector<std::string> installed_devices;  // device names
  std::vector<std::string> discarded_staging;  // device names
  int removed_temp_files = 0;
  bool discarded_ca_setup = false;
  bool finished_rollover = false;  // STATE/ca-next moved into STATE/ca
  bool set_aside_next_ca = false;  // an unfinished STATE/ca-next went to STATE/retired/
  int removed_retired_keys = 0;

  bool is_empty() const {
    return !discarded_ca_setup && !finished_rollover && !set_aside_next_ca &&
           removed_retired_keys == 0 && removed_newcerts.empty() && installed_devices.empty() &&
           discarded_staging.empty() && removed_temp_files == 0;
  }
};

Result<RecoveryReport> recover(sys::Filesystem& fs, const std::string& state_dir);

}  // namespace certgate::apply
