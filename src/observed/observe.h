// observe(): reads the CA database under STATE (through pki::CaDatabase) and the CSRs named by
// the desired state into an ObservedState. Reads only; changes nothing.
#pragma once

#include <string>

#include "base/result.h"
#include "desired/desired_state.h"
#include "observed/observed_state.h"
#include "sys/filesystem.h"

namespace certgate::observed {

// The CRL `crl_pem` as read, its signature checked against `ca_cert_pem` (a CA's own CRL, or a
// two-tier CA's root's); `exists` false when it does not parse.
Crl read_crl(const std::string& crl_pem, const std::string& ca_cert_pem);

// The CSRs the devices of `desired` name, parsed, sorted by device (a snapshot leaves them
// out: plan --observed reads them from the source).
std::vector<Csr> observe_csrs(const desired::DesiredState& desired);

// A missing state directory is an empty state (nothing issued yet). Fails with Errc::invalid
// when the database is malformed (the message names the file and line) or inconsistent in a way
// only a human should repair (a CA certificate without its key), Errc::io when unreadable.
// `now` decides which revoked probe certificate still counts. The deployed nginx files of the
// targets are read separately (deployed.h), by whoever knows the targets.
Result<ObservedState> observe(sys::Filesystem& fs, const std::string& state_dir,
                              const desired::DesiredState& desired, base::Instant now);

// observe() without the CSRs (`csrs` empty), which need the desired state: so the state
// directory can be read while the desired state is still being loaded (cli/pipeline.cc).
Result<ObservedState> observe_state(sys::Filesystem& fs, const std::string& state_dir,
                                    base::Instant now);

}  // namespace certgate::observed
