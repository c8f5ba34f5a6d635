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

namespace {

// Each CRL of `crl_pem` with the certificate of `ca_pem` that signed it (pki::inspect_crls).
Result<std::vector<pki::ChainCrl>> inspect_all(std::string_view crl_pem, std::string_view ca_pem) {
  if (pki::pem_blocks(crl_pem, "X509 CRL").empty())
    return make_error(Errc::invalid, "crl.pem: holds no CRL (BEGIN X509 CRL)");
  auto crls = pki::inspect_crls(crl_pem, ca_pem);
  if (!crls) return make_error(crls.error().code, "crl.pem: " + crls.error().message);
  return crls;
}

CrlDates soonest(const std::vector<pki::ChainCrl>& crls) {
  const pki::CrlInfo* first = &crls.front().info;
  for (const pki::ChainCrl& c : crls)
    if (c.info.next_update < first->next_update) first = &c.info;
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
  std::vector<bool> covered(pki::pem_blocks(ca_pem, "CERTIFICATE").size(), false);
  for (const pki::ChainCrl& chain : *crls) {
    const pki::CrlInfo& c = chain.info;
    if (chain.signer < 0)
      return make_error(Errc::refused, "crl.pem: a CRL (number " + std::to_string(c.number) +
                                           ") is not signed by the CA of ca.pem");
    covered[chain.signer] = true;
    if (c.next_update < now + std::chrono::hours{1})
      return make_error(Errc::refused, "crl.pem: the CRL's nextUpdate " +
                                           base::format_rfc3339(c.next_update) +
                                           " is less than an hour ahead (nginx would soon "
                                           "refuse every client)");
  }
  for (std::size_t i = 0; i < covered.size(); ++i) {
    if (!covered[i])
      return make_error(Errc::refused, "crl.pem: certificate " + std::to_string(i + 1) +
                                           " of ca.pem has no CRL (nginx checks revocation "
                                           "along the whole chain and would refuse every client)");
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
