// check_crl_deployable (apply/deploy.h).
#include <vector>

#include "apply/deploy.h"
#include "pki/inspect.h"

namespace certgate::apply {

Result<void> check_crl_deployable(const std::string& crl_pem, const std::string& ca_pem,
                                  base::Instant now) {
  auto crls = pki::inspect_crls(crl_pem, ca_pem);
  if (!crls) return make_error(Errc::invalid, "the CRL is not deployable: " + crls.error().message);
  // A two-tier chain: nginx checks revocation at every CA of it, so each needs its CRL.
  const std::size_t cas = pki::pem_blocks(ca_pem, "CERTIFICATE").size();
  std::vector<bool> covered(cas, false);
  for (const pki::ChainCrl& c : *crls) {
    const std::string which =
        crls->size() > 1 ? "CRL number " + std::to_string(c.info.number) : "CRL";
    if (c.signer < 0)
      return make_error(Errc::invalid,
                        "the " + which + " is not signed by the CA; not deploying it");
    covered[c.signer] = true;
    if (c.info.next_update < now + std::chrono::hours{1})
      return make_error(Errc::invalid, "the " + which + "'s nextUpdate " +
                                           base::format_rfc3339(c.info.next_update) +
                                           " is less than an hour ahead; not deploying it "
                                           "(nginx would soon refuse every client)");
  }
  for (std::size_t i = 0; i < cas; ++i) {
    if (!covered[i])
      return make_error(Errc::invalid,
                        "certificate " + std::to_string(i + 1) +
                            " of ca.pem has no CRL in crl.pem; not deploying it (nginx would "
                            "refuse every client: it checks revocation along the whole chain)");
  }
  return {};
}

}  // namespace certgate::apply
