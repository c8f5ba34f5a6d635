#include "apply/materials.h"

#include <algorithm>
#include <atomic>
#include <optional>
#include <thread>

#include "pki/random.h"

namespace certgate::apply {

Result<DeviceMaterial> make_material(const pki::CaSigner& signer, const Job& job,
                                     base::Instant now) {
  const desired::Device& d = *job.device;
  pki::CertRequest request{d.name, d.owner, job.serial, now - kBackdate, now + d.validity};
  if (d.not_after) request.not_after = std::min(request.not_after, *d.not_after);
  request.not_after = std::min(request.not_after, signer.not_after());
  DeviceMaterial m;
  m.device = d.name;
  m.serial = job.serial;
  m.details.not_before = request.not_before;
  m.details.owner = d.owner;
  if (d.has_csr()) {
    auto cert = signer.issue_for_csr(request, d.csr_pem);
    if (!cert) return cert.error();
    m.cert_pem = std::move(cert->cert_pem);
    m.not_after = cert->not_after;
    m.details.public_key_sha256 = cert->public_key_sha256;
    m.details.origin = "csr";
    return m;
  }
  m.details.key = d.key;
  m.details.origin = "server";
  Result<pki::SecretString> password =
      job.password ? Result<pki::SecretString>(pki::SecretString(job.password->reveal()))
                   : pki::random_password();
  if (!password) return password.error();
  auto made = signer.issue_with_new_key(request, d.key, *password, d.p12_profile);
  if (!made) return made.error();
  m.cert_pem = std::move(made->cert.cert_pem);
  m.not_after = made->cert.not_after;
  m.details.public_key_sha256 = made->cert.public_key_sha256;
  m.key_pem = std::move(made->key_pem);
  m.bundle = std::move(made->bundle);
  m.password = std::move(*password);
  return m;
}

// The CPU-bound part (keys, signatures, PKCS#12 key derivation) on `threads` threads; the
// OpenSSL objects involved are per job, the CA key is only read.
Result<std::vector<DeviceMaterial>> make_materials(const pki::CaSigner& signer,
                                                   const std::vector<Job>& jobs, base::Instant now,
                                                   int threads) {
  std::vector<std::optional<Result<DeviceMaterial>>> results(jobs.size());
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t i = next++; i < jobs.size(); i = next++) {
      results[i].emplace(make_material(signer, jobs[i], now));
    }
  };
  {
    std::vector<std::jthread> pool;
    const int n = std::clamp(threads, 1, static_cast<int>(std::max<size_t>(jobs.size(), 1)));
    for (int t = 1; t < n; ++t) pool.emplace_back(work);
    work();
  }
  std::vector<DeviceMaterial> out;
  out.reserve(jobs.size());
  for (auto& r : results) {
    if (!*r) return r->error();
    out.push_back(std::move(**r));
  }
  return out;
}

}  // namespace certgate::apply
