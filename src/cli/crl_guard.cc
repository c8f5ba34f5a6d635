#include "cli/crl_guard.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "apply/deploy.h"
#include "apply/pki_apply.h"
#include "apply/publish_hosts.h"
#include "cli/ca_passphrase.h"
#include "cli/pipeline.h"
#include "cli/pull_hosts.h"
#include "observed/applied_record.h"
#include "observed/deployed.h"
#include "observed/enroll_links.h"
#include "observed/observe.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "pki/inspect.h"
#include "pki/random.h"
#include "plan/planner.h"
#include "plan/rollover.h"
#include "render/nginx_files.h"
#include "render/pickup_conf.h"
#include "targets/ssh_target.h"

namespace certgate::cli {
namespace {

using std::chrono::seconds;

// The recorded CRL settings; for a record written before they were kept, the CRL's own
// validity and a quarter of it; without either, the defaults of [ca].
void crl_settings(const observed::AppliedRecord& record, const std::optional<pki::CrlInfo>& crl,
                  seconds& validity, seconds& refresh_before) {
  validity = record.crl_validity;
  refresh_before = record.crl_refresh_before;
  if (validity.count() <= 0 && crl && crl->next_update > crl->this_update)
    validity = std::chrono::duration_cast<seconds>(crl->next_update - crl->this_update);
  if (validity.count() <= 0) validity = desired::CaSpec{}.crl_validity;
  if (refresh_before.count() <= 0) refresh_before = validity / 4;
}

// Signs the CA's CRL, and the outgoing CA's of a rollover when `previous` (its number in
// `previous_number`). Returns the CA's number.
Result<long> sign_crl(const GlobalOptions& g, sys::Filesystem& fs, const std::string& state,
                      base::Instant now, seconds validity, bool previous, long& previous_number) {
  desired::DesiredState desired;  // the CA database alone; only the CRL's validity is used
  desired.ca.crl_validity = validity;
  auto observed = observed::observe(fs, state, desired, now);
  if (!observed) return observed.error();
  plan::Plan plan;
  plan.now = now;
  const long next = plan::next_crl_number(*observed);
  plan.crl_number = next;
  plan.actions.push_back(plan::Action{plan::ActionKind::crl, plan::ObjectKind::crl, "local", "crl",
                                      "", "CRL refresh due", "", std::nullopt,
                                      std::to_string(observed->crl.number), std::to_string(next)});
  if (previous && observed->previous.exists) {
    const observed::PreviousCa& p = observed->previous;
    const long after = std::max(p.next_crl_number, p.crl.number + 1);
    plan.actions.push_back(plan::Action{
        plan::ActionKind::crl, plan::ObjectKind::crl, "local", plan::kPreviousCrlSubject, "",
        "CRL refresh due", "", std::nullopt, std::to_string(p.crl.number), std::to_string(after)});
  }
  apply::ApplyContext ctx{fs, state, now, 1};
  std::optional<CaPassphrase> passphrase;
  if (auto r = unlock_with_passphrase(fs, g, passphrase, ctx); !r) return r.error();
  auto report = apply::apply_pki(plan, desired, *observed, ctx);
  if (!report) return report.error();
  previous_number = report->previous_crl_number;
  return report->crl_number;
}

// A recorded target, connected: this machine, or the [[host]] over SSH.
Result<std::unique_ptr<targets::Target>> connect(const GlobalOptions& g, sys::Filesystem& fs,
                                                 sys::CommandRunner& runner,
                                                 const observed::RecordedTarget& t) {
  if (t.address.empty())
    return std::unique_ptr<targets::Target>(std::make_unique<targets::LocalTarget>(fs, runner));
  auto access = ssh_access(g, fs);
  if (!access) return access.error();
  auto session = targets::connect_ssh({t.address, t.port, t.user}, *access);
  if (!session) return session.error();
  return std::unique_ptr<targets::Target>(
      std::make_unique<targets::SshTarget>(t.name, std::move(*session)));
}

// Brings one target's crl.pem to `crl_pem`, keeping the header certgate wrote above it, and takes
// the `revoked` serials out of its http.conf maps. Returns what was deployed (path -> sha256),
// nothing when the target held it all already; Errc::not_found when the target holds no crl.pem
// of certgate's (nothing is written then).
Result<std::map<std::string, std::string>> deploy_crl(targets::Target& target,
                                                      const observed::RecordedTarget& t,
                                                      const std::string& crl_pem,
                                                      const std::set<std::string>& revoked,
                                                      const std::set<std::string>& open_links) {
  auto live = target.fs().read(sys::join_path(t.dir, "crl.pem"));
  if (!live) {
    if (live.error().code == Errc::not_found)
      return make_error(Errc::not_found, "it holds no crl.pem: left alone");
    return live.error();
  }
  if (!live->starts_with(observed::kGeneratedHeader))
    return make_error(Errc::not_found, "its crl.pem was not written by certgate: left alone");
  const std::string bytes = render::crl_file(crl_pem);
  apply::DeployRequest request{t.dir, t.test, t.reload, {{"crl.pem", bytes}}};
  request.expected["crl.pem"] = pki::sha256_hex(*live);
  // A revocation whose own deploy failed reaches nginx here: its serial leaves the gate maps
  // too, or a resumed TLS session (which skips the CRL) would still pass the gate.
  auto http = target.fs().read(sys::join_path(t.dir, "http.conf"));
  if (http && http->starts_with(observed::kGeneratedHeader)) {
    std::string stripped = render::without_serials(*http, revoked);
    if (stripped != *http) {
      request.changes["http.conf"] = std::move(stripped);
      request.expected["http.conf"] = pki::sha256_hex(*http);
    }
  }
  // A link cancelled or expired since dies now too: its locations leave pickup/links.conf.
  const std::string links_path = sys::join_path(t.dir, render::kLinksConf);
  if (auto links = target.fs().read(links_path);
      links && links->starts_with(observed::kGeneratedHeader)) {
    std::string kept = render::without_links(*links, open_links);
    if (kept != *links) {
      request.changes[render::kLinksConf] = std::move(kept);
      request.expected[render::kLinksConf] = pki::sha256_hex(*links);
      request.group = t.worker_group;
    }
  }
  if (bytes == *live && request.changes.size() == 1) return std::map<std::string, std::string>{};
  auto done = apply::deploy(target, request);
  if (!done) return done.error();
  std::map<std::string, std::string> deployed;
  for (const auto& [rel, b] : request.changes) deployed[rel] = pki::sha256_hex(*b);
  return deployed;
}

// The folder of pull host `h` with the CRL of `crl_bytes` (its crl.pem file) and without the
// `revoked` serials in its http.conf; false when it holds them already. Errc::not_found when it
// holds no crl.pem of certgate's (it is left alone then).
Result<bool> refresh_folder(apply::PullHostFiles& h, const std::string& crl_bytes,
                            const std::set<std::string>& revoked) {
  auto crl = h.files.find("crl.pem");
  if (crl == h.files.end() || !crl->second.starts_with(observed::kGeneratedHeader))
    return make_error(Errc::not_found, "its folder holds no crl.pem of certgate's: left alone");
  bool changed = crl->second != crl_bytes;
  crl->second = crl_bytes;
  if (auto http = h.files.find("http.conf");
      http != h.files.end() && http->second.starts_with(observed::kGeneratedHeader)) {
    std::string stripped = render::without_serials(http->second, revoked);
    changed = changed || stripped != http->second;
    http->second = std::move(stripped);
  }
  return changed;
}

// The same for the pull hosts the last apply published ([publish] in state.json): their folders
// on the publish branch get the CRL (and lose the revoked serials) in one signed commit, the
// other folders kept as they are. Per-host outcomes go to `report`, what they hold to `record`.
void publish_crl(const GlobalOptions& g, sys::Filesystem& fs, sys::CommandRunner& runner,
                 const std::string& state, base::Instant now, const std::string& crl_pem,
                 const std::set<std::string>& revoked, observed::AppliedRecord& record,
                 CrlGuardReport& report) {
  const observed::RecordedPublish& p = record.publish;
  const desired::Publish publish{p.repo, p.branch, p.signing_key, {}};
  auto failed = [&](const std::string& why) {
    for (const std::string& host : p.hosts) report.failed.push_back(host + ": " + why);
  };
  auto ssh = publish_ssh_access(g, fs);
  if (!ssh) return failed(ssh.error().message);
  auto tip = apply::read_published(publish, publish_work_dir(state), *ssh);
  if (!tip) return failed("the [publish] branch could not be read: " + tip.error().message);
  const std::string crl_bytes = render::crl_file(crl_pem);
  std::vector<apply::PullHostFiles> hosts;
  std::vector<std::string> changed;
  for (auto& [name, folder] : tip->hosts) {
    apply::PullHostFiles h{name, std::move(folder.files),
                           folder.manifest.value_or(observed::Manifest{})};
    if (std::binary_search(p.hosts.begin(), p.hosts.end(), name)) {
      auto refreshed = refresh_folder(h, crl_bytes, revoked);
      if (!refreshed) report.skipped.push_back(name + ": " + refreshed.error().message);
      if (refreshed && *refreshed) {
        changed.push_back(name);
        h.manifest.generated_at = base::format_rfc3339(now);
      }
    }
    hosts.push_back(std::move(h));
  }
  if (changed.empty()) return;
  std::map<std::string, std::map<std::string, std::string>> holds;
  for (const apply::PullHostFiles& h : hosts)
    for (const auto& [rel, bytes] : h.files) holds[h.host][rel] = pki::sha256_hex(bytes);
  apply::PublishHostsRequest req{
      publish,
      std::move(hosts),
      "CRL refresh",
      "",
      publish_work_dir(state),
      *ssh,
      apply::ssh_commit_signer(fs, runner, p.signing_key, sys::join_path(state, "git"))};
  if (auto commit = apply::publish_hosts(req); !commit) {
    for (const std::string& host : changed)
      report.failed.push_back(host + ": publish to " + p.repo + ": " + commit.error().message);
    return;
  }
  for (const std::string& host : changed) {
    report.deployed.push_back(host);
    record.deployed[host] = holds[host];
  }
}

}  // namespace

Result<CrlGuardReport> guard_crl(const GlobalOptions& g, sys::Filesystem& fs,
                                 sys::CommandRunner& runner, const std::string& state,
                                 base::Instant now, bool force_sign) {
  CrlGuardReport report;
  pki::CaDatabase db(fs, state);
  auto ca_pem = fs.read(db.cert_path());
  if (!ca_pem) return report;      // no CA yet: nothing to guard
  observed::AppliedRecord record;  // none yet: the CRL is still kept signed, for no target
  if (auto text = fs.read(sys::join_path(state, "state.json"))) {
    if (auto parsed = observed::parse_applied_record(*text)) record = std::move(*parsed);
  }
  auto crl_pem = fs.read(db.crl_path());
  std::optional<pki::CrlInfo> crl;
  if (crl_pem) {
    auto info = pki::inspect_crl(*crl_pem, *ca_pem);
    if (!info) return make_error(Errc::invalid, "the CA's CRL: " + info.error().message);
    crl = std::move(*info);
  }
  seconds validity, refresh_before;
  crl_settings(record, crl, validity, refresh_before);
  auto due = [&](const std::optional<pki::CrlInfo>& c) {
    return force_sign || !c || c->next_update - refresh_before <= now || c->this_update > now;
  };
  // A rollover's outgoing CA: its devices are refused once its CRL has run out.
  bool previous_due = false;
  const pki::CaDatabase old(fs, state, pki::kPreviousCaDir);
  if (auto old_ca = fs.read(old.cert_path())) {
    std::optional<pki::CrlInfo> old_crl;
    if (auto pem = fs.read(old.crl_path())) {
      if (auto info = pki::inspect_crl(*pem, *old_ca)) old_crl = std::move(*info);
    }
    previous_due = due(old_crl);
  }
  if (due(crl) || previous_due) {
    long previous_number = -1;
    auto number = sign_crl(g, fs, state, now, validity, previous_due, previous_number);
    if (!number) return make_error(number.error().code, "sign the CRL: " + number.error().message);
    report.signed_crl = *number;
    crl_pem = fs.read(db.crl_path());
    if (!crl_pem) return crl_pem.error();
  }
  std::set<std::string> revoked;
  auto add_revoked = [&revoked](const std::string& crl_text, const std::string& ca_text) {
    auto info = pki::inspect_crl(crl_text, ca_text);
    if (!info) return;
    for (std::string serial : info->serials) {
      // As $ssl_client_serial prints it: no leading 00 sign byte (DESIGN.md section 7).
      while (serial.size() > 2 && serial.starts_with("00")) serial.erase(0, 2);
      revoked.insert(std::move(serial));
    }
  };
  add_revoked(*crl_pem, *ca_pem);
  if (auto old_ca = fs.read(old.cert_path())) {
    if (auto pem = fs.read(old.crl_path())) add_revoked(*pem, *old_ca);
  }
  // What the targets get: with the root's CRL after the CA's for a two-tier CA, and the outgoing
  // CA's during a rollover, checked as apply checks it (a CA nginx trusts without its CRL would
  // make nginx refuse everyone).
  auto bundle = pki::nginx_crl_pem(fs, state);
  if (!bundle) return make_error(bundle.error().code, "the CRL file: " + bundle.error().message);
  auto trust = pki::nginx_trust_pem(fs, state);
  if (!trust) return make_error(trust.error().code, "the CA file: " + trust.error().message);
  if (auto r = apply::check_crl_deployable(*bundle, *trust, now); !r) return r.error();
  crl_pem = std::move(*bundle);
  std::set<std::string> open_links;
  if (auto links = observed::read_enroll_links(fs, state, now)) {
    for (const observed::EnrollLink& l : links->open) open_links.insert(l.token);
  }
  for (const observed::RecordedTarget& t : record.targets) {
    auto target = connect(g, fs, runner, t);
    auto done = target ? deploy_crl(**target, t, *crl_pem, revoked, open_links)
                       : Result<std::map<std::string, std::string>>(target.error());
    if (!done) {
      auto& list = done.error().code == Errc::not_found ? report.skipped : report.failed;
      list.push_back(t.name + ": " + done.error().message);
    } else if (!done->empty()) {
      report.deployed.push_back(t.name);
      // What the target now holds, so that the next plan does not take it for a hand edit.
      for (const auto& [rel, sha] : *done) record.deployed[t.name][rel] = sha;
    }
  }
  if (!record.publish.repo.empty())
    publish_crl(g, fs, runner, state, now, *crl_pem, revoked, record, report);
  if (!report.deployed.empty()) {
    if (auto r = apply::record_applied(fs, state, record); !r)
      report.failed.push_back("record the CRL's deploy in state.json: " + r.error().message);
  }
  spdlog::info("crl guard signed={} deployed={} failed={}", report.signed_crl,
               report.deployed.size(), report.failed.size());
  return report;
}

void print_crl_guard(const CrlGuardReport& report) {
  std::string out;
  if (report.signed_crl >= 0)
    out = "Refreshed the CRL only: CRL " + std::to_string(report.signed_crl);
  if (!report.deployed.empty()) {
    out += (out.empty() ? "Deployed the CRL only" : std::string(", deployed")) + " to ";
    for (size_t i = 0; i < report.deployed.size(); ++i) out += (i ? ", " : "") + report.deployed[i];
  }
  if (!out.empty()) std::printf("%s.\n", out.c_str());
  for (const std::string& s : report.skipped)
    std::printf("Note: CRL not deployed to %s.\n", s.c_str());
  for (const std::string& f : report.failed) fail("deploying the CRL: " + f);
}

}  // namespace certgate::cli
