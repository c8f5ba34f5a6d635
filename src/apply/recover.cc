#include "apply/recover.h"

#include <set>

#include "apply/device_files.h"
#include "pki/ca_database.h"

namespace certgate::apply {

namespace {

// write_atomic's temp files are ".NAME.tmp.PID.N".
bool is_temp_file(const std::string& name) {
  return name.size() > 1 && name[0] == '.' && name.find(".tmp.") != std::string::npos;
}

Result<int> remove_temp_files(sys::Filesystem& fs, const std::string& dir) {
  auto names = fs.list(dir);
  if (!names) return names.error().code == Errc::not_found ? Result<int>(0) : names.error();
  int removed = 0;
  for (const std::string& n : *names) {
    if (!is_temp_file(n)) continue;
    if (auto r = fs.remove(sys::join_path(dir, n)); !r) return r.error();
    ++removed;
  }
  return removed;
}

Result<void> recover_staging(sys::Filesystem& fs, DeviceFiles& files,
                             const std::set<std::string>& valid, const std::string& device,
                             RecoveryReport& report) {
  auto staged = files.read_next(device);
  if (!staged) return staged.error();
  if (*staged && valid.contains((*staged)->serial)) {
    if (auto r = files.install(**staged); !r) return r;
    if (auto r = fs.sync(); !r) return r;
    report.installed_devices.push_back(device);
  } else if (auto listing = fs.list(files.next_dir(device)); listing) {
    report.discarded_staging.push_back(device);
  }
  return files.clear_next(device);
}

}  // namespace

Result<RecoveryReport> recover(sys::Filesystem& fs, const std::string& state_dir) {
  RecoveryReport report;
  pki::CaDatabase db(fs, state_dir);
  DeviceFiles files(fs, state_dir);
  for (const std::string& dir : {db.ca_dir(), sys::join_path(db.ca_dir(), "newcerts")}) {
    auto n = remove_temp_files(fs, dir);
    if (!n) return n.error();
    report.removed_temp_files += *n;
  }
  auto ca = db.read();
  if (!ca) return ca.error();
  std::set<std::string> known, valid;
  for (const pki::IndexEntry& e : ca->index) {
    known.insert(e.serial);
    if (e.status == pki::IndexStatus::valid) valid.insert(e.serial);
  }
  for (const std::string& serial : ca->newcerts) {
    if (known.contains(serial)) continue;
    if (auto r = db.remove_newcert(serial); !r) return r.error();
    report.removed_newcerts.push_back(serial);
  }
  auto devices = fs.list(files.devices_dir());
  if (!devices && devices.error().code != Errc::not_found) return devices.error();
  for (const std::string& device : devices ? *devices : std::vector<std::string>{}) {
    for (const std::string& dir : {files.dir(device), files.next_dir(device)}) {
      auto n = remove_temp_files(fs, dir);
      if (!n) return n.error();
      report.removed_temp_files += *n;
    }
    if (auto r = recover_staging(fs, files, valid, device, report); !r) return r.error();
  }
  if (auto r = fs.sync(); !r) return r.error();
  return report;
}

}  // namespace certgate::apply
