// The nginx include files of one target (DESIGN.md section 4), as text. PURE: values in, the
// files' bytes out, byte-identical for equal inputs. apply/deploy.h writes them.
//
//   http.conf        in http{}: serial -> device and groups maps, a gate map and a refusal
//                    sentence map per site, log_format certgate, map hash sizes for the
//                    allowlists, and the X-Certgate-Generation response header
//   sites/SITE.conf  in the site's server{}: client verification, CRL, a session cache zone of
//                    its own (tickets off), the 403 gate, and the named
//                    location that answers every refusal with an HTML page
//                    (render/refusal_pages.h)
//   sites/SITE.proxy.conf  in a proxied location{}: the gate again, and X-Client-* headers,
//                    overwriting any the client sent
//
// Checked against Debian's nginx 1.22: maps on $ssl_client_serial with certgate's serials; a
// revoked client that resumes a TLS session from before its revocation is refused (a new session
// when the site is its port's default server, the gate's 403 when it is not).
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/time.h"
#include "desired/desired_state.h"
#include "render/pickup_conf.h"

namespace certgate::render {

// A device certificate nginx should let in: valid now (or about to be issued by the plan).
struct LiveCert {
  std::string device;
  std::string serial;  // as $ssl_client_serial prints it

  bool operator==(const LiveCert&) const = default;
};

struct NginxInputs {
  std::string dir;              // [nginx].dir of the target; the files name ca.pem, crl.pem in it
  std::vector<LiveCert> certs;  // sorted by serial
  long crl_number = 0;  // of crl_pem, or of the CRL apply will sign (the generation names it)
  // The same for the outgoing CA's CRL during a rollover (-1: none).
  long previous_crl_number = -1;
  base::Instant now;  // a fallback window open at `now` is rendered, a closed one is not
  // The CA certificate and the CRL as PEM: written as ca.pem and crl.pem below a generated-by
  // header (OpenSSL skips the lines before "-----BEGIN"); absent, those two files are left out.
  std::optional<std::string> ca_pem;
  std::optional<std::string> crl_pem;
  // Where a device without a certificate gets one (the [enroll] site's URL), named on the
  // no-certificate page; empty: the page says to ask the administrator.
  std::string enroll_url;
  // The open first-enrollment links the [enroll] site serves (render/pickup_conf.h), sorted by
  // device: rendered into pickup/links.conf when `sites` has the enroll site.
  std::vector<EnrollLinkRef> links;
  // A two-tier CA: nginx trusts the root, so any certificate chaining to it verifies, one of
  // another intermediate too. Only a certificate whose issuer DN (RFC 2253, as nginx prints
  // $ssl_client_i_dn) is one of these counts: the serial maps read $certgate_serial, empty for
  // any other issuer. Empty: one tier, the maps read $ssl_client_serial.
  std::vector<std::string> issuer_dns = {};
};

// The directive http.conf ends with: `add_header X-Certgate-Generation "GEN" always;`, GEN naming
// the set of files it belongs to (16 hex digits, different whenever any file of the target is).
// Servers and locations that set add_header lines of their own do not inherit it.
inline constexpr const char* kGenerationHeader = "add_header X-Certgate-Generation";
inline constexpr const char* kGenerationHeaderName = "X-Certgate-Generation";

// The generation an http.conf's text names; empty when it names none.
std::string generation_of(std::string_view http_conf);

// Whether the http.conf of a target serving `sites` names `device`'s certificates: when some
// site of them allows it, or they include the [enroll] site (pickup admits any device of the
// CA). A device no site of a target allows is not named there, so issuing, renewing or revoking
// its certificates rewrites nothing on that target. The one rule: http.conf and
// render/target_contents.h both ask it.
bool names_device(const desired::DesiredState& desired, const std::vector<std::string>& sites,
                  const desired::Device* device);

// Path relative to the target's dir -> bytes, for the `sites` (names) of `desired`.
std::map<std::string, std::string> nginx_files(const desired::DesiredState& desired,
                                               const std::vector<std::string>& sites,
                                               const NginxInputs& in);

// DIR/ca.pem and DIR/crl.pem for the CA certificate and the CRL `pem`: a generated-by header
// above it (OpenSSL skips the lines before "-----BEGIN").
std::string ca_file(const std::string& pem);
std::string crl_file(const std::string& pem);

// `http_conf` without the map lines of `serials` (as $ssl_client_serial prints them): what a
// CRL-only deploy (cli/crl_guard.h) gives nginx when the CRL revokes a certificate the deployed
// maps still let in, so that no gate admits it, not even over a resumed TLS session.
std::string without_serials(std::string_view http_conf, const std::set<std::string>& serials);

// base::nginx_identifier: a site name as part of an nginx variable or zone name.
std::string nginx_identifier(const std::string& name);

}  // namespace certgate::render
