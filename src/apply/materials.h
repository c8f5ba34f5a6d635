// The CPU-bound half of an issuance: each device's key, certificate and bundle built in memory,
// on several threads, before anything is written (pki_apply.cc writes them in one batch).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "apply/device_files.h"
#include "base/result.h"
#include "base/time.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "pki/ca.h"

namespace certgate::apply {

// Client clocks (phones) run a little behind; a certificate valid from "now" would be refused
// by them for a few minutes.
inline constexpr std::chrono::seconds kBackdate = observed::kBackdate;

// One certificate to issue: for `device`, under `serial`, replacing `replaces` when renewing.
struct Job {
  const desired::Device* device = nullptr;
  std::string serial;
  std::string replaces;  // renew: the certificate it succeeds
  // renew: `replaces` is revoked as superseded once the new certificate is installed; otherwise
  // it stays valid beside it (plan::Action::revokes_predecessor).
  bool revokes_predecessor = false;
  // renew of a server-key device: its bundle password (STATE/devices/NAME/bundle.pass), kept so
  // the owner types the one they know; nullptr makes a new one.
  const pki::SecretString* password = nullptr;
};

// Builds one device's certificate, key and bundle in memory: a key made here (with the job's
// password, or a random one) or the device's CSR. The certificate ends at the device's validity,
// capped by its not_after and by the CA's expiry.
Result<DeviceMaterial> make_material(const pki::CaSigner& signer, const Job& job,
                                     base::Instant now);

// make_material for every job on `threads` threads; the first error, if any. The order of the
// result is the order of `jobs`.
Result<std::vector<DeviceMaterial>> make_materials(const pki::CaSigner& signer,
                                                   const std::vector<Job>& jobs, base::Instant now,
                                                   int threads);

}  // namespace certgate::apply
