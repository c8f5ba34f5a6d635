#include "edge/published_check.h"

#include <chrono>

#include "base/names.h"
#include "pki/inspect.h"
#include "pki/random.h"

namespace certgate::edge {
namespace {

Error refused(const CheckInputs& in, const std::string& rel, const std::string& why) {
  return make_error(Errc::refused, in.host + "/" + rel + ": " + why);
}

// The same spelling of a dir with or without a trailing '/'.
std::string without_trailing_slash(std::string dir) {
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir;
}

Result<void> check_names(const std::map<std::string, std::string>& tree,
                         const std::vector<std::string>& not_regular, const CheckInputs& in) {
  if (!not_regular.empty())
    return refused(in, not_regular.front(), "certgate publishes regular files only");
  for (const auto& [rel, bytes] : tree) {
    if (!is_allowed_path(rel))
      return refused(in, rel,
                     "not a file certgate publishes (only ca.pem, crl.pem, http.conf, "
                     "sites/SITE.conf, sites/SITE.proxy.conf and " +
                         std::string(observed::kManifestFile) + ")");
  }
  return {};
}

Result<observed::Manifest> check_manifest(const std::map<std::string, std::string>& tree,
                                          const CheckInputs& in) {
  const std::string name = observed::kManifestFile;
  auto text = tree.find(name);
  if (text == tree.end()) return refused(in, name, "missing: nothing says what the files are for");
  auto manifest = observed::parse_manifest(text->second, in.host + "/" + name);
  if (!manifest) return make_error(Errc::refused, manifest.error().message);
  if (manifest->target != in.host)
    return refused(in, name,
                   "the files are for host \"" + manifest->target + "\", not \"" + in.host + "\"");
  if (without_trailing_slash(manifest->dir) != without_trailing_slash(in.nginx_dir))
    return refused(in, name,
                   "the files were rendered for the nginx dir " + manifest->dir +
                       ", not --nginx-dir " + in.nginx_dir + " (they name files in it)");
  return manifest;
}

Result<void> check_hashes(const std::map<std::string, std::string>& tree,
                          const observed::Manifest& manifest, const CheckInputs& in) {
  for (const auto& [rel, sha] : manifest.files) {
    auto it = tree.find(rel);
    if (it == tree.end()) return refused(in, rel, "listed in the manifest but missing");
    if (pki::sha256_hex(it->second) != sha)
      return refused(in, rel, "its sha256 is not the one the manifest lists");
  }
  for (const auto& [rel, bytes] : tree) {
    if (rel != observed::kManifestFile && !manifest.files.contains(rel))
      return refused(in, rel, "not listed in the manifest");
  }
  for (const char* required : {"ca.pem", "crl.pem", "http.conf"}) {
    if (!tree.contains(required)) return refused(in, required, "missing");
  }
  return {};
}

}  // namespace

bool is_allowed_path(std::string_view rel) {
  if (rel == "ca.pem" || rel == "crl.pem" || rel == "http.conf" || rel == observed::kManifestFile)
    return true;
  if (!rel.starts_with("sites/") || !rel.ends_with(".conf")) return false;
  const std::string_view name = rel.substr(6, rel.size() - 6 - 5);
  return base::is_valid_name(name);
}

std::vector<std::string> pem_blocks(std::string_view text, std::string_view label) {
  const std::string begin = "-----BEGIN " + std::string(label) + "-----";
  const std::string end = "-----END " + std::string(label) + "-----";
  std::vector<std::string> out;
  for (size_t at = text.find(begin); at != std::string_view::npos; at = text.find(begin, at)) {
    const size_t stop = text.find(end, at);
    if (stop == std::string_view::npos) break;
    out.emplace_back(text.substr(at, stop + end.size() - at));
    out.back() += '\n';
    at = stop + end.size();
  }
  return out;
}

namespace {

// Each CRL of `crl_pem` with whether a certificate of `ca_pem` signed it.
Result<std::vector<pki::CrlInfo>> inspect_all(std::string_view crl_pem, std::string_view ca_pem) {
  const std::vector<std::string> crls = pem_blocks(crl_pem, "X509 CRL");
  if (crls.empty()) return make_error(Errc::invalid, "crl.pem: holds no CRL (BEGIN X509 CRL)");
  std::vector<std::string> cas = pem_blocks(ca_pem, "CERTIFICATE");
  if (cas.empty()) cas.push_back("");  // still parse the CRLs; none is then signed by the CA
  std::vector<pki::CrlInfo> out;
  for (const std::string& crl : crls) {
    std::optional<pki::CrlInfo> seen;
    for (const std::string& ca : cas) {
      auto info = pki::inspect_crl(crl, ca);
      if (!info) return make_error(info.error().code, "crl.pem: " + info.error().message);
      if (!seen || info->is_signed_by_ca) seen = std::move(*info);
      if (seen->is_signed_by_ca) break;
    }
    out.push_back(std::move(*seen));
  }
  return out;
}

CrlDates soonest(const std::vector<pki::CrlInfo>& crls) {
  const pki::CrlInfo* first = &crls.front();
  for (const pki::CrlInfo& c : crls)
    if (c.next_update < first->next_update) first = &c;
  return CrlDates{first->number, first->this_update, first->next_update};
}

}  // namespace

Result<CrlDates> crl_dates(std::string_view crl_pem, std::string_view ca_pem) {
  auto crls = inspect_all(crl_pem, ca_pem);
  if (!crls) return crls.error();
  return soonest(*crls);
}

Result<CrlDates> check_crl(std::string_view crl_pem, std::string_view ca_pem, base::Instant now) {
  auto crls = inspect_all(crl_pem, ca_pem);
  if (!crls) return make_error(Errc::refused, crls.error().message);
  for (const pki::CrlInfo& c : *crls) {
    if (!c.is_signed_by_ca)
      return make_error(Errc::refused, "crl.pem: a CRL (number " + std::to_string(c.number) +
                                           ") is not signed by the CA of ca.pem");
    if (c.next_update < now + std::chrono::hours{1})
      return make_error(Errc::refused, "crl.pem: the CRL's nextUpdate " +
                                           base::format_rfc3339(c.next_update) +
                                           " is less than an hour ahead (nginx would soon "
                                           "refuse every client)");
  }
  return soonest(*crls);
}

Result<PublishedFiles> check_published(const std::map<std::string, std::string>& tree,
                                       const std::vector<std::string>& not_regular,
                                       const CheckInputs& in) {
  if (auto r = check_names(tree, not_regular, in); !r) return r.error();
  auto manifest = check_manifest(tree, in);
  if (!manifest) return manifest.error();
  if (auto r = check_hashes(tree, *manifest, in); !r) return r.error();
  auto crl = check_crl(tree.at("crl.pem"), tree.at("ca.pem"), in.now);
  if (!crl) return make_error(Errc::refused, in.host + "/" + crl.error().message);
  PublishedFiles out;
  out.manifest = std::move(*manifest);
  out.crl = *crl;
  for (const auto& [rel, bytes] : tree)
    if (rel != observed::kManifestFile) out.files[rel] = bytes;
  return out;
}

}  // namespace certgate::edge
