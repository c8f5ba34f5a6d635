#include "apply/recover.h"

#include <set>

#include "apply/device_files.h"
#include "apply/rollover.h"
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
    if (auto r = files.install(device); !r) return r;
    if (auto r = files.remove_stale_secrets(device); !r) return r;
    if (auto r = fs.sync(); !r) return r;
    report.installed_devices.push_back(device);
  } else if (auto listing = fs.list(files.next_dir(device)); listing && !listing->empty()) {
    report.discarded_staging.push_back(device);
  }
  return files.clear_next(device);
}

// CaDatabase::create writes the key first and the certificate last. A key without a
// certificate and with no certificate in index.txt has signed nothing: the setup was
// interrupted: the key is set aside (ca.key.interrupted-setup) and the other files removed, so
// that the next plan creates the CA afresh (a two-tier CA's intermediate.csr, written last by
// create_pending, marks a finished setup that waits for the root). With
// certificates in index.txt it is a damaged CA, which only a human may repair (observe() says so).
Result<void> recover_ca_setup(sys::Filesystem& fs, pki::CaDatabase& db, RecoveryReport& report) {
  // Only on certain knowledge: an I/O error is not "no certificate".
  auto cert = fs.stat(db.cert_path());
  if (cert || cert.error().code != Errc::not_found || !fs.stat(db.key_path())) return {};
  auto index = fs.read(db.index_path());
  if (index ? !index->empty() : index.error().code != Errc::not_found) return {};
  // A two-tier CA waiting for its root: create_pending wrote the CSR last, so its presence means
  // the setup finished (an error reading it is no knowledge either).
  auto csr = fs.stat(db.intermediate_csr_path());
  if (csr || csr.error().code != Errc::not_found) return {};
  // The key is set aside, not deleted: it signed nothing, but a private key is never destroyed
  // on a guess.
  if (auto r = fs.rename(db.key_path(), db.key_path() + ".interrupted-setup"); !r) return r;
  for (const char* name :
       {"index.txt", "index.txt.attr", "serial", "crlnumber", "openssl.cnf", "crl.pem"}) {
    if (auto r = fs.remove(sys::join_path(db.ca_dir(), name)); !r) return r;
  }
  report.discarded_ca_setup = true;
  return fs.sync();
}

}  // namespace

Result<RecoveryReport> recover(sys::Filesystem& fs, const std::string& state_dir) {
  RecoveryReport report;
  pki::CaDatabase db(fs, state_dir);
  DeviceFiles files(fs, state_dir);
  for (const std::string& dir : {state_dir, db.ca_dir(), sys::join_path(state_dir, "cache")}) {
    auto n = remove_temp_files(fs, dir);
    if (!n) return n.error();
    report.removed_temp_files += *n;
  }
  auto rollover = recover_rollover(fs, state_dir);
  if (!rollover) return rollover.error();
  report.finished_rollover = rollover->finished_swap;
  report.set_aside_next_ca = rollover->set_aside_next;
  report.removed_retired_keys = rollover->removed_keys;
  if (auto r = recover_ca_setup(fs, db, report); !r) return r.error();
  // Device folders and newcerts/ are looked at only when a batch did not finish: an apply of
  // 10,000 devices must not list 10,000 files first.
  auto batch = files.unfinished_batch();
  if (!batch) return batch.error();
  if (!*batch) return report;
  auto ca = db.read();
  if (!ca) return ca.error();
  std::set<std::string> known, valid;
  for (const pki::IndexEntry& e : ca->index) {
    known.insert(e.serial);
    if (e.status == pki::IndexStatus::valid) valid.insert(e.serial);
  }
  auto names = db.list_newcerts();
  if (!names) return names.error();
  for (const std::string& name : *names) {
    const std::string serial = name.ends_with(".pem") ? name.substr(0, name.size() - 4) : "";
    if (!is_temp_file(name) && (serial.empty() || known.contains(serial))) continue;
    if (auto r = fs.remove(sys::join_path(sys::join_path(db.ca_dir(), "newcerts"), name)); !r)
      return r.error();
    if (is_temp_file(name)) {
      ++report.removed_temp_files;
    } else {
      report.removed_newcerts.push_back(serial);
    }
  }
  for (const std::string& device : **batch) {
    for (const std::string& dir : {files.dir(device), files.next_dir(device)}) {
      auto removed = remove_temp_files(fs, dir);
      if (!removed) return removed.error();
      report.removed_temp_files += *removed;
    }
    if (auto r = recover_staging(fs, files, valid, device, report); !r) return r.error();
    // An install interrupted after a CSR device's cert.pem moved leaves its old key behind.
    if (auto r = files.remove_stale_secrets(device); !r) return r.error();
  }
  if (auto r = files.end_batch(); !r) return r.error();
  if (auto r = fs.sync(); !r) return r.error();
  return report;
}

}  // namespace certgate::apply
