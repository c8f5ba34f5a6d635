#include "cli/audit.h"

#include <spdlog/spdlog.h>

#include "cli/logging.h"
#include "pki/sshsig.h"

namespace certgate::cli {
namespace {

render::AuditEvent revocation(const apply::RevokedCert& c) {
  return {"revoke", c.device, c.serial, std::string(base::to_string(c.reason))};
}

}  // namespace

render::AuditOrigin audit_origin(const std::string& command, base::Instant at,
                                 const source::SourceSnapshot* snapshot,
                                 const std::string& signer) {
  render::AuditOrigin o{at, command};
  if (!snapshot) return o;
  o.source = snapshot->description;
  o.commit = snapshot->commit.value_or("");
  o.author = snapshot->author.value_or("");
  if (!signer.empty() && snapshot->signature) {
    auto sig = pki::parse_ssh_signature(*snapshot->signature);
    o.signer = signer + (sig ? " " + pki::ssh_fingerprint(sig->public_key) : "");
  }
  return o;
}

std::vector<render::AuditEvent> pki_events(const apply::ApplyReport& r) {
  std::vector<render::AuditEvent> out;
  if (r.created_ca) out.push_back({"ca", "", "", "", "", "created"});
  if (r.requested_next_ca) out.push_back({"ca", "", "", "", "", "next intermediate requested"});
  if (r.rolled_over) out.push_back({"ca", "", "", "", "", "rolled over"});
  if (!r.retired_ca.empty()) out.push_back({"ca", "", r.retired_ca, "", "", "previous CA retired"});
  for (const apply::RevokedCert& c : r.revoked) out.push_back(revocation(c));
  for (const apply::IssuedCert& c : r.issued) out.push_back({"issue", c.device, c.serial});
  for (const apply::IssuedCert& c : r.renewed)
    out.push_back({"renew", c.device, c.serial, "", "", "replaces " + c.replaces});
  for (const apply::RevokedCert& c : r.superseded) out.push_back(revocation(c));
  if (r.crl_number >= 0)
    out.push_back({"crl", "", "", "", "", "crlNumber " + std::to_string(r.crl_number)});
  if (r.previous_crl_number >= 0)
    out.push_back({"crl", "", "", "", "",
                   "previous CA's crlNumber " + std::to_string(r.previous_crl_number)});
  return out;
}

std::vector<render::AuditEvent> rollout_events(const apply::RolloutReport& rollout) {
  std::vector<render::AuditEvent> out;
  for (const apply::TargetResult& t : rollout.results) {
    if (t.outcome == apply::TargetOutcome::deployed) {
      const char* how = t.reloaded            ? "reloaded"
                        : t.nginx_not_running ? "nginx not running"
                                              : "not reloaded";
      out.push_back({"deploy", "", "", "", t.target, how, t.files});
    } else if (t.outcome == apply::TargetOutcome::failed) {
      out.push_back({"deploy-failed", "", "", t.error, t.target});
    }
  }
  return out;
}

Result<void> record_audit(sys::Filesystem& fs, const std::string& state_dir,
                          const render::AuditOrigin& origin,
                          const std::vector<render::AuditEvent>& events) {
  if (events.empty()) return {};
  // In JSON (the journal's form) at info; in text, where the lines before said the same, only
  // with -v.
  for (const render::AuditEvent& e : events)
    spdlog::log(logging_json() ? spdlog::level::info : spdlog::level::debug, "{}",
                render::audit_log_fields(e));
  const std::string path = sys::join_path(state_dir, kAuditLog);
  if (auto r = fs.append_durable(path, render::audit_lines(origin, events), 0600); !r)
    return make_error(r.error().code, "the audit log " + path + ": " + r.error().message);
  return {};
}

}  // namespace certgate::cli
