// A device's files under STATE/devices/NAME (DESIGN.md section 4) and their staging copy in
// STATE/devices/NAME/next, which makes an issuance crash-safe:
//
//   0. journal: STATE/staging names the batch's devices, durably, so recovery looks at
//      those devices only (not at 10,000 folders);
//   1. stage: next/{key.pem,cert.pem,bundle.p12,bundle.pass} and newcerts/SERIAL.pem, then one
//      Filesystem::sync() for the whole batch;
//   2. commit: index.txt gains the V lines, durably (the commit point);
//   3. install: next/* copied over the device's files, one sync() for the batch; then next/ is
//      removed.
// A crash before 2 leaves staged files whose serial index.txt does not know: recovery deletes
// them. A crash after 2 leaves next/ with a committed serial: recovery installs it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "pki/cert_cache.h"
#include "pki/secret.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// A device's certificate with what goes with it. key_pem, bundle and password are empty for a
// device whose key stays on the device (CSR).
struct DeviceMaterial {
  std::string device;
  std::string serial;
  std::string cert_pem;
  base::Instant not_after;
  pki::SecretString key_pem;
  pki::SecretString bundle;
  pki::SecretString password;
  pki::CertDetails details;  // for the certificate cache

  bool has_key() const { return !key_pem.empty(); }
};

class DeviceFiles {
 public:
  DeviceFiles(sys::Filesystem& fs, std::string state_dir);

  std::string devices_dir() const;
  std::string dir(const std::string& device) const;
  std::string next_dir(const std::string& device) const;

  // Step 0: records `devices` as the batch in progress, durably.
  Result<void> begin_batch(const std::vector<std::string>& devices);
  // The devices of a batch that did not finish, or nullopt when none is recorded.
  Result<std::optional<std::vector<std::string>>> unfinished_batch();
  // Forgets the batch (after step 3, or once recovery has dealt with it).
  Result<void> end_batch();

  // Step 1 for one device: writes next/* (deferred; the caller syncs the batch).
  Result<void> stage(const DeviceMaterial& m);
  // Step 3 for one device: moves next/* over the device's files (deferred), cert.pem last, so
  // that next/cert.pem marks an install not finished; files already moved are skipped, which
  // makes it safe to repeat after a crash.
  Result<void> install(const std::string& device);
  // Removes key.pem and the bundle when they do not belong to cert.pem (the device now uses a
  // CSR, or an install was interrupted after a CSR device's cert.pem moved).
  Result<void> remove_stale_secrets(const std::string& device);
  // Removes next/ and what is in it.
  Result<void> clear_next(const std::string& device);
  // What next/ holds, or nullopt when it has no certificate.
  Result<std::optional<DeviceMaterial>> read_next(const std::string& device);
  // The device's bundle password (bundle.pass without its newline), for a renewed bundle to
  // keep; nullopt when there is none or it is not usable (empty, blanks, not printable ASCII).
  // Errc::refused when the file is open to others (sys/secret_file.h).
  Result<std::optional<pki::SecretString>> read_password(const std::string& device);
  // After a revocation: the key, the bundle and its open enrollment link are of no more use;
  // the certificate stays.
  Result<void> remove_secrets(const std::string& device);

 private:
  Result<void> write_set(const std::string& dir, const DeviceMaterial& m);
  sys::Filesystem& fs_;
  std::string state_dir_;
};

}  // namespace certgate::apply
