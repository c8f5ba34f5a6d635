#include "apply/deploy_files.h"

#include "observed/deployed.h"
#include "observed/manifest.h"
#include "pki/random.h"
#include "plan/deploy.h"

namespace certgate::apply {

Result<DeployRequest> request_for(targets::Target& target, const FileSet& set) {
  auto deployed = observed::observe_deployed(target, set.dir);
  if (!deployed) return deployed.error();
  plan::TargetWant want{target.name(), set.dir, set.test, set.reload, {}};
  for (const auto& [rel, bytes] : set.files) want.files[rel] = {pki::sha256_hex(bytes), bytes};
  observed::ObservedState observed;
  observed.targets.push_back(std::move(*deployed));
  plan::Plan plan;
  plan::add_deploy_actions({want}, observed, plan);
  if (!plan.refusal.empty()) return make_error(Errc::refused, plan.refusal);
  DeployRequest out{set.dir, set.test, set.reload};
  out.group = set.group;
  out.serves = set.serves;
  out.first_deploy = set.first_deploy;
  out.command_timeout = set.command_timeout;
  const std::string prefix = set.dir + "/";
  for (const plan::Action& a : plan.actions) {
    if (a.kind != plan::ActionKind::file) continue;
    const std::string rel = a.subject.substr(prefix.size());
    out.expected[rel] = a.before;
    auto it = set.files.find(rel);  // not in the set: it goes
    out.changes[rel] = it == set.files.end() ? std::nullopt : std::optional(it->second);
  }
  if (!out.changes.empty() && !set.manifest.empty())
    out.changes[observed::kManifestFile] = set.manifest;
  return out;
}

Result<DeployResult> deploy_files(targets::Target& target, const FileSet& set) {
  DeployResult finished;
  if (target.fs().stat(sys::join_path(set.dir, observed::kPreviousDir))) {
    DeployRequest finish{set.dir, set.test, set.reload};
    finish.command_timeout = set.command_timeout;
    auto done = deploy(target, finish);
    if (!done) return done.error();
    finished = std::move(*done);
  }
  auto request = request_for(target, set);
  if (!request) return request.error();
  auto result = deploy(target, *request);
  if (result) result->reloaded = result->reloaded || finished.reloaded;
  return result;
}

}  // namespace certgate::apply
