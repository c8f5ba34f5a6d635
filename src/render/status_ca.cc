#include "render/status_ca.h"

#include "plan/tiers.h"

namespace certgate::render {

std::string ca_status_text(const observed::ObservedState& observed, base::Instant now) {
  std::string out;
  const observed::Ca& ca = observed.ca;
  if (ca.exists) {
    out += "CA       " + ca.common_name + ", expires " + base::format_date(ca.not_after) +
           (ca.root_common_name.empty() ? "" : ", signed by the root " + ca.root_common_name) +
           "\n";
  } else {
    out += ca.awaiting_root ? "CA       waiting for the root to sign STATE/ca/intermediate.csr\n"
                            : "CA       none yet (certgate apply creates it)\n";
  }
  out += observed.crl.exists
             ? "CRL      number " + std::to_string(observed.crl.number) + ", nextUpdate " +
                   base::format_rfc3339(observed.crl.next_update) + ", " +
                   std::to_string(observed.crl.serials.size()) + " listed\n"
             : "CRL      none\n";
  if (observed.next.awaiting_root)
    out += "Next     waiting for the root to sign STATE/ca-next/intermediate.csr (CA rollover)\n";
  if (const observed::PreviousCa& p = observed.previous; p.exists)
    out += "Previous " + p.ca.common_name + " (serial " + p.ca.serial + "), trusted until its " +
           "last certificate ends; CRL number " + std::to_string(p.crl.number) + ", nextUpdate " +
           base::format_rfc3339(p.crl.next_update) + "\n";
  if (ca.root_crl.exists) {
    const bool soon = ca.root_crl.next_update - now < plan::kRootCrlWarnBefore;
    out += "Root CRL number " + std::to_string(ca.root_crl.number) + ", nextUpdate " +
           base::format_rfc3339(ca.root_crl.next_update) +
           (soon ? "  REFRESH IT: certgate root crl on the root's machine" : "") + "\n";
  }
  return out;
}

void ca_status_json(const observed::ObservedState& observed, nlohmann::ordered_json& j) {
  j["ca"] = nullptr;
  if (observed.ca.exists)
    j["ca"] = {{"common_name", observed.ca.common_name},
               {"not_after", base::format_rfc3339(observed.ca.not_after)}};
  if (observed.ca.exists && !observed.ca.root_common_name.empty())
    j["ca"]["root_common_name"] = observed.ca.root_common_name;
  if (observed.ca.exists && observed.previous.exists) {
    const observed::PreviousCa& p = observed.previous;
    j["ca"]["previous"] = {{"common_name", p.ca.common_name},
                           {"serial", p.ca.serial},
                           {"not_after", base::format_rfc3339(p.ca.not_after)},
                           {"crl_number", p.crl.number},
                           {"crl_next_update", base::format_rfc3339(p.crl.next_update)}};
  }
  if (observed.ca.exists && observed.next.awaiting_root)
    j["ca"]["next_csr"] = observed.state_dir + "/ca-next/intermediate.csr";
  j["crl"] = nullptr;
  if (observed.crl.exists)
    j["crl"] = {{"number", observed.crl.number},
                {"next_update", base::format_rfc3339(observed.crl.next_update)},
                {"revoked_listed", observed.crl.serials.size()}};
  j["root_crl"] = nullptr;
  if (observed.ca.root_crl.exists)
    j["root_crl"] = {{"number", observed.ca.root_crl.number},
                     {"next_update", base::format_rfc3339(observed.ca.root_crl.next_update)}};
}

}  // namespace certgate::render
