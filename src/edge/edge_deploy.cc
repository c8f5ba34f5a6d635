#include "edge/edge_deploy.h"

#include "apply/deploy_files.h"

namespace certgate::edge {
namespace {

// The published files as a whole set: apply/deploy_files.h diffs them with the edge's dir by the
// plan's rules (a site no longer published leaves the edge) and deploys what differs.
Result<apply::DeployResult> deploy_set(targets::Target& target, const std::string& nginx_dir,
                                       const std::map<std::string, std::string>& files,
                                       const EdgeCommands& commands) {
  apply::FileSet set{nginx_dir, commands.test, commands.reload, files};
  set.command_timeout = commands.timeout;
  return apply::deploy_files(target, set);
}

std::string manifest_path(const std::string& nginx_dir) {
  return sys::join_path(nginx_dir, observed::kManifestFile);
}

}  // namespace

Result<std::optional<observed::Manifest>> read_deployed_manifest(targets::Target& target,
                                                                 const std::string& nginx_dir) {
  const std::string path = manifest_path(nginx_dir);
  auto text = target.fs().read(path);
  if (!text) {
    if (text.error().code == Errc::not_found) return std::optional<observed::Manifest>();
    return text.error();
  }
  auto manifest = observed::parse_manifest(*text, path);
  if (!manifest) return manifest.error();
  return std::optional<observed::Manifest>(std::move(*manifest));
}

Result<EdgeDeployResult> deploy_published(targets::Target& target, const std::string& nginx_dir,
                                          const PublishedFiles& published,
                                          const std::string& commit, const EdgeCommands& commands) {
  auto deployed = deploy_set(target, nginx_dir, published.files, commands);
  if (!deployed) return deployed.error();
  EdgeDeployResult out{deployed->written, deployed->removed, deployed->reloaded, false,
                       deployed->nginx_not_running};
  const bool changed = !out.written.empty() || !out.removed.empty() || out.reloaded;
  // Level-triggered: a manifest lost or left behind by a tick killed after its deploy is written
  // again, without touching the files; a new commit that changes none of them writes nothing.
  auto on_disk = read_deployed_manifest(target, nginx_dir);
  const bool lists_files = on_disk && *on_disk && (*on_disk)->files == published.manifest.files;
  if (!changed && lists_files) return out;
  observed::Manifest manifest = published.manifest;
  manifest.published_commit = commit;
  if (auto r = target.fs().write_atomic(manifest_path(nginx_dir),
                                        observed::format_manifest(manifest), 0644);
      !r)
    return r.error();
  out.wrote_manifest = true;
  return out;
}

}  // namespace certgate::edge
