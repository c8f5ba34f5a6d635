// The observed state with nothing secret (DESIGN.md section 2, `certgate snapshot`): what
// `plan --observed` needs to plan on a CI runner that has the pull request's checkout and this
// file, and no state directory. schemas/snapshot.schema.json documents its JSON.
//
// What it holds: the CA certificate and the CRL (public: every nginx host and client has them),
// every certificate of the database with the details the planner compares (serial, device,
// dates, state, revocation reason, key type and origin, owner, the sha256 of its public key),
// the database fingerprints, the last apply's record, and per target the deployed files as
// plan compares them: sha256 of each, the text of certgate's generated .conf files (maps of
// serials to device names, server blocks: what the TOML and the serials already say).
//
// What it never holds: a private key, a bundle, a password, an enrollment token. Files of
// DIR/pickup/ are known by sha256 only; pickup/links.conf, whose locations name the tokens, has
// its text with every token replaced by "{token:DEVICE}" (the device's open link) or
// "{token:closed}", so CI can tell whether the links it would serve are the deployed ones
// without knowing a token. The devices' pickup files are known by the sha256 of what the CA
// host would serve (pem, p12 and mobileconfig), made with the [ca] common_name it records.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "observed/observed_state.h"

namespace certgate::observed {

inline constexpr int kSnapshotFormatVersion = 1;

// The sha256 of the pickup files the CA host serves for a device; empty when it has none.
struct PickupDigest {
  std::string pem;
  std::string p12;
  std::string mobileconfig;

  bool operator==(const PickupDigest&) const = default;
};

struct Snapshot {
  base::Instant taken_at;
  // The observed state without the secrets: no CSRs (CI reads them from the source), enrollment
  // links without their token, no link problems; targets as described above.
  ObservedState observed;
  std::string ca_pem;   // STATE/ca/ca.crt, empty when there is no CA
  std::string crl_pem;  // STATE/ca/crl.pem, empty when there is none
  // device -> what its pickup files hash to, and the [ca] common_name the profiles name.
  std::map<std::string, PickupDigest> pickup;
  std::string pickup_ca_common_name;

  bool operator==(const Snapshot&) const = default;
};

// `links_conf` with every "e/TOKEN/" token replaced by token_placeholder of the device whose
// open link in `open` has it, or "{token:closed}" when none has.
std::string redact_links(std::string_view links_conf, const std::vector<EnrollLink>& open);

// `observed` as a snapshot may hold it: tokens, CSRs and link problems dropped, pickup/ texts
// dropped except links.conf's, redacted.
ObservedState without_secrets(const ObservedState& observed);

// The JSON document, pretty-printed, ending in a newline; byte-identical for equal snapshots.
std::string format_snapshot(const Snapshot& snapshot);

// Parses a document made by format_snapshot. Errc::invalid naming what is wrong ("snapshot:
// certificates[3].not_after: not an RFC 3339 instant").
Result<Snapshot> parse_snapshot(std::string_view text);

}  // namespace certgate::observed
