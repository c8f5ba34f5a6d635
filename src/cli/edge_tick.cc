#include "cli/edge_tick.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>

#include "base/names.h"
#include "cli/edge_gate.h"
#include "cli/signature_check.h"
#include "edge/edge_status.h"
#include "render/edge_metrics.h"
#include "sys/clock.h"
#include "sys/command_runner.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

std::string short_id(const std::string& commit) { return commit.substr(0, 7); }

// A repository given as a path, absolute so that the mirror's "origin" finds it from anywhere.
std::string repository_url(const std::string& from) {
  const size_t colon = from.find(':');
  const bool scp_like =
      colon != std::string::npos && from.find('@') < colon && from.find('/') > colon;
  if (from.find("://") != std::string::npos || scp_like) return from;
  std::error_code ec;
  auto abs = std::filesystem::absolute(from, ec);
  return ec ? from : abs.lexically_normal().string();
}

Result<source::SshAccess> ssh_access(const GlobalOptions& g, sys::Filesystem& fs) {
  source::SshAccess ssh;
  ssh.private_key = g.ssh_key;
  if (!g.ssh_key.empty() && fs.stat(g.ssh_key + ".pub")) ssh.public_key = g.ssh_key + ".pub";
  ssh.known_hosts_path = g.known_hosts;
  if (ssh.known_hosts_path.empty()) {
    const char* home = std::getenv("HOME");
    ssh.known_hosts_path = std::string(home ? home : "") + "/.ssh/known_hosts";
  }
  if (auto known = fs.read(ssh.known_hosts_path)) {
    ssh.known_hosts = std::move(*known);
  } else if (known.error().code != Errc::not_found) {
    return make_error(known.error().code, "--known-hosts: " + known.error().message);
  }
  return ssh;
}

// The tip's signature, checked as apply checks a source commit's (cli/signature_check.h).
Result<void> check_signature(const EdgeConfig& c, sys::Filesystem& fs,
                             const source::PublishedTree& tree) {
  source::SourceSnapshot snap;
  snap.kind = "git";
  snap.description = "publish commit " + short_id(tree.commit);
  snap.commit = tree.commit;
  snap.signature = tree.signature;
  snap.signed_data = tree.signed_data;
  auto signer = check_commit_signature(fs, snap, c.allowed_signers);
  if (!signer) return signer.error();
  spdlog::info("publish commit signed commit={} signer={}", short_id(tree.commit), *signer);
  return {};
}

// The tip must descend from the publish commit whose files the edge holds (DIR's manifest).
Result<void> check_no_rewind(const EdgeConfig& c, targets::Target& target, const std::string& tip) {
  const std::string what = "refusing publish commit " + short_id(tip) + ": ";
  auto deployed = edge::read_deployed_manifest(target, c.nginx_dir);
  if (!deployed) {
    if (c.allow_rewind) return {};
    return make_error(Errc::refused, what + deployed.error().message +
                                         ", so the commit it came from is unknown; nothing was "
                                         "changed (--allow-rewind applies the tip anyway)");
  }
  if (!*deployed || (*deployed)->published_commit.empty()) return {};
  const std::string& last = (*deployed)->published_commit;
  auto descends = source::is_descendant(c.fetch.mirror_dir, tip, last);
  if (descends && *descends) return {};
  const std::string why =
      descends ? "it does not descend from publish commit " + short_id(last) +
                     ", whose files the edge holds (a force-push or a rewind to older files)"
               : "publish commit " + short_id(last) +
                     ", whose files the edge holds, is not in the branch's history (" +
                     descends.error().message + ")";
  if (c.allow_rewind) {
    spdlog::warn("--allow-rewind: applying publish commit {} although {}", short_id(tip), why);
    return {};
  }
  return make_error(Errc::refused,
                    what + why + "; nothing was changed (--allow-rewind applies it)");
}

void log_deploy(const EdgeConfig& c, const std::string& tip, const edge::PublishedFiles& p,
                const edge::EdgeDeployResult& r) {
  if (r.written.empty() && r.removed.empty() && !r.reloaded) {
    spdlog::info("edge up to date host={} commit={}{}", c.fetch.host, short_id(tip),
                 r.wrote_manifest ? " (manifest rewritten)" : "");
    return;
  }
  // Only hex ids from the manifest: its free text comes from the repository and is not logged.
  const std::string& source = p.manifest.commit;
  const bool is_hex = source.find_first_not_of("0123456789abcdef") == std::string::npos;
  spdlog::info("edge applied host={} commit={} source_commit={} written={} removed={} reloaded={}",
               c.fetch.host, short_id(tip), is_hex && !source.empty() ? short_id(source) : "none",
               r.written.size(), r.removed.size(), r.reloaded);
}

Result<void> run_tick(const EdgeConfig& c, sys::Filesystem& fs, targets::Target& target,
                      base::Instant now) {
  auto lock = sys::FileLock::acquire(c.lock_path);
  if (!lock) return lock.error();
  auto tree = source::fetch_published(c.fetch);
  if (!tree) return tree.error();
  if (c.require_signed) {
    if (auto r = check_signature(c, fs, *tree); !r) return r.error();
  }
  if (auto r = check_no_rewind(c, target, tree->commit); !r) return r.error();
  auto published =
      edge::check_published(tree->files, tree->not_regular, {c.fetch.host, c.nginx_dir, now});
  if (!published)
    return make_error(published.error().code, "refusing publish commit " + short_id(tree->commit) +
                                                  ": " + published.error().message +
                                                  "; nothing was changed");
  auto result = edge::deploy_published(target, c.nginx_dir, *published, tree->commit, c.commands);
  if (!result) return result.error();
  log_deploy(c, tree->commit, *published, *result);
  if (result->nginx_not_running)
    spdlog::warn("nginx is not running host={}: the files are in place; start nginx now",
                 c.fetch.host);
  if (result->reloaded && !edge_gates_closed(c.probes, published->files, now))
    return make_error(Errc::command_failed, "the gate check after the reload failed");
  return {};
}

// What the edge serves now, read back from DIR, for the metrics.
render::EdgeRun served(const EdgeConfig& c, targets::Target& target) {
  render::EdgeRun run;
  run.host = c.fetch.host;
  if (auto m = edge::read_deployed_manifest(target, c.nginx_dir); m && *m) {
    run.published_commit = (*m)->published_commit;
    run.source = (*m)->source;
    run.source_commit = (*m)->commit;
  }
  auto crl = target.fs().read(sys::join_path(c.nginx_dir, "crl.pem"));
  auto ca = target.fs().read(sys::join_path(c.nginx_dir, "ca.pem"));
  if (crl && ca) {
    if (auto dates = edge::crl_dates(*crl, *ca)) {
      run.crl_this_update = dates->this_update;
      run.crl_next_update = dates->next_update;
      run.crl_number = dates->number;
    }
  }
  return run;
}

void record(const EdgeConfig& c, sys::Filesystem& fs, targets::Target& target, bool succeeded,
            double seconds) {
  const base::Instant now = sys::RealClock().now();
  const edge::EdgeStatus status =
      edge::after_tick(edge::read_status(fs, c.status_path), succeeded, now);
  if (auto r = edge::write_status(fs, c.status_path, status); !r)
    spdlog::warn("edge status not written: {}", r.error().message);
  if (c.metrics_file.empty()) return;
  render::EdgeRun run = served(c, target);
  run.finished_at = now;
  run.succeeded = succeeded;
  run.duration_seconds = seconds;
  run.consecutive_failures = status.consecutive_failures;
  run.last_success = status.last_success;
  if (auto r = fs.write_atomic(c.metrics_file, render::edge_metrics(run), 0644); !r)
    spdlog::warn("metrics not written: {}", r.error().message);
}

}  // namespace

Result<EdgeConfig> edge_config(const GlobalOptions& g, const EdgeFlags& f, sys::Filesystem& fs) {
  // The host's name also names its mirror and status files under the state directory.
  if (auto problem = base::name_problem(f.host))
    return make_error(Errc::invalid, "--host " + f.host + ": " + *problem);
  if (!f.nginx_dir.starts_with("/"))
    return make_error(Errc::invalid, "--nginx-dir " + f.nginx_dir + ": must be absolute");
  if (f.require_signed && f.allowed_signers.empty())
    return make_error(Errc::invalid, "--require-signed needs --allowed-signers FILE");
  auto probes = edge_probe_sites(f.probes, f.probe_server_names);
  if (!probes) return probes.error();
  auto ssh = ssh_access(g, fs);
  if (!ssh) return ssh.error();
  EdgeConfig c;
  const std::string dir = sys::join_path(absolute_state_dir(g), "edge");
  c.fetch = {repository_url(f.from), f.branch, f.host, sys::join_path(dir, f.host + ".git"),
             std::move(*ssh)};
  c.nginx_dir = f.nginx_dir;
  c.commands = {f.test, f.reload};
  c.status_path = sys::join_path(dir, f.host + ".status.json");
  c.lock_path = sys::join_path(dir, f.host + ".lock");
  c.require_signed = f.require_signed;
  c.allowed_signers = f.allowed_signers;
  c.allow_rewind = f.allow_rewind;
  c.metrics_file = f.metrics_file;
  c.probes = std::move(*probes);
  // The mirror and the status are private like the rest of the state directory.
  if (auto r = fs.make_dirs(dir, 0700); !r) return r.error();
  return c;
}

int edge_tick(const EdgeConfig& c) {
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;
  targets::LocalTarget target(fs, runner);
  const auto start = std::chrono::steady_clock::now();
  auto r = run_tick(c, fs, target, sys::RealClock().now());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (!r) fail(r.error().message);
  record(c, fs, target, r.has_value(), seconds);
  return r ? 0 : 1;
}

}  // namespace certgate::cli
