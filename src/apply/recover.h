// recover(): finishes or rolls back what an interrupted apply left (see device_files.h), so
// every apply starts from a consistent database:
//  - newcerts/SERIAL.pem whose serial index.txt does not know: never committed, removed;
//  - devices/NAME/next/ whose certificate index.txt knows as valid: committed, installed;
//  - any other devices/NAME/next/: removed;
//  - temp files of interrupted atomic writes: removed.
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

  bool is_empty() const {
    return !discarded_ca_setup && removed_newcerts.empty() && installed_devices.empty() &&
           discarded_staging.empty() && removed_temp_files == 0;
  }
};

Result<RecoveryReport> recover(sys::Filesystem& fs, const std::string& state_dir);

}  // namespace certgate::apply
