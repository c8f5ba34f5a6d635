#include "cli/snapshot_take.h"

#include "apply/pickup_files.h"
#include "pki/ca_database.h"
#include "pki/random.h"
#include "render/pickup_conf.h"
#include "sys/command_runner.h"

namespace certgate::cli {

namespace {

// The file's bytes, "" when it does not exist.
Result<std::string> read_or_empty(sys::Filesystem& fs, const std::string& path) {
  auto bytes = fs.read(path);
  if (bytes) return std::move(*bytes);
  if (bytes.error().code == Errc::not_found) return std::string();
  return bytes.error();
}

}  // namespace

Result<observed::Snapshot> take_snapshot(const PlanRun& run, sys::Filesystem& fs,
                                         base::Instant now) {
  observed::Snapshot s;
  s.taken_at = now;
  s.observed = observed::without_secrets(run.observed);
  const pki::CaDatabase db(fs, run.observed.state_dir);
  auto ca = read_or_empty(fs, db.cert_path());
  if (!ca) return ca.error();
  auto crl = read_or_empty(fs, db.crl_path());
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
