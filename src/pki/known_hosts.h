// OpenSSH known_hosts matching, for ssh:// git sources (and rollout hosts): is this host key the
// one known for this host? Host keys are never learned: an unknown or changed key is refused.
// Supports plain and hashed (|1|salt|hmac) host patterns, [host]:port entries, '*'/'?' wildcards,
// '!' negation and @revoked lines; @cert-authority lines are skipped (not supported).
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace certgate::pki {

enum class HostKeyMatch { known, unknown, changed, revoked };

// Looks up `host` (a name or address, without brackets) on `port` in the text of a known_hosts
// file and compares `key_blob` (SSH wire-format public key) with the keys listed for it.
HostKeyMatch check_known_host(std::string_view known_hosts, std::string_view host, int port,
                              std::string_view key_blob);

// The same, with the key as the base64 text of a known_hosts line (what libssh exports); a key
// that does not decode is unknown.
HostKeyMatch check_known_host_base64(std::string_view known_hosts, std::string_view host, int port,
                                     std::string_view key_base64);

}  // namespace certgate::pki
