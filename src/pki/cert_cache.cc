#include "pki/cert_cache.h"

#include <charconv>
#include <vector>

namespace certgate::pki {

namespace {

std::vector<std::string_view> split_tabs(std::string_view line) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (size_t i = 0; i <= line.size(); ++i) {
    if (i == line.size() || line[i] == '\t') {
      out.push_back(line.substr(start, i - start));
      start = i + 1;
    }
  }
  return out;
}

}  // namespace

std::optional<CertCache> parse_cert_cache(std::string_view text) {
  CertCache cache;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return std::nullopt;  // torn last line
    std::string_view line = text.substr(0, eol);
    text.remove_prefix(eol + 1);
    auto f = split_tabs(line);
    if (f.size() != 6 || f[0].empty()) return std::nullopt;
    long long seconds = 0;
    auto [ptr, ec] = std::from_chars(f[1].data(), f[1].data() + f[1].size(), seconds);
    if (ec != std::errc() || ptr != f[1].data() + f[1].size()) return std::nullopt;
    CertDetails d;
    d.not_before = base::Instant{std::chrono::seconds{seconds}};
    if (f[2] != "-") {
      auto key = base::parse_key_type(f[2]);
      if (!key) return std::nullopt;
      d.key = *key;
    }
    d.public_key_sha256 = std::string(f[3]);
    d.owner = std::string(f[4]);
    if (f[5] != "server" && f[5] != "csr" && f[5] != "-") return std::nullopt;
    d.origin = f[5] == "-" ? "" : std::string(f[5]);
    cache[std::string(f[0])] = std::move(d);
  }
  return cache;
}

std::string format_cert_cache(const CertCache& cache) {
  std::string out;
  for (const auto& [serial, d] : cache) {
    out += serial + "\t" + std::to_string(d.not_before.time_since_epoch().count()) + "\t" +
           (d.key ? std::string(base::to_string(*d.key)) : "-") + "\t" + d.public_key_sha256 +
           "\t" + d.owner + "\t" + (d.origin.empty() ? "-" : d.origin) + "\n";
  }
  return out;
}

}  // namespace certgate::pki
