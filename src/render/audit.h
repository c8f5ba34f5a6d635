// The audit trail (STATE/audit.log): one JSON object per line for every issue, renewal,
// revocation, CRL, deploy, enrollment link and refusal, with when, what, and on whose commit.
// Never a secret: names, serials, reasons, commit ids, authors, key fingerprints. PURE.
#pragma once

#include <string>
#include <vector>

#include "base/time.h"

namespace certgate::render {

// What a command was acting on: the same for each event it records.
struct AuditOrigin {
  base::Instant at;
  std::string command;  // "apply", "sync", "enroll", ...
  std::string source = "";
  std::string commit = "";  // empty for a source that is not git
  std::string author = "";  // the commit's author, "Name <email>"
  std::string signer = "";  // --require-signed: the principal and key fingerprint that signed
};

// One event. Empty fields are left out of its line; `count` only when not negative.
struct AuditEvent {
  std::string action;  // issue, renew, revoke, crl, ca, deploy, deploy-failed, enroll, refuse
  std::string device = "";
  std::string serial = "";
  std::string reason = "";  // a revocation reason, a refusal's message, a deploy's error
  std::string target = "";  // "local" or a [[host]] name
  std::string detail = "";  // the certificate replaced, the CRL number, ...
  long count = -1;          // deploy: files written or removed
};

// The lines for `events`, each ending in '\n': {"time":...,"action":...,...,"command":...}.
std::string audit_lines(const AuditOrigin& origin, const std::vector<AuditEvent>& events);

// The same event as `key=value` fields for a log line (`--log-format json` makes them JSON).
std::string audit_log_fields(const AuditEvent& event);

// `status` output with the audit lines added: in JSON (`json`) as an "audit" array of the
// events, in text as a section of the lines. REQUIRES: `lines` parse (last_audit_lines).
std::string status_with_audit(std::string status, bool json, const std::vector<std::string>& lines);

// The last `n` complete lines of `text` that parse as JSON objects, in order: a crash may cut
// the last line of the file off.
std::vector<std::string> last_audit_lines(const std::string& text, size_t n);

}  // namespace certgate::render
