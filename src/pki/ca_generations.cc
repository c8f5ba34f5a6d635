#include "pki/ca_generations.h"

#include "pki/ca_database.h"
#include "pki/inspect.h"

namespace certgate::pki {

Result<bool> has_previous_ca(sys::Filesystem& fs, const std::string& state_dir) {
  auto info = fs.stat(CaDatabase(fs, state_dir, kPreviousCaDir).cert_path());
  if (info) return true;
  if (info.error().code == Errc::not_found) return false;
  return info.error();
}

bool is_next_intermediate(const CaFiles& files) {
  return files.has_ca_key && files.intermediate_csr_pem && files.index.empty() &&
         load_csr(*files.intermediate_csr_pem);
}

namespace {

// `pem` (of STATE/ca), then the outgoing CA's file `path` of a rollover when there is one.
Result<std::string> with_previous(sys::Filesystem& fs, const std::string& state_dir,
                                  Result<std::string> pem,
                                  std::string (CaDatabase::*path)() const) {
  if (!pem) return pem;
  auto previous = has_previous_ca(fs, state_dir);
  if (!previous) return previous.error();
  if (!*previous) return pem;
  auto old = fs.read((CaDatabase(fs, state_dir, kPreviousCaDir).*path)());
  if (!old) return old.error();
  return *pem + *old;
}

}  // namespace

Result<std::string> nginx_trust_pem(sys::Filesystem& fs, const std::string& state_dir) {
  return with_previous(fs, state_dir, CaDatabase(fs, state_dir).read_trust_pem(),
                       &CaDatabase::cert_path);
}

Result<std::string> nginx_crl_pem(sys::Filesystem& fs, const std::string& state_dir) {
  return with_previous(fs, state_dir, CaDatabase(fs, state_dir).read_crl_bundle(),
                       &CaDatabase::crl_path);
}

}  // namespace certgate::pki
