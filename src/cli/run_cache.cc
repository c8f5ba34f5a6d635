#include "cli/run_cache.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "cli/load.h"
#include "pki/random.h"
#include "sys/process_identity.h"
#include "sys/secret_file.h"

namespace certgate::cli {

namespace {

// A run's answer is kept at most this long even when nothing is due to change: a bound on any
// dependence on the clock that plan::next_change does not name.
constexpr std::chrono::hours kMaxAge{1};

constexpr int kFormat = 1;

using nlohmann::json;

std::string cache_path(const GlobalOptions& g, std::string_view command) {
  return sys::join_path(absolute_state_dir(g), "cache/run-" + std::string(command) + ".json");
}

long long seconds_of(base::Instant t) { return t.time_since_epoch().count(); }
base::Instant instant_of(long long s) { return base::Instant{std::chrono::seconds{s}}; }

const char* op_name(sys::TraceOp op) {
  switch (op) {
    case sys::TraceOp::read:
      return "read";
    case sys::TraceOp::stat:
      return "stat";
    case sys::TraceOp::list:
      return "list";
    case sys::TraceOp::read_inside:
      return "read_inside";
  }
  return "";
}

std::optional<sys::TraceOp> op_of(const std::string& name) {
  for (sys::TraceOp op :
       {sys::TraceOp::read, sys::TraceOp::stat, sys::TraceOp::list, sys::TraceOp::read_inside})
    if (name == op_name(op)) return op;
  return std::nullopt;
}

json source_json(const SourceIdentity& s) {
  return {{"kind", s.kind},
          {"description", s.description},
          {"file_path", s.file_path},
          {"text_sha256", s.text_sha256},
          {"commit", s.commit},
          {"commit_time", s.commit_time},
          {"signature_sha256", s.signature_sha256}};
}

SourceIdentity source_of(const json& j) {
  return {j.at("kind"),   j.at("description"), j.at("file_path"),       j.at("text_sha256"),
          j.at("commit"), j.at("commit_time"), j.at("signature_sha256")};
}

std::string format_entry(const CachedRun& e) {
  json reads = json::array();
  for (const sys::TraceEntry& t : e.trace.entries)
    reads.push_back({{"op", op_name(t.op)},
                     {"path", t.path},
                     {"limit", t.limit},
                     {"fingerprint", t.fingerprint}});
  json j = {{"format", kFormat},
            {"key", e.key},
            {"source", source_json(e.source)},
            {"reads", std::move(reads)},
            {"computed_at", seconds_of(e.computed_at)},
            {"valid_until", seconds_of(e.valid_until)},
            {"out", e.out},
            {"crl_validity", e.crl_validity.count()},
            {"access_log", e.access_log}};
  if (e.next_change)
    j["next_change"] = {{"at", seconds_of(e.next_change->at)}, {"reason", e.next_change->reason}};
  if (e.applied_at) j["applied_at"] = seconds_of(*e.applied_at);
  return j.dump();
}

// nullopt for anything that is not a whole entry of this format: a cache is never repaired.
std::optional<CachedRun> parse_entry(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || j.value("format", 0) != kFormat) return std::nullopt;
  try {
    CachedRun e;
    e.key = j.at("key");
    e.source = source_of(j.at("source"));
    for (const json& r : j.at("reads")) {
      auto op = op_of(r.at("op"));
      if (!op) return std::nullopt;
      e.trace.entries.push_back({*op, r.at("path"), r.at("limit"), r.at("fingerprint")});
    }
    e.computed_at = instant_of(j.at("computed_at"));
    e.valid_until = instant_of(j.at("valid_until"));
    e.out = j.at("out");
    e.crl_validity = std::chrono::seconds{j.at("crl_validity").get<long long>()};
    e.access_log = j.at("access_log");
    if (j.contains("next_change"))
      e.next_change =
          plan::NextChange{instant_of(j["next_change"].at("at")), j["next_change"].at("reason")};
    if (j.contains("applied_at")) e.applied_at = instant_of(j["applied_at"]);
    return e;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::optional<CachedRun> miss(std::string_view command, std::string_view why) {
  spdlog::debug("run cache miss command={} reason={}", command, why);
  return std::nullopt;
}

// Why `run` may not be kept; empty when it may.
std::string not_cacheable(const PlanRun& run, const sys::Trace& trace, bool warned) {
  const plan::Plan& p = run.plan;
  if (!trace.complete) return "incomplete trace";
  if (warned) return "the run logged a warning";
  if (!p.is_empty() || !p.refusal.empty()) return "the plan is not empty";
  if (!p.notes.empty() || !p.warnings.empty()) return "the plan has notes";
  if (run.loaded.warnings != 0) return "the desired state has warnings";
  if (!run.loaded.state.hosts.empty()) return "[[host]] targets";
  if (run.snapshot) return "planned against a snapshot";
  if (!run.observed.enroll_links.empty() || !run.observed.enroll_link_problems.empty())
    return "open enrollment links";
  for (const DeployTarget& t : run.targets)
    if (!t.is_observed()) return "an unreachable target";
  return "";
}

}  // namespace

sys::Hasher trace_hasher() {
  return [](std::string_view bytes) { return pki::sha256_hex(bytes); };
}

SourceIdentity identity_of(const source::SourceSnapshot& s) {
  return {s.kind,
          s.description,
          s.file_path,
          pki::sha256_hex(s.text),
          s.commit.value_or(""),
          s.commit_time.value_or(0),
          s.signature ? pki::sha256_hex(*s.signature + s.signed_data) : ""};
}

std::string run_key(const GlobalOptions& g, std::string_view command, std::string_view flags) {
  if (const char* off = std::getenv("CERTGATE_NO_CACHE"); off && *off && std::string(off) != "0")
    return "";
  const std::string process = sys::process_identity();
  if (process.empty()) return "";
  const char* home = std::getenv("HOME");
  const json j = {process,      std::string(command), std::string(flags),  g.source.source,
                  g.source.ref, g.source.file,        g.source.prefer_git, absolute_state_dir(g),
                  g.now,        g.log_format,         g.verbose,           g.quiet,
                  g.ssh_key,    g.known_hosts,        home ? home : ""};
  return pki::sha256_hex(j.dump());
}

std::optional<CachedRun> cached_run(const GlobalOptions& g, std::string_view command,
                                    const std::string& key, base::Instant now, sys::Filesystem& fs,
                                    source::SourceSnapshot* snapshot) {
  if (key.empty()) return std::nullopt;
  // The full run refuses a state directory open to others, and says so.
  if (!sys::check_private(fs, absolute_state_dir(g))) return miss(command, "state directory mode");
  auto text = fs.read(cache_path(g, command));
  if (!text) return miss(command, "no cache");
  auto entry = parse_entry(*text);
  if (!entry) return miss(command, "unreadable cache");
  if (entry->key != key) return miss(command, "another binary, option or directory");
  if (now < entry->computed_at || now >= entry->valid_until)
    return miss(command, "outside the window in which nothing changes by itself");
  if (entry->applied_at &&
      (now < *entry->applied_at || now - *entry->applied_at > entry->crl_validity))
    return miss(command, "the last apply is too old or in the future");
  auto snap = source::load(source_options(g), fs);
  if (!snap) return miss(command, "the source did not load");
  if (identity_of(*snap) != entry->source) return miss(command, "another desired state");
  if (!sys::trace_holds(fs, entry->trace, trace_hasher()))
    return miss(command, "a file it read changed");
  spdlog::debug("run cache hit command={} computed_at={}", command,
                base::format_rfc3339(entry->computed_at));
  if (snapshot) *snapshot = std::move(*snap);
  return entry;
}

std::optional<CachedRun> cacheable(const PlanRun& run, const sys::Trace& trace,
                                   const std::string& key, base::Instant now, std::string out,
                                   bool warned) {
  if (key.empty()) return std::nullopt;
  if (std::string why = not_cacheable(run, trace, warned); !why.empty()) {
    spdlog::debug("run cache not kept reason={}", why);
    return std::nullopt;
  }
  CachedRun e;
  e.key = key;
  e.source = identity_of(run.loaded.snapshot);
  e.trace = trace;
  e.computed_at = now;
  e.valid_until = now + kMaxAge;
  e.next_change = plan::next_change(run.loaded.state, run.observed, now);
  if (e.next_change) e.valid_until = std::min(e.valid_until, e.next_change->at);
  // The CA's own end, which next_change does not name: the plan notes it from renew_before on,
  // and stops renewing once it has passed.
  if (const observed::Ca& ca = run.observed.ca; ca.exists) {
    for (base::Instant at : {ca.not_after - run.loaded.state.defaults.renew_before, ca.not_after})
      if (now < at) e.valid_until = std::min(e.valid_until, at);
  }
  if (run.observed.last_applied) e.applied_at = run.observed.last_applied->applied_at;
  e.crl_validity = run.loaded.state.ca.crl_validity;
  e.out = std::move(out);
  e.access_log = run.loaded.state.nginx.access_log;
  return e;
}

std::string replay_text(const CachedRun& entry, base::Instant now) {
  // The plan's header names the instant it was evaluated at (render/plan_render.cc): the one of
  // this run, not of the run that computed the answer.
  std::string out = entry.out;
  const std::string then = ", at " + base::format_rfc3339(entry.computed_at) + "\n";
  const size_t line_end = out.find('\n');
  const size_t at = out.find(then);
  if (at != std::string::npos && at + then.size() == line_end + 1)
    out.replace(at, then.size(), ", at " + base::format_rfc3339(now) + "\n");
  return out;
}

void store_run(const GlobalOptions& g, std::string_view command, const CachedRun& entry,
               sys::Filesystem& fs) {
  const std::string path = cache_path(g, command);
  if (auto info = fs.stat(absolute_state_dir(g)); !info || info->kind != sys::FileKind::directory)
    return;  // never create the state directory for a cache
  auto r = fs.make_dirs(sys::parent_path(path), 0700);
  // Not fsynced: a cache lost in a power cut is only a slower next run.
  if (r) r = fs.write_deferred(path, format_entry(entry), 0600);
  if (!r) spdlog::debug("run cache not written path={} error={}", path, r.error().message);
}

}  // namespace certgate::cli
