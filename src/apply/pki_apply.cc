#include "apply/pki_apply.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>

#include "apply/ca_key.h"
#include "apply/cache_update.h"
#include "apply/crl_sign.h"
#include "apply/device_files.h"
#include "apply/materials.h"
#include "apply/probe_cert.h"
#include "apply/rollover.h"
#include "pki/ca.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "pki/random.h"
#include "plan/rollover.h"

namespace certgate::apply {

namespace {

using plan::Action;
using plan::ActionKind;

pki::IndexEntry index_entry(const DeviceMaterial& m) {
  pki::IndexEntry e;
  e.status = pki::IndexStatus::valid;
  e.expires = m.not_after;
  e.serial = m.serial;
  e.subject = "/CN=" + m.device;
  return e;
}

// A CA apply works on: the issuing one (STATE/ca), or the outgoing one of a rollover.
struct Generation {
  pki::CaDatabase db;
  pki::CaFiles files = {};  // read once, then kept in step with what this run writes
  std::optional<pki::CaSigner> signer = {};
};

class Applier {
 public:
  Applier(const plan::Plan& plan, const desired::DesiredState& desired,
          const observed::ObservedState& observed, ApplyContext& ctx)
      : plan_(plan),
        desired_(desired),
        observed_(observed),
        ctx_(ctx),
        cur_{pki::CaDatabase(ctx.fs, ctx.state_dir)},
        prev_{pki::CaDatabase(ctx.fs, ctx.state_dir, pki::kPreviousCaDir)},
        files_(ctx.fs, ctx.state_dir) {}

  Result<ApplyReport> run();

 private:
  Result<void> open_signer(Generation& g);
  Result<void> refresh_config(Generation& g);
  // Reads the databases, and opens the signers this plan needs.
  Result<void> open();
  Result<std::vector<Job>> issuance_jobs(const std::vector<pki::IndexEntry>& index);
  Result<void> issue_batch();
  // The batch, then the revocation of the certificates that renewals replaced.
  Result<void> issue_and_supersede();
  // Marks the certificates of `reasons` revoked in the index.txt that holds each (one commit per
  // CA), reported `into`.
  Result<void> revoke(const std::map<std::string, base::RevocationReason>& reasons,
                      std::vector<RevokedCert>& into);
  // The revoked probe certificate of `certgate verify`, when the plan asks for it.
  Result<void> issue_probe();
  // The CRLs the plan signs, numbered as it says (Errc::stale when a CA used that number).
  Result<void> write_crls();
  Result<void> write_cache();
  // The CAs this run works on: the issuing one, and the outgoing one of a rollover.
  std::vector<Generation*> generations() {
    if (has_prev_) return {&cur_, &prev_};
    return {&cur_};
  }
  const plan::Plan& plan_;
  const desired::DesiredState& desired_;
  const observed::ObservedState& observed_;
  ApplyContext& ctx_;
  Generation cur_;
  Generation prev_;
  bool has_prev_ = false;
  DeviceFiles files_;
  // Replacements with overlap 0s: old serial -> device, revoked once the new one is installed.
  std::map<std::string, std::string> superseded_;
  std::map<std::string, pki::SecretString> kept_passwords_;  // device -> its bundle password
  pki::CertCache issued_;          // details of the certificates issued by this run
  std::set<std::string> revoked_;  // serials revoked by this run
  std::map<std::string, base::RevocationReason> revoked_reasons_;
  ApplyReport report_;
};

Result<void> Applier::open_signer(Generation& g) {
  auto key = g.db.read_key();
  if (!key) return key.error();
  auto plain = unlock_ca_key(*key, desired_.ca.key_protection, ctx_, g.db.key_path());
  if (!plain) return plain.error();
  auto cert = g.db.read_trust_pem();  // with the root of a two-tier CA, for the bundles
  if (!cert) return cert.error();
  auto signer = pki::CaSigner::open(plain->reveal(), *cert);
  if (!signer) return signer.error();
  g.signer.emplace(std::move(*signer));
  return {};
}

Result<void> Applier::refresh_config(Generation& g) {
  // openssl.cnf names the database's absolute path; rewrite it when the state moved.
  auto current = ctx_.fs.read(sys::join_path(g.db.ca_dir(), "openssl.cnf"));
  if (current && *current == pki::openssl_config(g.db.ca_dir())) return {};
  return g.db.write_config();
}

Result<void> Applier::open() {
  if (auto r = open_signer(cur_); !r) return r;
  if (auto r = refresh_config(cur_); !r) return r;
  auto ca = cur_.db.read();
  if (!ca) return ca.error();
  cur_.files = std::move(*ca);
  auto previous = pki::has_previous_ca(ctx_.fs, ctx_.state_dir);
  if (!previous) return previous.error();
  has_prev_ = *previous;
  if (!has_prev_) return {};
  auto old = prev_.db.read();
  if (!old) return old.error();
  prev_.files = std::move(*old);
  // Its key is opened only to sign its CRL.
  if (!plan::previous_crl_action(plan_)) return {};
  if (auto r = open_signer(prev_); !r) return r;
  return refresh_config(prev_);
}

Result<std::vector<Job>> Applier::issuance_jobs(const std::vector<pki::IndexEntry>& index) {
  std::set<std::string> taken;
  for (const pki::IndexEntry& e : index) taken.insert(e.serial);
  std::vector<Job> jobs;
  for (const Action& a : plan_.actions) {
    if (a.object != plan::ObjectKind::device ||
        (a.kind != ActionKind::issue && a.kind != ActionKind::renew))
      continue;
    Job job;
    job.device = desired_.find_device(a.subject);
    CG_CHECK(job.device != nullptr);
    do {  // a collision of 126 random bits will not happen, but a serial is never reused
      auto serial = pki::random_serial();
      if (!serial) return serial.error();
      job.serial = std::move(*serial);
    } while (!taken.insert(job.serial).second);
    if (a.kind == ActionKind::renew) {
      job.replaces = a.serial;
      job.revokes_predecessor = a.revokes_predecessor;
      auto pass = job.device->has_csr() ? Result<std::optional<pki::SecretString>>(std::nullopt)
                                        : files_.read_password(a.subject);
      if (!pass) return pass.error();
      if (*pass)
        job.password = &kept_passwords_.emplace(a.subject, std::move(**pass)).first->second;
    }
    jobs.push_back(std::move(job));
  }
  return jobs;
}

Result<void> Applier::issue_batch() {
  auto jobs = issuance_jobs(cur_.files.index);
  if (!jobs) return jobs.error();
  if (jobs->empty()) return {};
  auto t0 = std::chrono::steady_clock::now();
  auto materials = make_materials(*cur_.signer, *jobs, ctx_.now, ctx_.threads);
  if (!materials) return materials.error();
  auto t1 = std::chrono::steady_clock::now();
  // 0. journal; 1. stage, one sync for the batch
  std::vector<std::string> names;
  for (const DeviceMaterial& m : *materials) names.push_back(m.device);
  if (auto r = files_.begin_batch(names); !r) return r;
  for (const DeviceMaterial& m : *materials) {
    if (auto r = cur_.db.write_newcert_deferred(m.serial, m.cert_pem); !r) return r;
    if (auto r = files_.stage(m); !r) return r;
  }
  if (auto r = ctx_.fs.sync(); !r) return r;
  auto t2 = std::chrono::steady_clock::now();
  // 2. commit: the batch's V lines, durably
  std::vector<pki::IndexEntry> index = cur_.files.index;
  for (const DeviceMaterial& m : *materials) index.push_back(index_entry(m));
  if (auto r = cur_.db.write_index(index); !r) return r;
  cur_.files.index = std::move(index);
  auto next_serial = pki::random_serial();
  if (!next_serial) return next_serial.error();
  if (auto r = cur_.db.write_next_serial_deferred(*next_serial); !r) return r;
  // 3. install, one sync; then the staging copies go
  for (const DeviceMaterial& m : *materials) {
    if (auto r = files_.install(m.device); !r) return r;
    // A device now on a CSR keeps no key: the old one goes once the new certificate is in.
    if (!m.has_key()) {
      if (auto r = files_.remove_secrets(m.device); !r) return r;
    }
  }
  if (auto r = ctx_.fs.sync(); !r) return r;
  for (size_t i = 0; i < materials->size(); ++i) {
    const DeviceMaterial& m = (*materials)[i];
    if (auto r = files_.clear_next(m.device); !r) return r;
    issued_[m.serial] = m.details;
    const std::string& old = (*jobs)[i].replaces;
    if (old.empty()) {
      spdlog::info("issued device={} serial={}", m.device, m.serial);
      report_.issued.push_back({m.device, m.serial});
      report_.new_serials[m.device] = m.serial;
    } else {
      spdlog::info("renewed device={} serial={} replaces={}", m.device, m.serial, old);
      report_.renewed.push_back({m.device, m.serial, old});
      report_.new_serials[m.device] = m.serial;
      if ((*jobs)[i].revokes_predecessor) superseded_[old] = m.device;
    }
  }
  auto t3 = std::chrono::steady_clock::now();
  using ms = std::chrono::duration<double, std::milli>;
  spdlog::debug(
      "timing batch={} keys_certs_bundles_ms={:.1f} stage_ms={:.1f} commit_install_ms={:.1f}",
      materials->size(), ms(t1 - t0).count(), ms(t2 - t1).count(), ms(t3 - t2).count());
  return files_.end_batch();
}

Result<void> Applier::revoke(const std::map<std::string, base::RevocationReason>& reasons,
                             std::vector<RevokedCert>& into) {
  if (reasons.empty()) return {};
  const std::vector<Generation*> gens = generations();
  std::vector<std::vector<pki::IndexEntry>> indices;
  std::vector<char> changed;
  std::set<std::string> fully_revoked;
  for (Generation* g : gens) {
    std::vector<pki::IndexEntry> index = g->files.index;
    char touched = 0;
    for (pki::IndexEntry& e : index) {
      auto it = reasons.find(e.serial);
      if (it == reasons.end() || e.status == pki::IndexStatus::revoked) continue;
      e.status = pki::IndexStatus::revoked;
      e.revoked_at = ctx_.now;
      e.revocation_field.clear();
      e.reason = it->second;
      touched = 1;
      if (it->second != base::RevocationReason::superseded) fully_revoked.insert(e.common_name());
    }
    indices.push_back(std::move(index));
    changed.push_back(touched);
  }
  // A device left without a live certificate (of either CA) has no more use for its key and
  // bundle. They go first, durably: a crash before the commit below leaves a valid certificate
  // without its server-side key (the device has its bundle), never a revoked one with its key.
  for (const std::string& device : fully_revoked) {
    const bool still_live = std::any_of(indices.begin(), indices.end(), [&](const auto& index) {
      return std::any_of(index.begin(), index.end(), [&](const auto& e) {
        return e.status == pki::IndexStatus::valid && e.common_name() == device &&
               ctx_.now < e.expires;
      });
    });
    if (!still_live) {
      if (auto r = files_.remove_secrets(device); !r) return r;
    }
  }
  if (auto r = ctx_.fs.sync(); !r) return r;
  for (size_t i = 0; i < gens.size(); ++i) {
    if (!changed[i]) continue;
    if (auto r = gens[i]->db.write_index(indices[i]); !r) return r;
  }
  for (size_t i = 0; i < gens.size(); ++i) {
    for (const pki::IndexEntry& e : indices[i]) {
      auto it = reasons.find(e.serial);
      if (it == reasons.end() || revoked_.contains(e.serial) || !e.revoked_at ||
          *e.revoked_at != ctx_.now)
        continue;
      revoked_.insert(e.serial);
      revoked_reasons_[e.serial] = it->second;
      spdlog::info("revoked device={} serial={} reason={}", e.common_name(), e.serial,
                   to_string(it->second));
      into.push_back({e.common_name(), e.serial, it->second});
    }
    gens[i]->files.index = std::move(indices[i]);
  }
  return {};
}

Result<void> Applier::issue_probe() {
  if (std::none_of(plan_.actions.begin(), plan_.actions.end(),
                   [](const Action& a) { return a.object == plan::ObjectKind::probe; }))
    return {};
  std::vector<pki::IndexEntry> index = cur_.files.index;
  if (auto r = issue_revoked_probe(*cur_.signer, ctx_.fs, ctx_.state_dir, ctx_.now, index); !r)
    return r;
  if (auto r = ctx_.fs.sync(); !r) return r;  // newcerts/ before the index names it
  if (auto r = cur_.db.write_index(index); !r) return r;
  cur_.files.index = std::move(index);
  return {};
}

Result<void> Applier::write_crls() {
  const auto validity = desired_.ca.crl_validity;
  if (signs_crl(plan_)) {
    auto n = sign_crl(*cur_.signer, cur_.db, cur_.files, plan_.crl_number, ctx_.now, validity);
    if (!n) return n.error();
    report_.crl_number = *n;
  }
  if (const Action* a = plan::previous_crl_action(plan_)) {
    CG_CHECK(has_prev_ && prev_.signer);
    auto n =
        sign_crl(*prev_.signer, prev_.db, prev_.files, std::stol(a->after), ctx_.now, validity);
    if (!n) return n.error();
    report_.previous_crl_number = *n;
  }
  return {};
}

Result<void> Applier::write_cache() {
  auto cache = updated_cert_cache(observed_, issued_, revoked_reasons_);
  if (!cache) return {};
  return cur_.db.write_cert_cache(*cache);
}

Result<void> Applier::issue_and_supersede() {
  if (auto r = issue_batch(); !r) return r;
  // Replacements with overlap 0s: the new certificate is in place, so the old one is revoked
  // (superseded). Others keep it valid beside it.
  std::map<std::string, base::RevocationReason> superseded;
  for (const auto& [serial, device] : superseded_)
    superseded[serial] = base::RevocationReason::superseded;
  return revoke(superseded, report_.superseded);
}

Result<ApplyReport> Applier::run() {
  if (auto r = roll_over(plan_, desired_, observed_, ctx_, report_); !r) return r.error();
  const bool wants_ca = plan::makes_ca(plan_);
  if (wants_ca) {
    if (auto r = create_ca_files(desired_, ctx_, cur_.db, observed_.ca.awaiting_root); !r)
      return r.error();
    report_.created_ca = true;
    // A two-tier CA's key and CSR: nothing can be signed before the root signed it.
    if (desired_.ca.is_intermediate() && !observed_.ca.awaiting_root) {
      report_.awaiting_root = true;
      return report_;
    }
  }
  if (plan_.is_empty()) {
    if (auto r = write_cache(); !r) return r.error();
    return report_;
  }
  const auto t0 = std::chrono::steady_clock::now();
  if (auto r = open(); !r) return r.error();
  const auto t1 = std::chrono::steady_clock::now();
  // Revocations first: an issuance that keeps failing (a full disk, one bad device) must never
  // keep a revoked device in.
  if (auto r = issue_probe(); !r) return r.error();
  std::map<std::string, base::RevocationReason> planned;
  for (const Action& a : plan_.actions) {
    if (a.kind == ActionKind::revoke) planned[a.serial] = *a.revocation_reason;
  }
  if (auto r = revoke(planned, report_.revoked); !r) return r.error();
  const auto t2 = std::chrono::steady_clock::now();
  Result<void> issued = issue_and_supersede();
  // One CRL per apply, with the plan's number, once every revocation is in index.txt; signed
  // also when the issuance failed, so that the revocations committed above reach it.
  if (auto r = install_root_crl(plan_, desired_, cur_.db); !r) return r.error();
  if (auto r = write_crls(); !r) return r.error();
  if (!issued) return issued.error();
  if (auto r = write_cache(); !r) return r.error();
  if (plan::retires_previous_ca(plan_)) {
    const std::string& serial = observed_.previous.ca.serial;
    if (auto r = retire_previous_ca(ctx_, serial); !r) return r.error();
    report_.retired_ca = serial;
  }
  using ms = std::chrono::duration<double, std::milli>;
  spdlog::debug("timing open_read_ms={:.1f} revoke_ms={:.1f} issue_crl_rest_ms={:.1f}",
                ms(t1 - t0).count(), ms(t2 - t1).count(),
                ms(std::chrono::steady_clock::now() - t2).count());
  return report_;
}

}  // namespace

Result<ApplyReport> apply_pki(const plan::Plan& plan, const desired::DesiredState& desired,
                              const observed::ObservedState& observed, ApplyContext& ctx) {
  Applier applier(plan, desired, observed, ctx);
  return applier.run();
}

Result<void> record_applied(sys::Filesystem& fs, const std::string& state_dir,
                            const observed::AppliedRecord& record) {
  return fs.write_atomic(sys::join_path(state_dir, "state.json"),
                         observed::format_applied_record(record), 0600);
}

}  // namespace certgate::apply
