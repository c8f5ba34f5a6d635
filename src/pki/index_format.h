// The text format of `openssl ca`'s database, index.txt: one certificate per line, six
// tab-separated fields (status, expiry, revocation, serial, file name, subject).
//
//   V	271123120000Z		5F3A...	unknown	/CN=alice-phone
//   R	271123120000Z	261201093000Z,keyCompromise	61B2...	unknown	/CN=carol-ipad
//
// Pure functions with no I/O, shared by ca_database (which reads and writes the file) and by the
// fuzz target. OpenSSL's own reader is the reference: apps/lib/apps.c and apps/ca.c.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/pki_types.h"
#include "base/result.h"
#include "base/time.h"

namespace certgate::pki {

enum class IndexStatus { valid, revoked, expired };  // V, R, E

struct IndexEntry {
  IndexStatus status = IndexStatus::valid;
  base::Instant expires;
  std::optional<base::Instant> revoked_at;       // R lines only
  std::optional<base::RevocationReason> reason;  // R lines that name one
  // The revocation field as read ("261201093000Z,keyTime,..."): written back unchanged so that
  // what `openssl ca` recorded (a compromise time, a hold instruction) survives; cleared when
  // certgate revokes.
  std::string revocation_field;
  std::string serial;            // uppercase hex, even length
  std::string file = "unknown";  // openssl ca writes "unknown"
  std::string subject;           // "/CN=alice-phone" (openssl oneline)

  // The CN of `subject`, or "" when it has none.
  std::string common_name() const;
  bool operator==(const IndexEntry&) const = default;
};

// Parses index.txt. Empty lines are skipped; any malformed line fails the whole parse with
// Errc::invalid and "index.txt:LINE: what is wrong", because acting on half a database could
// reuse a serial or forget a revocation. Serials are normalised to uppercase.
Result<std::vector<IndexEntry>> parse_index(std::string_view text);

// The file text for `entries`, in the given order, each line ending in "\n".
std::string format_index(const std::vector<IndexEntry>& entries);

// index.txt's time form: UTCTime YYMMDDHHMMSSZ for 1950-2049, GeneralizedTime after
// (RFC 5280 4.1.2.5, as openssl ca writes them).
std::string format_index_time(base::Instant t);
Result<base::Instant> parse_index_time(std::string_view text);

// openssl ca's spelling of a reason ("CACompromise" where RFC 5280 says "cACompromise").
// Reading also accepts, as openssl does, any case and the forms `openssl ca -revoke` writes for
// -crl_compromise (keyTime), -crl_CA_compromise (CAkeyTime) and -crl_hold (holdInstruction).
// Reasons 9 and 10 have none: openssl ca cannot record them (desired/ refuses them).
std::optional<std::string_view> index_reason_name(base::RevocationReason r);

}  // namespace certgate::pki
