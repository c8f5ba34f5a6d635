// target_files (apply/deploy.h): the bytes a target should hold, from the CA database as apply
// left it.
#include <algorithm>
#include <set>

#include "apply/deploy.h"
#include "apply/pickup_files.h"
#include "pki/inspect.h"
#include "plan/deploy.h"
#include "render/nginx_files.h"

namespace certgate::apply {

Result<std::map<std::string, std::string>> target_files(
    const desired::DesiredState& desired, const std::vector<std::string>& sites,
    const std::string& dir, const observed::ObservedState& observed, const std::string& ca_pem,
    const std::string& crl_pem, const std::string& generated_from, base::Instant now,
    sys::Filesystem& state_fs, const std::string& worker_group) {
  auto crl = pki::inspect_crl(crl_pem, ca_pem);
  if (!crl) return make_error(Errc::invalid, "the CRL is not deployable: " + crl.error().message);
  if (!crl->is_signed_by_ca)
    return make_error(Errc::invalid, "the CRL is not signed by the CA; not deploying it");
  if (crl->next_update < now + std::chrono::hours{1})
    return make_error(Errc::invalid, "the CRL's nextUpdate " +
                                         base::format_rfc3339(crl->next_update) +
                                         " is less than an hour ahead; not deploying it "
                                         "(nginx would soon refuse every client)");
  render::NginxInputs in;
  in.dir = dir;
  in.generated_from = generated_from;
  in.crl_number = crl->number;
  in.now = now;
  std::set<std::string> live;
  for (auto& [device, serial] : plan::live_certs_after(plan::Plan{}, observed, now)) {
    live.insert(device);
    in.certs.push_back({device, serial});
  }
  in.ca_pem = ca_pem;
  in.crl_pem = crl_pem;
  if (!render::serves_enroll(desired, sites)) return render::nginx_files(desired, sites, in);
  auto pickup = pickup_files(state_fs, observed.state_dir, desired, live, ca_pem,
                             observed.enroll_links, worker_group);
  if (!pickup) return pickup.error();
  in.links = std::move(pickup->links);
  auto files = render::nginx_files(desired, sites, in);
  files.merge(pickup->files);
  return files;
}

}  // namespace certgate::apply
