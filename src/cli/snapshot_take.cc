#include "cli/snapshot_take.h"

#include <nlohmann/json.hpp>

#include "apply/pickup_files.h"
#include "cli/load.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "pki/random.h"
#include "render/pickup_conf.h"
#include "source/git_publish.h"
#include "sys/command_runner.h"

namespace certgate::cli {

namespace {

// The bytes read, "" when the file does not exist.
Result<std::string> or_empty(Result<std::string> bytes) {
  if (bytes) return std::move(*bytes);
  if (bytes.error().code == Errc::not_found) return std::string();
  return bytes.error();
}

// A snapshot's JSON without what changes at every tick (when it was taken, when the last apply
// ran), and when it was taken (epoch when it says nothing readable).
std::pair<nlohmann::json, base::Instant> without_times(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return {j, base::Instant{}};
  base::Instant taken{};
  if (j.contains("taken_at") && j["taken_at"].is_string()) {
    if (auto t = base::parse_rfc3339(j["taken_at"].get<std::string>())) taken = *t;
  }
  j.erase("taken_at");
  if (j.contains("last_applied") && j["last_applied"].is_object() &&
      j["last_applied"].contains("last_applied") && j["last_applied"]["last_applied"].is_object())
    j["last_applied"]["last_applied"].erase("at");
  return {j, taken};
}

}  // namespace

Result<std::string> publish_snapshot(const GlobalOptions& g, sys::Filesystem& fs,
                                     const std::string& repo, const std::string& branch,
                                     const std::string& text) {
  const source::SourceOptions options = source_options(g);
  source::PublishRequest req;
  req.url = repo;
  req.branch = branch;
  req.files["snapshot.json"] = text;
  req.message = "certgate snapshot";
  req.work_dir = sys::join_path(absolute_state_dir(g), "git/snapshot.git");
  req.ssh.private_key = g.ssh_key;
  if (!g.ssh_key.empty() && fs.stat(g.ssh_key + ".pub")) req.ssh.public_key = g.ssh_key + ".pub";
  req.ssh.known_hosts_path = options.known_hosts;
  if (auto known = fs.read(options.known_hosts)) {
    req.ssh.known_hosts = std::move(*known);
  } else if (known.error().code != Errc::not_found) {
    return make_error(known.error().code, "--known-hosts: " + known.error().message);
  }
  req.unchanged = [](const std::string&, const std::string& published, const std::string& next) {
    auto [was, was_at] = without_times(published);
    auto [will, will_at] = without_times(next);
    return !was.is_discarded() && was == will && will_at - was_at < kSnapshotHeartbeat;
  };
  if (auto r = fs.make_dirs(sys::parent_path(req.work_dir), 0700); !r) return r.error();
  return source::publish_files(req);
}

Result<observed::Snapshot> take_snapshot(const PlanRun& run, sys::Filesystem& fs,
                                         base::Instant now) {
  observed::Snapshot s;
  s.taken_at = now;
  s.observed = observed::without_secrets(run.observed);
  // What the targets are given: with a two-tier CA's root and its CRL, and a rollover's outgoing
  // CA and its CRL.
  auto ca = or_empty(pki::nginx_trust_pem(fs, run.observed.state_dir));
  if (!ca) return ca.error();
  auto crl = or_empty(pki::nginx_crl_pem(fs, run.observed.state_dir));
  if (!crl) return crl.error();
  s.ca_pem = std::move(*ca);
  s.crl_pem = std::move(*crl);
  const desired::DesiredState& desired = run.loaded.state;
  s.pickup_ca_common_name = desired.ca.common_name;
  if (s.ca_pem.empty()) return s;
  std::set<std::string> live;
  for (const observed::Cert& c : run.observed.certs)
    if (c.is_live(now) && desired.find_device(c.device)) live.insert(c.device);
  auto files = apply::pickup_files(fs, run.observed.state_dir, desired, live, s.ca_pem, {}, "");
  if (!files) return files.error();
  const std::string prefix = std::string(render::kPickupDir) + "/";
  for (const auto& [rel, bytes] : files->files) {
    const size_t dot = rel.rfind('.');
    if (!rel.starts_with(prefix) || dot == std::string::npos || dot <= prefix.size()) continue;
    const std::string device = rel.substr(prefix.size(), dot - prefix.size());
    const std::string ext = rel.substr(dot + 1);
    observed::PickupDigest& d = s.pickup[device];
    if (ext == "pem") d.pem = pki::sha256_hex(bytes);
    if (ext == "p12") d.p12 = pki::sha256_hex(bytes);
    if (ext == "mobileconfig") d.mobileconfig = pki::sha256_hex(bytes);
  }
  return s;
}

Result<std::string> snapshot_text(const GlobalOptions& g, sys::Filesystem& fs, base::Instant now) {
  sys::RealCommandRunner runner;  // not run: a snapshot only reads
  auto run = run_pipeline(g, now, fs, runner, plan::PlanOptions{});
  if (!run) return make_error(Errc::invalid, "the snapshot could not be taken");
  auto snap = take_snapshot(*run, fs, now);
  if (!snap) return snap.error();
  return observed::format_snapshot(*snap);
}

Result<void> write_snapshot(sys::Filesystem& fs, const std::string& path, const std::string& text) {
  return fs.write_atomic(path, text, 0644);
}

}  // namespace certgate::cli
