#include "observed/overlap.h"

#include <algorithm>

namespace certgate::observed {

bool is_newer(const Cert& a, const Cert& b) {
  if (a.not_before != b.not_before) return a.not_before > b.not_before;
  if (a.not_after != b.not_after) return a.not_after > b.not_after;
  return a.serial > b.serial;
}

std::vector<const Cert*> live_certs(const ObservedState& observed, const std::string& device,
                                    base::Instant now) {
  std::vector<const Cert*> out;
  for (const Cert& c : observed.certs)
    if (c.device == device && c.is_live(now)) out.push_back(&c);
  std::sort(out.begin(), out.end(), [](const Cert* a, const Cert* b) { return is_newer(*a, *b); });
  return out;
}

std::string mismatch(const desired::Device& d, const Cert& c, const Csr* csr) {
  if (!c.has_file) return "";  // an imported certificate without its file: nothing to compare
  if (d.has_csr()) {
    if (csr && csr->problem.empty() && csr->public_key_sha256 != c.public_key_sha256)
      return "the CSR in the source has a new key";
  } else if (c.key_origin == KeyOrigin::csr) {
    return "no CSR any more: certgate makes the key and a bundle";
  } else if (c.key != d.key) {
    return "key " + (c.key ? std::string(to_string(*c.key)) : std::string("unknown")) + " -> " +
           std::string(to_string(d.key));
  }
  if (c.owner != d.owner)
    return "owner " + (c.owner.empty() ? "(none)" : c.owner) + " -> " +
           (d.owner.empty() ? "(none)" : d.owner);
  return "";
}

bool fits_device(const desired::Device& d, const Cert& c, const Csr* csr) {
  return mismatch(d, c, csr).empty();
}

base::Instant predecessor_end(const Cert& old, const Cert& newest, bool fits,
                              std::chrono::seconds overlap) {
  if (fits || !newest.has_file) return old.not_after;
  return std::min(old.not_after, overlap_end(newest, overlap));
}

}  // namespace certgate::observed
