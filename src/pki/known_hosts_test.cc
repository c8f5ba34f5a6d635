#include "pki/known_hosts.h"

#include <doctest/doctest.h>

#include "pki/ossl.h"

namespace certgate::pki {

// Two ed25519 host keys made with ssh-keygen; the hashed entry was made with `ssh-keygen -H`
// for "[127.0.0.1]:2222" and key A.
constexpr const char* kKeyA =
    "AAAAC3NzaC1lZDI1NTE5AAAAIOuuh4FrCn19zIY/yVu1ViOzOUXB9lTeWgv+HWzwoW9p";
constexpr const char* kKeyB =
    "AAAAC3NzaC1lZDI1NTE5AAAAIPPdce9LH3IROPIA7mr1JF3jq/wcuimdpLWpYrCv1LUf";

TEST_CASE("known_hosts: a listed key is known, another is changed, an absent host unknown") {
  const std::string text = std::string("# comment\n[127.0.0.1]:2222 ssh-ed25519 ") + kKeyA +
                           " host\ngit.example.com,10.0.0.5 ssh-ed25519 " + kKeyB + "\n";
  const std::string a = *base64_decode(kKeyA), b = *base64_decode(kKeyB);
  CHECK(check_known_host(text, "127.0.0.1", 2222, a) == HostKeyMatch::known);
  CHECK(check_known_host(text, "127.0.0.1", 2222, b) == HostKeyMatch::changed);
  CHECK(check_known_host(text, "127.0.0.1", 22, a) == HostKeyMatch::unknown);
  CHECK(check_known_host(text, "10.0.0.5", 22, b) == HostKeyMatch::known);
  CHECK(check_known_host("*.example.com,!bad.example.com ssh-ed25519 " + std::string(kKeyB),
                         "bad.example.com", 22, b) == HostKeyMatch::unknown);
  CHECK(check_known_host("@revoked * ssh-ed25519 " + std::string(kKeyA) +
                             "\n[127.0.0.1]:2222 "
                             "ssh-ed25519 " +
                             kKeyA,
                         "127.0.0.1", 2222, a) == HostKeyMatch::revoked);
  const std::string hashed =
      std::string("|1|hqobSgifkAHRzMe0025XAa+E3Wg=|Fox3kbm3d6onLuk2ps8Q/4kdDL4= ssh-ed25519 ") +
      kKeyA + "\n";
  CHECK(check_known_host(hashed, "127.0.0.1", 2222, a) == HostKeyMatch::known);
  CHECK(check_known_host(hashed, "127.0.0.1", 2223, a) == HostKeyMatch::unknown);
}

}  // namespace certgate::pki
