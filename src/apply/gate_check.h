// The live gate check of a site (DESIGN.md section 2, `certgate verify`): three TLS connections
// to the site's probe, without a client certificate, with one from a throwaway foreign CA and
// with a revoked certificate of this CA, each of which the gate must refuse; and for a site with
// public paths, requests without a certificate on gated paths spelled to look public once
// decoded, which must be refused too.
//
// apply/ runs it after an nginx reload (with `settle`, since new workers take a moment) and
// cli/cmd_verify.cc on demand. Deciding what a connection's outcome means (classify_probe) is a
// pure function; only check_gate touches the network, through pki::probe_https. Nothing here
// prints: callers render the GateReport.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "pki/index_format.h"
#include "pki/tls_probe.h"
#include "sys/filesystem.h"

namespace certgate::apply {

// ambiguous_path: no certificate, on a gated path spelled to read as a public one once nginx
// decodes it ("/admin/..%2Fhealthz"), which the upstream routes as the gated path.
enum class GateCheckKind { no_certificate, foreign_ca, revoked_certificate, ambiguous_path };

enum class GateVerdict {
  refused,               // the gate held: handshake refused, or HTTP 400, 403, 495 or 496
  admitted_by_fallback,  // no certificate, but from an address of an open [site.fallback]
  open_door,             // the server answered with any other status: the gate let it in
  cannot_check,          // no connection, no TLS, or no answer: nothing is known
  not_run,               // the materials for the check are missing
};

// JSON spellings: "no_certificate", "open_door"...
std::string_view to_string(GateCheckKind kind);
std::string_view to_string(GateVerdict verdict);
// For people: "no certificate", "foreign CA", "revoked certificate".
std::string_view describe(GateCheckKind kind);

struct GateCheck {
  GateCheckKind kind = GateCheckKind::no_certificate;
  GateVerdict verdict = GateVerdict::cannot_check;
  // Why, for a line after the verdict: "403", "TLS alert: certificate required", "HTTP 200",
  // "connect 127.0.0.1:8443: Connection refused".
  std::string detail;
  int http_status = 0;  // 0 when none was read
  int attempts = 0;     // probes made (more than 1 while waiting for `settle`)

  bool is_closed() const {
    return verdict == GateVerdict::refused || verdict == GateVerdict::admitted_by_fallback;
  }
  bool operator==(const GateCheck&) const = default;
};

// Where a site's probe connects and what it says.
struct ProbeTarget {
  std::string url;
  std::string host;  // to connect to
  int port = 443;
  std::string path;
  // The server_name extension: the site's first server name that is not a wildcard ("*.x.org"
  // becomes "certgate-probe.x.org" when all are), else the probe host unless it is an IP
  // literal (RFC 6066 3 forbids those; empty then: no SNI is sent).
  std::string sni;
  std::string host_header;  // the SNI, else the probe host ("[::1]" for IPv6)

  bool operator==(const ProbeTarget&) const = default;
};

// REQUIRES: site.probe.
ProbeTarget probe_target(const desired::Site& site);

// A request to `site`'s probe (REQUIRES: site.probe) for `path` (empty: the probe's own), without
// a client certificate.
pki::ProbeRequest probe_request(const desired::Site& site, const std::string& path,
                                std::chrono::milliseconds timeout);

// The paths of the ambiguous_path checks: under the probe's (gated) path, or "/certgate-probe/"
// when that is "/", "..%2F" and a public path, for the site's first two public paths; none when
// it has none.
std::vector<std::string> ambiguous_paths(const desired::Site& site);

// "probe path /healthz is public; point probe at a gated path" when the probe path (without its
// query) is one of the site's public_paths, exactly or under one ending in '/'; else nullopt.
std::optional<std::string> public_probe_path_problem(const desired::Site& site);

// What a connection's outcome means for the gate. Refused: an HTTP status of 400, 403, 495 or
// 496, or a TLS failure after the server presented its certificate (a fatal alert, or the
// connection closed mid-handshake), which is how a server refuses a client certificate. Any
// other status is an open door, except a no_certificate check admitted by an open
// [site.fallback] (now < until and `local_address` within allow_ips). A failure before the
// server's certificate (not TLS, wrong SNI) or without any answer is cannot_check.
GateCheck classify_probe(GateCheckKind kind, const Result<pki::ProbeResult>& probe,
                         const desired::Site& site, base::Instant now);

// What the three checks present.
struct GateMaterials {
  pki::ClientIdentity foreign;                 // from make_foreign_identity
  std::optional<pki::ClientIdentity> revoked;  // STATE/probe/revoked.{crt,key}
  std::string revoked_missing;  // why `revoked` is empty: the revoked check's "not run" reason
};

// A client certificate signed by a CA made here and thrown away (EC P-256, valid from an hour
// before `now` for a day), so that only its issuer is wrong. It copies `serial` (uppercase hex)
// when given: a gate that matched serials without checking the issuer would let it in. Empty
// `serial`: a random one. Fails with Errc::crypto.
Result<pki::ClientIdentity> make_foreign_identity(base::Instant now, const std::string& serial);

// The serial of a certificate the site lets in, live at `now` (valid in `index`, unexpired, of a
// device of `desired` that the site allows and that is not revoked), for make_foreign_identity
// to copy; "" when there is none.
std::string allowed_serial(const desired::DesiredState& desired, const desired::Site& site,
                           const std::vector<pki::IndexEntry>& index, base::Instant now);

// Materials with the revoked probe certificate of STATE/probe (revoked.crt and revoked.key) and
// no foreign identity yet (set it from make_foreign_identity). When either file is missing,
// `revoked` is empty and `revoked_missing` is "no revoked probe certificate in STATE/probe (run
// certgate apply)"; when one cannot be read, it says why. Reads only; never fails, so that the
// other two checks still run.
GateMaterials load_gate_materials(sys::Filesystem& fs, const std::string& state_dir);

using ProbeFn = std::function<Result<pki::ProbeResult>(const pki::ProbeRequest&)>;
using SleepFn = std::function<void(std::chrono::milliseconds)>;

struct GateCheckOptions {
  // How long a check that finds the door open (or cannot connect) keeps retrying before it
  // says so: a moment after `nginx -s reload`, old workers still answer. 0: one probe.
  std::chrono::milliseconds settle{0};
  std::chrono::milliseconds retry_interval{250};
  std::chrono::milliseconds timeout{5000};  // per connect, handshake and response
  ProbeFn probe;                            // empty: pki::probe_https (tests pass a fake)
  SleepFn sleep;                            // empty: std::this_thread::sleep_for
};

struct GateReport {
  std::string site;
  ProbeTarget target;
  std::string error;  // the site could not be checked at all (a public probe path)
  // no_certificate, foreign_ca, revoked_certificate, then one ambiguous_path per public path
  // probed
  std::vector<GateCheck> checks;

  // True when there is no error and every check is refused or admitted by the fallback.
  bool is_closed() const;
  bool operator==(const GateReport&) const = default;
};

// Runs the checks against `site`'s probe. REQUIRES: site.probe. Touches the network only
// (connections to the probe); never fails as a whole, every problem is in the report.
GateReport check_gate(const desired::Site& site, const GateMaterials& materials, base::Instant now,
                      const GateCheckOptions& options);

}  // namespace certgate::apply
