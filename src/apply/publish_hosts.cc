#include "apply/publish_hosts.h"

#include <algorithm>
#include <set>

#include "base/names.h"
#include "pki/random.h"
#include "pki/ssh_sign.h"
#include "source/git_publish.h"

namespace certgate::apply {
namespace {

// Why `rel` (relative to a host's directory) may not be published; nullopt when it may.
// Defence in depth: the caller renders only these, but a key, a bundle or a link token must
// never reach git even if a caller is wrong.
std::optional<std::string> layout_problem(const std::string& rel) {
  if (rel == "ca.pem" || rel == "crl.pem" || rel == "http.conf") return std::nullopt;
  if (rel.starts_with("pickup/") || rel == "pickup")
    return "pickup files hold bundles and link tokens, secrets that never go into git";
  if (rel.starts_with("sites/")) {
    std::string site = rel.substr(6);
    for (std::string_view ext : {".proxy.conf", ".conf"}) {
      if (site.ends_with(ext) && base::is_valid_name(site.substr(0, site.size() - ext.size())))
        return std::nullopt;
    }
  }
  return "not a file certgate publishes (ca.pem, crl.pem, http.conf, sites/SITE.conf, "
         "sites/SITE.proxy.conf)";
}

Result<void> check_hosts(const std::vector<PullHostFiles>& hosts) {
  std::set<std::string> seen;
  for (const PullHostFiles& h : hosts) {
    if (auto p = base::name_problem(h.host))
      return make_error(Errc::invalid, "publish host \"" + h.host + "\": " + *p);
    if (!seen.insert(h.host).second)
      return make_error(Errc::invalid, "publish host \"" + h.host + "\": listed twice");
    for (const auto& [rel, bytes] : h.files) {
      if (auto p = layout_problem(rel))
        return make_error(Errc::invalid, "publish " + h.host + "/" + rel + ": refused, " + *p +
                                             "; nothing was published");
    }
  }
  return {};
}

// The whole tree: HOST/REL for every file and HOST/.certgate-manifest.json.
std::map<std::string, std::string> tree_of(const std::vector<PullHostFiles>& hosts) {
  std::map<std::string, std::string> tree;
  for (const PullHostFiles& h : hosts) {
    observed::Manifest m = h.manifest;
    m.target = h.host;
    m.files.clear();
    for (const auto& [rel, bytes] : h.files) {
      m.files[rel] = pki::sha256_hex(bytes);
      tree[h.host + "/" + rel] = bytes;
    }
    tree[h.host + "/" + observed::kManifestFile] = observed::format_manifest(m);
  }
  return tree;
}

// The tip's manifest stands for the next one when both describe the same files for the same
// host and dir: only the source and the time differ, and the files did not change.
bool same_files(const std::string& path, const std::string& published, const std::string& next) {
  if (!path.ends_with(std::string("/") + observed::kManifestFile)) return false;
  auto old_m = observed::parse_manifest(published, path);
  auto new_m = observed::parse_manifest(next, path);
  return old_m && new_m && old_m->target == new_m->target && old_m->dir == new_m->dir &&
         old_m->files == new_m->files;
}

source::PublishRequest request_for(const desired::Publish& publish, const std::string& work_dir,
                                   const source::SshAccess& ssh) {
  source::PublishRequest req;
  req.url = publish.repo;
  req.branch = publish.branch;
  req.work_dir = work_dir;
  req.ssh = ssh;
  return req;
}

// The tip's tree, by host directory.
Published group_by_host(source::PublishedFiles tip) {
  Published out;
  out.commit = std::move(tip.commit);
  out.unexpected = std::move(tip.others);
  for (auto& [path, bytes] : tip.files) {
    const size_t slash = path.find('/');
    const std::string host = slash == std::string::npos ? "" : path.substr(0, slash);
    const std::string rel = slash == std::string::npos ? "" : path.substr(slash + 1);
    if (host.empty() || !base::is_valid_name(host)) {
      out.unexpected.push_back(path);
    } else if (rel == observed::kManifestFile) {
      auto m = observed::parse_manifest(bytes, path);
      PublishedHost& h = out.hosts[host];
      if (m) h.manifest = std::move(*m);
      if (!m) h.manifest_problem = m.error().message;
    } else if (layout_problem(rel)) {
      out.unexpected.push_back(path);
    } else {
      out.hosts[host].files[rel] = std::move(bytes);
    }
  }
  for (auto& [host, h] : out.hosts) {
    if (auto at = tip.folder_commits.find(host); at != tip.folder_commits.end())
      h.commit = at->second;
    if (!h.manifest && h.manifest_problem.empty())
      h.manifest_problem = host + "/" + observed::kManifestFile + ": missing";
  }
  std::sort(out.unexpected.begin(), out.unexpected.end());
  return out;
}

}  // namespace

CommitSigner ssh_commit_signer(sys::Filesystem& fs, sys::CommandRunner& runner,
                               std::string key_path, std::string scratch_dir) {
  pki::SshSignRequest sign{std::move(key_path), "git", std::move(scratch_dir)};
  return [&fs, &runner, sign](const std::string& buffer) {
    return pki::ssh_sign(fs, runner, sign, buffer);
  };
}

std::string publish_message(const std::string& source, const std::string& source_commit) {
  std::string message = "certgate: publish " + source + "\n";
  if (!source_commit.empty()) message += "\nCertgate-Source-Commit: " + source_commit + "\n";
  return message;
}

Result<std::string> publish_hosts(const PublishHostsRequest& req) {
  CG_CHECK(req.sign);
  if (auto r = check_hosts(req.hosts); !r) return r.error();
  source::PublishRequest publish = request_for(req.publish, req.work_dir, req.ssh);
  publish.files = tree_of(req.hosts);
  publish.message = publish_message(req.source, req.source_commit);
  publish.unchanged = same_files;
  publish.sign = req.sign;
  return source::publish_files(publish);
}

Result<Published> read_published(const desired::Publish& publish, const std::string& work_dir,
                                 const source::SshAccess& ssh) {
  auto tip = source::read_published_files(request_for(publish, work_dir, ssh));
  if (!tip) return tip.error();
  return group_by_host(std::move(*tip));
}

}  // namespace certgate::apply
