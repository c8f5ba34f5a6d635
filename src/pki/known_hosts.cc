#include "pki/known_hosts.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <vector>

#include "pki/ossl.h"

namespace certgate::pki {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// OpenSSH's match_pattern: '*' any run, '?' one character.
bool glob(std::string_view pattern, std::string_view text) {
  if (pattern.empty()) return text.empty();
  if (pattern[0] == '*')
    return glob(pattern.substr(1), text) || (!text.empty() && glob(pattern, text.substr(1)));
  if (text.empty()) return false;
  return (pattern[0] == '?' || pattern[0] == text[0]) && glob(pattern.substr(1), text.substr(1));
}

// "|1|base64(salt)|base64(HMAC-SHA1(salt, name))"
bool hashed_match(std::string_view pattern, const std::string& name) {
  auto parts = split(pattern.substr(3), '|');
  if (parts.size() != 2) return false;
  auto salt = base64_decode(parts[0]);
  auto want = base64_decode(parts[1]);
  if (!salt || !want) return false;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (!HMAC(EVP_sha1(), salt->data(), static_cast<int>(salt->size()),
            reinterpret_cast<const unsigned char*>(name.data()), name.size(), mac, &len))
    return false;
  return std::string(reinterpret_cast<char*>(mac), len) == *want;
}

// Whether the comma-separated host patterns of a line name `name` ("host" or "[host]:port").
bool hosts_match(std::string_view patterns, const std::string& name) {
  if (patterns.starts_with("|1|")) return hashed_match(patterns, name);
  bool matched = false;
  for (std::string_view p : split(patterns, ',')) {
    const bool negated = p.starts_with('!');
    if (negated) p.remove_prefix(1);
    if (!glob(p, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

std::vector<std::string_view> fields(std::string_view line) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t start = line.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = line.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = line.size();
    out.push_back(line.substr(start, end - start));
    pos = end;
  }
  return out;
}

}  // namespace

HostKeyMatch check_known_host(std::string_view known_hosts, std::string_view host, int port,
                              std::string_view key_blob) {
  const std::string name =
      port == 22 ? std::string(host) : "[" + std::string(host) + "]:" + std::to_string(port);
  bool listed = false;
  bool known = false;
  for (std::string_view line : split(known_hosts, '\n')) {
    auto f = fields(line);
    if (f.empty() || f[0].starts_with('#')) continue;
    std::string_view marker;
    if (f[0].starts_with('@')) {
      marker = f[0];
      f.erase(f.begin());
    }
    if (f.size() < 3 || marker == "@cert-authority" || !hosts_match(f[0], name)) continue;
    auto blob = base64_decode(f[2]);
    const bool same = blob && *blob == key_blob;
    if (marker == "@revoked") {
      if (same) return HostKeyMatch::revoked;
      continue;
    }
    listed = true;
    known = known || same;
  }
  if (known) return HostKeyMatch::known;
  return listed ? HostKeyMatch::changed : HostKeyMatch::unknown;
}

HostKeyMatch check_known_host_base64(std::string_view known_hosts, std::string_view host, int port,
                                     std::string_view key_base64) {
  auto blob = base64_decode(key_base64);
  if (!blob) return HostKeyMatch::unknown;
  return check_known_host(known_hosts, host, port, *blob);
}

}  // namespace certgate::pki
