// The certificate-details cache, STATE/cache/certs.tsv: for each serial, what observed/ needs
// to know of a certificate beyond index.txt (notBefore, key type, public-key hash, owner).
//
// Reading a certificate costs OpenSSL 3 a provider decode of its key; for 10,000 devices that
// made every plan take seconds. A certificate never changes under its serial (serials are never
// reused), so an entry, once written, stays true. The cache is derived data: a missing or
// unreadable cache only means reading the certificates again. Pure functions, no I/O.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "base/pki_types.h"
#include "base/time.h"

namespace certgate::pki {

struct CertDetails {
  base::Instant not_before;
  std::optional<base::KeyType> key;
  std::string public_key_sha256;
  std::string owner;
  std::string origin;  // where the key was made: "server", "csr", or "" when not known

  bool operator==(const CertDetails&) const = default;
};

using CertCache = std::map<std::string, CertDetails>;  // by serial

// Lines "SERIAL\tNOT_BEFORE_UNIX\tKEY\tSPKI_SHA256\tOWNER\tORIGIN". nullopt when any line is
// malformed (the caller then ignores the whole cache).
std::optional<CertCache> parse_cert_cache(std::string_view text);
std::string format_cert_cache(const CertCache& cache);

}  // namespace certgate::pki
