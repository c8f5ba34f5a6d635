#include "observed/tiers.h"

#include <algorithm>

#include "observed/observe.h"
#include "pki/inspect.h"

namespace certgate::observed {

namespace {

// Why `intermediate` (the source's, parsed) cannot be installed, or "".
std::string install_problem(const desired::CaSpec& ca, const pki::CertInfo& intermediate,
                            const Ca& waiting, const char* csr, const SourceTiers& t,
                            base::Instant now) {
  const std::string& path = ca.intermediate_cert.path;
  if (!intermediate.is_ca) return path + " is not a CA certificate";
  if (ca.root_cert.pem.empty())
    return "the root's certificate " + ca.root_cert.path + " is missing";
  if (!pki::is_signed_by(ca.intermediate_cert.pem, ca.root_cert.pem))
    return path + " is not signed by the root " + ca.root_cert.path;
  if (waiting.awaiting_root && intermediate.public_key_sha256 != waiting.csr_public_key_sha256)
    return path + " is not for the key of " + csr + " (signed from another CSR?)";
  if (now < intermediate.not_before || now >= intermediate.not_after)
    return path + " is not valid now (" + base::format_rfc3339(intermediate.not_before) + " to " +
           base::format_rfc3339(intermediate.not_after) + ")";
  if (!t.root_crl_problem.empty()) return t.root_crl_problem;
  if (std::binary_search(t.root_crl.serials.begin(), t.root_crl.serials.end(), intermediate.serial))
    return path + " (serial " + intermediate.serial + ") is revoked by the root's CRL";
  return "";
}

}  // namespace

SourceTiers observe_tiers(const desired::CaSpec& ca, const ObservedState& o, base::Instant now) {
  SourceTiers t;
  const Ca& installed = o.ca;
  // The state decides, not [ca] mode: with a root in the state, nginx trusts it, and the gates
  // must tell this intermediate's certificates from any other's whatever mode now says.
  if (installed.exists && !installed.root_public_key_sha256.empty()) {
    if (auto dn = pki::subject_rfc2253(installed.cert_pem)) t.issuer_dn = std::move(*dn);
  }
  const Ca& previous = o.previous.ca;
  if (o.previous.exists) {
    if (auto dn = pki::subject_rfc2253(previous.cert_pem)) t.previous_issuer_dn = std::move(*dn);
  }
  if (!ca.is_intermediate()) return t;
  if (!ca.root_cert.pem.empty()) {
    if (auto root = pki::inspect_certificate(ca.root_cert.pem)) {
      t.root_common_name = root->common_name;
      t.root_public_key_sha256 = root->public_key_sha256;
    }
  }
  if (ca.root_crl.pem.empty()) {
    t.root_crl_problem = "the root's CRL " + ca.root_crl.path + " is missing";
  } else if (ca.root_cert.pem.empty()) {
    t.root_crl_problem = "the root's certificate " + ca.root_cert.path + " is missing";
  } else if (!installed.root_public_key_sha256.empty() &&
             installed.root_public_key_sha256 != t.root_public_key_sha256) {
    t.root_crl_problem = ca.root_cert.path + " is not the root installed in STATE/ca/root.crt";
  } else {
    t.root_crl = read_crl(ca.root_crl.pem, ca.root_cert.pem);
    if (!t.root_crl.exists)
      t.root_crl_problem = ca.root_crl.path + " is not a CRL with a nextUpdate";
    else if (!t.root_crl.is_signed_by_ca)
      t.root_crl_problem = ca.root_crl.path + " is not signed by the root " + ca.root_cert.path;
    else if (t.root_crl.next_update <= now)
      t.root_crl_problem = ca.root_crl.path + " expired on " +
                           base::format_rfc3339(t.root_crl.next_update) +
                           ": sign a new one on the root's machine (certgate root crl)";
  }
  t.root_signed_installed = installed.exists && !ca.root_cert.pem.empty() &&
                            pki::is_signed_by(installed.cert_pem, ca.root_cert.pem);
  if (t.issuer_dn.empty()) {
    const std::string& issuer = installed.exists ? installed.cert_pem : ca.intermediate_cert.pem;
    if (auto dn = pki::subject_rfc2253(issuer)) t.issuer_dn = std::move(*dn);
  }
  if (ca.intermediate_cert.pem.empty()) return t;
  t.has_intermediate = true;
  auto info = pki::inspect_certificate(ca.intermediate_cert.pem);
  if (!info) {
    t.intermediate_problem = ca.intermediate_cert.path + ": " + info.error().message;
    return t;
  }
  t.intermediate_common_name = info->common_name;
  t.intermediate_serial = info->serial;
  t.intermediate_not_after = info->not_after;
  t.intermediate_installed = installed.exists && installed.serial == info->serial &&
                             installed.public_key_sha256 == info->public_key_sha256;
  if (t.intermediate_installed) return t;
  t.intermediate_is_next =
      o.next.awaiting_root && info->public_key_sha256 == o.next.csr_public_key_sha256;
  if (t.intermediate_is_next) {
    t.intermediate_problem =
        install_problem(ca, *info, o.next, "STATE/ca-next/intermediate.csr", t, now);
    if (auto dn = pki::subject_rfc2253(ca.intermediate_cert.pem)) t.next_issuer_dn = *dn;
  } else {
    t.intermediate_problem =
        install_problem(ca, *info, installed, "STATE/ca/intermediate.csr", t, now);
  }
  return t;
}

}  // namespace certgate::observed
