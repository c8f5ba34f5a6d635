// The audit trail of the commands that change things (render/audit.h): the events of an apply,
// a refusal, a CRL refresh or an enrollment link, appended durably to STATE/audit.log (0600)
// before the command reports success, and logged as `audit` lines (JSON with --log-format json,
// so the journal has them too).
#pragma once

#include <string>
#include <vector>

#include "apply/pki_apply.h"
#include "apply/rollout.h"
#include "base/result.h"
#include "render/audit.h"
#include "source/source.h"
#include "sys/filesystem.h"

namespace certgate::cli {

inline constexpr const char* kAuditLog = "audit.log";

// The origin of a command's events: its source and commit, the commit's author, and the signer
// --require-signed found ("" when not checked).
render::AuditOrigin audit_origin(const std::string& command, base::Instant at,
                                 const source::SourceSnapshot* snapshot, const std::string& signer);

// The events of the PKI part of an apply: CA changes, each issue, renewal and revocation, the
// CRLs. Recorded as soon as they are signed, before any target is deployed to.
std::vector<render::AuditEvent> pki_events(const apply::ApplyReport& report);

// Each target's deploy or failure.
std::vector<render::AuditEvent> rollout_events(const apply::RolloutReport& rollout);

// Appends the events to STATE/audit.log and waits for the disk; logs each one. No event: no
// write.
Result<void> record_audit(sys::Filesystem& fs, const std::string& state_dir,
                          const render::AuditOrigin& origin,
                          const std::vector<render::AuditEvent>& events);

}  // namespace certgate::cli
