// ObservedState: what is on disk now, as plain values: the CA, every certificate of the CA
// database with the details the planner compares, the CRL, and the devices' CSRs as parsed.
//
// observed/ builds it (observe.h) and reads only; plan/ compares it with the DesiredState.
// Containers are sorted so equal disks give equal values and byte-identical plans.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/pki_types.h"
#include "base/time.h"
#include "observed/applied_record.h"
#include "observed/deployed.h"
#include "observed/enroll_links.h"

namespace certgate::observed {

// `certgate verify` proves that a revoked certificate is refused with one kept for the purpose:
// subject CN kRevokedProbeName (a space, so never a device name), revoked as soon as it is
// issued, its key and certificate in STATE/probe/revoked.key and STATE/probe/revoked.crt.
inline constexpr const char* kRevokedProbeName = "certgate revoked probe";
inline constexpr const char* kRevokedProbeKey = "probe/revoked.key";
inline constexpr const char* kRevokedProbeCert = "probe/revoked.crt";

enum class CertStatus { valid, revoked, expired };  // index.txt's V, R, E

// Where a certificate's key was made: by certgate (stored with a bundle) or on the device (CSR).
enum class KeyOrigin { unknown, server, csr };

struct Cert {
  std::string serial;  // uppercase hex, as nginx's $ssl_client_serial prints it
  std::string device;  // the subject CN
  CertStatus status = CertStatus::valid;
  base::Instant not_after;
  std::optional<base::Instant> revoked_at;
  std::optional<base::RevocationReason> reason;
  // From newcerts/SERIAL.pem, read for certificates not revoked; absent when the file is.
  bool has_file = false;
  base::Instant not_before;
  std::optional<base::KeyType> key;
  std::string owner;  // email SAN
  std::string public_key_sha256;
  KeyOrigin key_origin = KeyOrigin::unknown;  // from the certificate cache only
  bool is_cached = false;  // the details came from the certificate cache, not from the file
  // In STATE/ca-previous: signed by the outgoing CA of a rollover (pki/ca_generations.h).
  bool previous_ca = false;

  // Valid at `now`: not revoked, and `now` before its notAfter.
  bool is_live(base::Instant now) const { return status == CertStatus::valid && now < not_after; }
  bool operator==(const Cert&) const = default;
};

// Certificates and CRLs are signed valid from this long before they are made: client clocks
// (phones) run a little behind, and would refuse a certificate valid from "now" for a while.
inline constexpr std::chrono::seconds kBackdate{300};

// When an older live certificate that `newest` replaced for another reason than expiry (a new
// key type, key or owner) stops being kept beside it: [defaults].overlap after `newest` was
// issued. A renewal for expiry keeps its predecessor until that one's own notAfter instead.
inline base::Instant overlap_end(const Cert& newest, std::chrono::seconds overlap) {
  return newest.not_before + kBackdate + overlap;
}

// A CRL as read: the CA's own (ObservedState::crl) or a two-tier CA's root's (Ca::root_crl),
// its signature checked against that CA.
struct Crl {
  bool exists = false;
  long number = -1;
  base::Instant this_update;
  base::Instant next_update;
  std::vector<std::string> serials;  // sorted
  bool is_signed_by_ca = false;

  bool operator==(const Crl&) const = default;
};

struct Ca {
  bool exists = false;  // ca.crt is present
  std::string common_name;
  base::Instant not_before;
  base::Instant not_after;
  std::optional<base::KeyType> key;
  std::string serial = "";             // of ca.crt
  std::string public_key_sha256 = "";  // of ca.crt
  std::string cert_pem = "";           // ca.crt itself (public), for the checks of observe_tiers
  std::string subject_serial_number = "";  // an intermediate's generation ("" for the first)
  // Two tiers, before the root signed: ca.key and intermediate.csr are there, ca.crt is not.
  bool awaiting_root = false;
  std::string csr_public_key_sha256 = "";  // of STATE/ca/intermediate.csr
  // Two tiers, once installed: the CN of STATE/ca/root.crt ("" without one) and root.crl.
  std::string root_common_name = "";
  std::string root_public_key_sha256 = "";
  Crl root_crl = {};  // signed by the root: is_signed_by_ca

  bool operator==(const Ca&) const = default;
};

// The outgoing CA of a rollover (STATE/ca-previous), kept until its last certificate ended; its
// certificates are in ObservedState::certs with `previous_ca` set.
struct PreviousCa {
  bool exists = false;
  Ca ca;
  Crl crl;  // signed by it
  long next_crl_number = 1;

  bool operator==(const PreviousCa&) const = default;
};

// The source's files of a two-tier CA (intermediate_cert, root_cert, root_crl), checked against
// each other and the state by observe_tiers (observed/tiers.h).
struct SourceTiers {
  bool has_intermediate = false;  // intermediate_cert is in the source
  // Why the source's intermediate cannot be installed now ("" when it can, or is installed).
  std::string intermediate_problem;
  bool intermediate_installed = false;  // it is STATE/ca/ca.crt already
  // It is for the key of STATE/ca-next/intermediate.csr: the root signed the next intermediate
  // of a rollover (installable when intermediate_problem is "").
  bool intermediate_is_next = false;
  std::string intermediate_common_name;
  std::string intermediate_serial;
  base::Instant intermediate_not_after;
  std::string root_common_name;  // of the source's root_cert
  std::string root_public_key_sha256;
  // The source's root CRL, checked against the root (the installed one once there is one).
  Crl root_crl;
  std::string root_crl_problem;  // why it cannot be deployed ("" when it can)
  // A CA taken over with no STATE/ca/root.crt (an easy-rsa sub-CA): its ca.crt is signed by the
  // source's root, which the root CRL's deployment installs with it.
  bool root_signed_installed = false;
  // The RFC 2253 subject of the intermediate whose certificates the gates accept: the installed
  // one, else the one the source offers (pki::subject_rfc2253).
  std::string issuer_dn;
  // During a rollover, the gates accept the other generation's certificates too: the subject of
  // the next intermediate (intermediate_is_next) and of the outgoing CA (STATE/ca-previous).
  std::string next_issuer_dn = "";
  std::string previous_issuer_dn = "";

  bool operator==(const SourceTiers&) const = default;
};

// A device's CSR from the source, as parsed; `problem` is set when it does not verify.
struct Csr {
  std::string device;
  std::optional<base::KeyType> key;
  std::string public_key_sha256;
  std::string problem;

  bool operator==(const Csr&) const = default;
};

struct ObservedState {
  std::string state_dir;
  Ca ca;
  std::vector<Cert> certs;  // every index.txt line (both CAs' during a rollover), sorted by serial
  long next_crl_number = 1;
  Crl crl;
  PreviousCa previous;  // a rollover under way
  // A two-tier rollover's next intermediate waiting for the root (STATE/ca-next holds its key
  // and intermediate.csr: awaiting_root is set).
  Ca next;
  // STATE/ca-next is there, not as a next intermediate waiting for the root: a rollover was
  // interrupted, and the next apply finishes it.
  bool interrupted_rollover = false;
  std::vector<Csr> csrs;  // sorted by device
  SourceTiers tiers;      // [ca] mode = "intermediate" only
  // sha256 of the database files a plan depends on: "ca/index.txt", "ca/serial",
  // "ca/crlnumber", "ca/crl.pem", "ca/ca.crt" (absent files are absent here).
  std::map<std::string, std::string> fingerprints;
  // A revoked, unexpired probe certificate is in the database and its files in STATE/probe/.
  bool has_revoked_probe = false;
  // The nginx files found on each target (observe_deployed), sorted by target name.
  std::vector<TargetFiles> targets;
  // STATE/state.json: the last apply, with the files it deployed to each target; a deployed
  // file that differs from what it recorded was edited by hand (drift).
  std::optional<AppliedRecord> last_applied;
  // The open first-enrollment links of STATE/enroll (observed/enroll_links.h), sorted by device.
  // Their tokens are secrets: only the enroll site's deployed files may hold them.
  std::vector<EnrollLink> enroll_links;
  // Why a file of STATE/enroll was ignored (never quoting it).
  std::vector<std::string> enroll_link_problems;

  const Csr* find_csr(const std::string& device) const;
  bool operator==(const ObservedState&) const = default;
};

}  // namespace certgate::observed
