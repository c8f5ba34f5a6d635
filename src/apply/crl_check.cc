// check_crl_deployable (apply/deploy.h).
#include "apply/deploy.h"
#include "pki/inspect.h"

namespace certgate::apply {

Result<void> check_crl_deployable(const std::string& crl_pem, const std::string& ca_pem,
                                  base::Instant now) {
  auto crl = pki::inspect_crl(crl_pem, ca_pem);
  if (!crl) return make_error(Errc::invalid, "the CRL is not deployable: " + crl.error().message);
  if (!crl->is_signed_by_ca)
    return make_error(Errc::invalid, "the CRL is not signed by the CA; not deploying it");
  if (crl->next_update < now + std::chrono::hours{1})
    return make_error(Errc::invalid, "the CRL's nextUpdate " +
                                         base::format_rfc3339(crl->next_update) +
                                         " is less than an hour ahead; not deploying it "
                                         "(nginx would soon refuse every client)");
  return {};
}

}  // namespace certgate::apply
