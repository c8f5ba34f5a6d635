#include "render/target_contents.h"

#include <algorithm>

namespace certgate::render {

TargetContents target_contents(const desired::DesiredState& desired,
                               const std::vector<std::string>& sites, const NginxInputs& in,
                               const std::map<std::string, std::string>& pickup,
                               const std::vector<std::string>& pickup_unknown) {
  TargetContents out;
  for (auto& [rel, bytes] : nginx_files(desired, sites, in)) out[rel] = {std::move(bytes), true};
  for (const auto& [rel, bytes] : pickup) out[rel] = {bytes, true};
  for (const std::string& rel : pickup_unknown) out[rel] = {"", false};
  if (!in.ca_pem) out["ca.pem"] = {"", false};
  if (!in.crl_pem) out["crl.pem"] = {"", false};
  // A planned serial of a device the file does not name changes nothing here.
  const bool planned_serial = std::any_of(in.certs.begin(), in.certs.end(), [&](const LiveCert& c) {
    return c.serial == plan::kPlannedSerial &&
           names_device(desired, sites, desired.find_device(c.device));
  });
  // The generation mixes every file but crl.pem (by its number, known): an unknown ca.pem or
  // bundle leaves it unknown.
  const bool unknown_mixed = !in.ca_pem || !pickup_unknown.empty();
  if (planned_serial || unknown_mixed) out["http.conf"].known = false;
  return out;
}

}  // namespace certgate::render
