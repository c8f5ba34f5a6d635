#include "cli/cached_apply.h"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "apply/pki_apply.h"
#include "cli/run_cache.h"
#include "cli/signature_check.h"
#include "observed/applied_record.h"
#include "observed/last_seen.h"

namespace certgate::cli {

namespace {

constexpr std::string_view kCommand = "apply";

std::string state_json(const GlobalOptions& g) {
  return sys::join_path(absolute_state_dir(g), "state.json");
}

}  // namespace

std::string apply_key(const GlobalOptions& g, const ApplyFlags& flags) {
  if (!flags.plan_file.empty()) return "";
  const std::string f = std::string(flags.allow_mass_revoke ? "mass " : "") +
                        (flags.allow_clock_rewind ? "clock " : "") +
                        (flags.allow_rewind ? "rewind " : "") +
                        (flags.require_signed ? "signed:" + flags.allowed_signers : "");
  return run_key(g, kCommand, f);
}

bool apply_from_cache(const GlobalOptions& g, const ApplyFlags& flags, const std::string& key,
                      base::Instant now, sys::Filesystem& fs, ApplyOutcome& out) {
  source::SourceSnapshot snap;
  auto hit = cached_run(g, kCommand, key, now, fs, &snap);
  if (!hit) return false;
  // The signature is checked again: allowed_signers may bound a key's validity in time.
  if (flags.require_signed) {
    auto signer = check_commit_signature(fs, snap, flags.allowed_signers);
    if (!signer) return false;  // the full run refuses it, and says why
    spdlog::info("commit signed commit={} signer={}", snap.commit.value_or(""), *signer);
  }
  // Recorded as the full run records an apply that changed nothing: the same record, now.
  auto text = fs.read(state_json(g));
  if (!text) return false;
  auto record = observed::parse_applied_record(*text);
  if (!record) return false;
  record->applied_at = now;
  if (auto r = apply::record_applied(fs, absolute_state_dir(g), *record); !r) return false;
  for (sys::TraceEntry& e : hit->trace.entries)
    if (e.path == state_json(g)) e.fingerprint = sys::fingerprint_now(fs, e, trace_hasher());
  hit->applied_at = now;
  std::fputs(replay_text(*hit, now).c_str(), stdout);
  std::fflush(stdout);
  store_run(g, kCommand, *hit, fs);
  out.source = snap.description;
  out.commit = snap.commit.value_or("");
  if (snap.commit_time) out.commit_time = base::Instant{std::chrono::seconds{*snap.commit_time}};
  out.planned_actions = 0;
  out.next_change = hit->next_change;
  if (!flags.metrics_file.empty())
    out.access_logs = hit->access_log.empty()
                          ? std::vector<observed::AccessLogSeen>{}
                          : std::vector<observed::AccessLogSeen>{
                                observed::read_access_log(fs, "local", hit->access_log)};
  return true;
}

void keep_apply(const GlobalOptions& g, const PlanRun& run, const sys::Trace& trace,
                const std::string& key, base::Instant now, std::string printed, bool warned,
                sys::Filesystem& fs) {
  auto entry = cacheable(run, trace, key, now, std::move(printed), warned);
  if (!entry) return;
  entry->applied_at = now;  // what this run wrote into state.json
  store_run(g, kCommand, *entry, fs);
}

}  // namespace certgate::cli
