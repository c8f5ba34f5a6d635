#include "apply/bundle_export.h"

#include <algorithm>

#include "apply/device_files.h"
#include "pki/ca_database.h"
#include "pki/inspect.h"
#include "pki/pkcs12.h"
#include "pki/random.h"
#include "sys/secret_file.h"

namespace certgate::apply {

Result<void> export_bundle(sys::Filesystem& fs, const std::string& state_dir,
                           const std::string& device, base::P12Profile profile,
                           const std::string& out) {
  DeviceFiles files(fs, state_dir);
  pki::CaDatabase db(fs, state_dir);
  const std::string dir = files.dir(device);
  auto key = sys::read_secret(fs, sys::join_path(dir, "key.pem"));
  if (!key) {
    if (key.error().code == Errc::not_found)
      return make_error(Errc::not_found, "device " + device +
                                             " has no stored key (not issued yet, revoked, or "
                                             "its key stays on the device: a CSR device)");
    return key.error();
  }
  pki::SecretString key_pem(std::move(*key));
  auto cert = fs.read(sys::join_path(dir, "cert.pem"));
  if (!cert) return cert.error();
  auto ca_cert = db.read_trust_pem();  // the chain: with a two-tier CA's root
  if (!ca_cert) return ca_cert.error();
  // Only the device's valid certificate is exported: never a revoked one whose key was left
  // behind by a crash.
  auto info = pki::inspect_certificate(*cert);
  if (!info) return info.error();
  auto ca = db.read();
  if (!ca) return ca.error();
  const bool valid = std::any_of(ca->index.begin(), ca->index.end(), [&](const auto& e) {
    return e.serial == info->serial && e.status == pki::IndexStatus::valid;
  });
  if (!valid)
    return make_error(Errc::refused, "device " + device + ": certificate " + info->serial +
                                         " is not valid in index.txt; nothing exported");
  const std::string pass_path = sys::join_path(dir, "bundle.pass");
  pki::SecretString password;
  auto stored = sys::read_secret(fs, pass_path);
  if (!stored && stored.error().code == Errc::refused) return stored.error();
  if (stored) {
    std::string v = std::move(*stored);
    if (!v.empty() && v.back() == '\n') v.pop_back();
    password = pki::SecretString(std::move(v));
  } else if (stored.error().code != Errc::not_found) {
    return stored.error();  // never replace a password the existing bundle may still use
  }
  if (password.empty()) {
    auto fresh = pki::random_password();
    if (!fresh) return fresh.error();
    password = std::move(*fresh);
    const pki::SecretString line(password.reveal() + "\n");
    if (auto r = fs.write_atomic(pass_path, line.reveal(), 0600); !r) return r;
  }
  auto bundle = pki::make_bundle(key_pem.reveal(), *cert, *ca_cert, device, password, profile);
  if (!bundle) return bundle.error();
  pki::SecretString bytes(std::move(*bundle));
  return fs.write_atomic(out, bytes.reveal(), 0600);
}

}  // namespace certgate::apply
