#include "cli/pull_hosts.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <set>

#include "apply/deploy.h"
#include "observed/manifest.h"
#include "pki/random.h"

namespace certgate::cli {
namespace {

std::string short_id(const std::string& commit) { return commit.substr(0, 7); }

// What the plan does to `host`: its file actions, and whether it has a publish action.
struct PlannedChange {
  int files = 0;
  bool publishes = false;
};

PlannedChange planned(const plan::Plan& plan, const std::string& host) {
  PlannedChange out;
  for (const plan::Action& a : plan.actions) {
    if (a.target != host || a.object != plan::ObjectKind::file) continue;
    if (a.kind == plan::ActionKind::file) ++out.files;
    if (a.kind == plan::ActionKind::publish) out.publishes = true;
  }
  return out;
}

apply::TargetResult result(const std::string& host, apply::TargetOutcome outcome, int files,
                           std::string error = "") {
  return apply::TargetResult{host, outcome, std::move(error), files, false, false};
}

// The outcome when nothing is committed: the pull hosts that could not be read fail, the others
// hold what their folders hold (the plan changes none of them).
PublishOutcome without_commit(const PlanRun& run) {
  PublishOutcome out;
  for (const DeployTarget& t : run.targets) {
    if (!t.is_pull) continue;
    if (!t.unreachable.empty()) {
      out.results.push_back(result(t.name, apply::TargetOutcome::failed, 0, t.unreachable));
      continue;
    }
    out.results.push_back(result(t.name, apply::TargetOutcome::unchanged, 0));
    for (const plan::TargetWant& w : run.wants) {
      if (w.target != t.name) continue;
      for (const auto& [rel, f] : w.files) out.deployed[t.name][rel] = f.sha256;
    }
  }
  return out;
}

// Each result of a host the plan changes becomes a failure with `why`.
void fail_changed(const PlanRun& run, const std::string& why, PublishOutcome& out) {
  for (apply::TargetResult& r : out.results) {
    if (r.outcome == apply::TargetOutcome::failed || !planned(run.plan, r.target).publishes)
      continue;
    r = result(r.target, apply::TargetOutcome::failed, 0, why);
    out.deployed.erase(r.target);
  }
  spdlog::error("publish failed error={}", why);
}

}  // namespace

std::string publish_work_dir(const std::string& state_dir) {
  return sys::join_path(state_dir, "git/publish.git");
}

Result<source::SshAccess> publish_ssh_access(const GlobalOptions& g, sys::Filesystem& fs) {
  const source::SourceOptions options = source_options(g);
  source::SshAccess ssh;
  ssh.private_key = g.ssh_key;
  if (!g.ssh_key.empty() && fs.stat(g.ssh_key + ".pub")) ssh.public_key = g.ssh_key + ".pub";
  ssh.known_hosts_path = options.known_hosts;
  if (auto known = fs.read(options.known_hosts)) {
    ssh.known_hosts = std::move(*known);
  } else if (known.error().code != Errc::not_found) {
    return make_error(known.error().code, "--known-hosts: " + known.error().message);
  }
  return ssh;
}

observed::TargetFiles published_target(const std::string& host, const std::string& dir,
                                       const apply::PublishedHost* published) {
  observed::TargetFiles out;
  out.target = host;
  out.dir = dir;
  if (!published) return out;
  out.published_commit = published->commit;
  if (published->manifest) out.generated_from = published->manifest->source;
  for (const auto& [rel, bytes] : published->files) {
    observed::DeployedFile f;
    f.sha256 = pki::sha256_hex(bytes);
    f.is_generated = bytes.starts_with(observed::kGeneratedHeader);
    if (rel.ends_with(".conf")) f.text = bytes;
    out.files[rel] = std::move(f);
  }
  return out;
}

void observe_pull_hosts(const GlobalOptions& g, sys::Filesystem& fs, PlanRun& run,
                        std::vector<observed::TargetFiles>& files) {
  CG_CHECK(files.size() == run.targets.size());
  const std::optional<desired::Publish>& publish = run.loaded.state.publish;
  if (!publish) return;
  const std::string work_dir = publish_work_dir(run.observed.state_dir);
  auto read = [&]() -> Result<apply::Published> {
    auto ssh = publish_ssh_access(g, fs);
    if (!ssh) return ssh.error();
    if (auto r = fs.make_dirs(sys::parent_path(work_dir), 0700); !r) return r.error();
    return apply::read_published(*publish, work_dir, *ssh);
  };
  auto published = read();
  std::set<std::string> pull;
  for (size_t i = 0; i < run.targets.size(); ++i) {
    DeployTarget& t = run.targets[i];
    if (!t.is_pull) continue;
    pull.insert(t.name);
    if (!published) {
      t.unreachable = "the [publish] branch " + publish->branch +
                      " could not be read: " + published.error().message;
      files[i] = published_target(t.name, t.nginx.dir, nullptr);
      files[i].unreachable = t.unreachable;
      spdlog::warn("pull host unreachable target={} error={}", t.name, t.unreachable);
      continue;
    }
    auto it = published->hosts.find(t.name);
    files[i] =
        published_target(t.name, t.nginx.dir, it == published->hosts.end() ? nullptr : &it->second);
  }
  if (!published) {
    if (pull.empty())
      run.publish_notes.push_back("the [publish] branch could not be read: " +
                                  published.error().message);
    return;
  }
  run.published_tip = published->commit;
  for (const auto& [host, ignored] : published->hosts)
    if (!pull.contains(host)) run.stale_published.push_back(host);
  for (const std::string& path : published->unexpected)
    run.publish_notes.push_back(
        "the [publish] branch holds " + path +
        ", which certgate does not publish: the next publish leaves it out");
}

Result<std::vector<apply::PullHostFiles>> pull_host_files(const PlanRun& run, base::Instant now) {
  std::vector<apply::PullHostFiles> out;
  for (const DeployTarget& t : run.targets) {
    if (!t.is_pull) continue;
    auto want = std::find_if(run.wants.begin(), run.wants.end(),
                             [&](const plan::TargetWant& w) { return w.target == t.name; });
    if (want == run.wants.end())
      return make_error(Errc::invalid, t.name + ": its files were not planned (" + t.unreachable +
                                           "); nothing was published");
    apply::PullHostFiles h;
    h.host = t.name;
    for (const auto& [rel, f] : want->files) {
      if (f.sha256.empty())
        return make_error(Errc::invalid, t.name + ": the bytes of " + rel +
                                             " are not known; nothing was published");
      h.files[rel] = f.bytes;
    }
    if (auto crl = h.files.find("crl.pem"); crl != h.files.end()) {
      auto ca = h.files.find("ca.pem");
      if (auto r =
              apply::check_crl_deployable(crl->second, ca == h.files.end() ? "" : ca->second, now);
          !r)
        return make_error(r.error().code, t.name + ": " + r.error().message);
    }
    h.manifest = observed::Manifest{run.generated_from, run.plan.inputs.commit, t.name, t.nginx.dir,
                                    base::format_rfc3339(now)};
    out.push_back(std::move(h));
  }
  return out;
}

PublishOutcome publish_pull_hosts(const GlobalOptions& g, const PlanRun& run, sys::Filesystem& fs,
                                  sys::CommandRunner& runner, base::Instant now) {
  PublishOutcome out = without_commit(run);
  const std::optional<desired::Publish>& publish = run.loaded.state.publish;
  if (!publish || run.plan.count(plan::ActionKind::publish) == 0) return out;
  for (const std::string& host : run.stale_published)
    out.results.push_back(result(host, apply::TargetOutcome::deployed, 0));
  for (apply::TargetResult& r : out.results) {
    const PlannedChange change = planned(run.plan, r.target);
    if (r.outcome == apply::TargetOutcome::failed || !change.publishes) continue;
    r.outcome = apply::TargetOutcome::deployed;
    r.files = change.files;
  }
  if (std::any_of(run.targets.begin(), run.targets.end(),
                  [](const DeployTarget& t) { return t.is_pull && !t.unreachable.empty(); })) {
    fail_changed(run, "the [publish] branch could not be read; nothing was published", out);
    return out;
  }
  auto hosts = pull_host_files(run, now);
  if (!hosts) {
    fail_changed(run, hosts.error().message, out);
    return out;
  }
  auto ssh = publish_ssh_access(g, fs);
  if (!ssh) {
    fail_changed(run, ssh.error().message, out);
    return out;
  }
  const std::string state = run.observed.state_dir;
  apply::PublishHostsRequest req{
      *publish,
      std::move(*hosts),
      run.plan.inputs.source,
      run.plan.inputs.commit,
      publish_work_dir(state),
      *ssh,
      apply::ssh_commit_signer(fs, runner, publish->signing_key, sys::join_path(state, "git"))};
  auto commit = apply::publish_hosts(req);
  if (!commit) {
    fail_changed(
        run,
        "publish to " + publish->repo + " (" + publish->branch + "): " + commit.error().message,
        out);
    return out;
  }
  out.commit = *commit;
  for (const apply::TargetResult& r : out.results)
    if (r.outcome == apply::TargetOutcome::deployed) out.files += r.files;
  spdlog::info("published repo={} branch={} commit={} files={}", publish->repo, publish->branch,
               short_id(out.commit), out.files);
  return out;
}

}  // namespace certgate::cli
