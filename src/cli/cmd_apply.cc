// certgate apply [PLAN]: compute the plan (or check a saved one) and carry it out.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>
#include <thread>

#include "apply/ca_key.h"
#include "apply/pki_apply.h"
#include "apply/recover.h"
#include "apply/rollout.h"
#include "cli/after_reload.h"
#include "cli/apply_run.h"
#include "cli/audit.h"
#include "cli/ca_passphrase.h"
#include "cli/cached_apply.h"
#include "cli/commands.h"
#include "cli/crl_guard.h"
#include "cli/gate_run.h"
#include "cli/logging.h"
#include "cli/pipeline.h"
#include "cli/plan_rollout.h"
#include "cli/pull_hosts.h"
#include "cli/run_cache.h"
#include "cli/signature_check.h"
#include "observed/applied_record.h"
#include "observed/last_seen.h"
#include "pki/ca_database.h"
#include "pki/random.h"
#include "plan/stale.h"
#include "render/plan_parse.h"
#include "render/plan_render.h"
#include "source/git_source.h"
#include "sys/clock.h"
#include "sys/file_lock.h"
#include "sys/real_filesystem.h"
#include "sys/secret_file.h"

namespace certgate::cli {
namespace {

// A saved plan is applied only when it is the plan computed now (plan/stale.h, Terraform's
// stale-plan check); the reason otherwise.
std::string staleness(sys::Filesystem& fs, const std::string& path, const plan::Plan& fresh) {
  auto text = fs.read(path);
  if (!text) return text.error().message;
  auto saved = render::parse_plan(*text);
  if (!saved) return path + " is not a plan certgate can apply: " + saved.error().message;
  return plan::stale_reason(*saved, fresh);
}

// A refused first apply leaves no trace: the state directory it made (with its lock, and the
// git mirror a git source was fetched into) goes again. Only what this apply made is removed;
// anything else found there (someone else's file) keeps the directory.
void forget_fresh_state(sys::Filesystem& fs, const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(sys::join_path(dir, "git"), ec);
  (void)fs.remove(sys::join_path(dir, "lock"));
  if (auto r = fs.remove(dir); !r)
    spdlog::debug("state directory kept path={} error={}", dir, r.error().message);
}

// Milliseconds since `start`, for the phase timings logged with -v (benchmarks read them).
double ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

void print_report(const apply::ApplyReport& r, const apply::RolloutReport& rollout,
                  const PublishOutcome& published) {
  std::string out = "Apply complete: ";
  if (r.awaiting_root) {
    out += "intermediate key and CSR made (waiting for the root), ";
  } else if (r.created_ca) {
    out += "CA created, ";
  }
  if (r.requested_next_ca)
    out += "next intermediate's key and CSR made (the root signs STATE/ca-next/intermediate.csr), ";
  if (r.rolled_over) out += "CA rolled over (the previous CA stays trusted), ";
  out += std::to_string(r.issued.size()) + " issued, " + std::to_string(r.renewed.size()) +
         " renewed, " + std::to_string(r.revoked.size()) + " revoked";
  // A renewal's predecessor revoked as superseded is no revocation anyone asked for.
  if (!r.superseded.empty())
    out += " (" + std::to_string(r.superseded.size()) + " replaced certificate" +
           (r.superseded.size() == 1 ? "" : "s") + " revoked as superseded)";
  if (r.crl_number >= 0) out += ", CRL " + std::to_string(r.crl_number);
  if (r.previous_crl_number >= 0)
    out += ", previous CA's CRL " + std::to_string(r.previous_crl_number);
  if (!r.retired_ca.empty()) out += ", previous CA retired";
  out += ", " + std::to_string(rollout.files_written) + " files deployed";
  if (rollout.reloaded.size() > 5) {
    out += ", nginx reloaded on " + std::to_string(rollout.reloaded.size()) + " hosts";
  } else if (!rollout.reloaded.empty()) {
    out += ", nginx reloaded on ";
    for (size_t i = 0; i < rollout.reloaded.size(); ++i)
      out += (i ? ", " : "") + rollout.reloaded[i];
  }
  if (!published.commit.empty()) {
    int hosts = 0;
    for (const apply::TargetResult& t : published.results)
      hosts += t.outcome == apply::TargetOutcome::deployed;
    out += ", published commit " + published.commit.substr(0, 7) + " for " + std::to_string(hosts) +
           (hosts == 1 ? " pull host" : " pull hosts");
  }
  std::printf("%s.\n", out.c_str());
}

// The pull hosts' outcomes among the rollout's, first (they were published first): a failed
// publish fails the apply like a failed target.
void add_published(const PublishOutcome& published, apply::RolloutReport& rollout) {
  rollout.results.insert(rollout.results.begin(), published.results.begin(),
                         published.results.end());
  for (const auto& [host, files] : published.deployed) rollout.deployed[host] = files;
  rollout.files_written += published.files;
}

// Prints the rollout summary when a target did not deploy cleanly; true when all did.
bool rollout_succeeded(const apply::RolloutReport& rollout) {
  if (rollout.failures() == 0 && !rollout.stopped) return true;
  std::printf("%s", apply::rollout_summary(rollout).c_str());
  std::fflush(stdout);
  std::string names;
  for (const apply::TargetResult& r : rollout.results) {
    if (r.outcome != apply::TargetOutcome::failed) continue;
    fail(r.target + ": " + r.error);
    names += (names.empty() ? "" : ", ") + r.target;
  }
  fail("the rollout failed on " + names +
       (rollout.stopped ? "; it stopped there and left the remaining hosts untouched" : ""));
  return false;
}

// A git source may only move forward: its commit must descend from the last applied one.
Result<void> check_history(const PlanRun& run, const std::string& state, bool allow_rewind) {
  const auto& commit = run.loaded.snapshot.commit;
  const auto& last = run.observed.last_applied;
  if (!commit || !last || last->commit.empty() || last->commit == *commit) return {};
  auto forward =
      source::is_descendant(sys::join_path(state, "git/mirror.git"), *commit, last->commit);
  if (!forward) return forward.error();
  if (*forward || allow_rewind) return {};
  return make_error(Errc::refused,
                    "refusing commit " + commit->substr(0, 7) +
                        ": it does not descend from the last applied commit " +
                        last->commit.substr(0, 7) +
                        " (a force-push, or a rewind to an old device list); nothing was "
                        "changed; use --allow-rewind to apply it anyway");
}

// Where this apply deploys, and its CRL settings: what guard_crl uses when a later desired state
// cannot be applied.
void record_targets(const PlanRun& run, observed::AppliedRecord& record) {
  for (const DeployTarget& t : run.targets) {
    // guard_crl deploys over SSH or here; a pull host is reached through [publish] alone
    // (record.publish below).
    if (t.is_pull) continue;
    observed::RecordedTarget r{
        t.name, "", 22, "", t.nginx.dir, t.nginx.test, t.nginx.reload, t.nginx.worker_group};
    for (const desired::Host& h : run.loaded.state.hosts) {
      if (h.name != t.name) continue;
      r.address = h.address;
      r.port = h.port;
      r.user = h.user;
    }
    record.targets.push_back(std::move(r));
  }
  record.crl_validity = run.loaded.state.ca.crl_validity;
  record.crl_refresh_before = run.loaded.state.ca.crl_refresh_before;
  if (const auto& publish = run.loaded.state.publish) {
    observed::RecordedPublish p{publish->repo, publish->branch, publish->signing_key, {}};
    for (const DeployTarget& t : run.targets)
      if (t.is_pull) p.hosts.push_back(t.name);
    std::sort(p.hosts.begin(), p.hosts.end());
    if (!p.hosts.empty()) record.publish = std::move(p);
  }
}

}  // namespace

int run_apply(const GlobalOptions& g, const ApplyFlags& flags, ApplyOutcome* outcome) {
  ApplyOutcome ignored;
  ApplyOutcome& out = outcome ? *outcome : ignored;
  if (auto r = refuse_now(g, "apply"); !r) return fail(r.error().message);
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem real;
  sys::RealCommandRunner runner;
  const std::string state = absolute_state_dir(g);
  const bool fresh = !real.stat(state);  // this apply makes the state directory
  if (auto r = sys::prepare_private_dir(real, state); !r) return fail(r.error().message);
  auto lock = sys::FileLock::acquire(sys::join_path(state, "lock"));
  if (!lock) return fail(lock.error().message);
  // Refused on every apply, not only when something is to be signed: a leaked CA key must stop
  // the agent loudly, at once.
  if (auto r = pki::CaDatabase(real, state).check_key_mode(); !r) return fail(r.error().message);
  auto t0 = std::chrono::steady_clock::now();
  auto recovered = apply::recover(real, state);
  if (!recovered) return fail("recover " + state + ": " + recovered.error().message);
  if (!recovered->is_empty())
    std::printf(
        "Recovered an interrupted apply: %zu staged certificates installed, %zu "
        "uncommitted discarded.\n",
        recovered->installed_devices.size(), recovered->removed_newcerts.size());
  if (!recovered->installed_devices.empty()) {
    std::vector<render::AuditEvent> events;
    for (const std::string& device : recovered->installed_devices)
      events.push_back(
          {"issue", device, "", "", "", "installed by recovery of an interrupted apply"});
    if (auto r = record_audit(real, state,
                              render::AuditOrigin{sys::RealClock().now(), flags.command}, events);
        !r)
      return fail(r.error().message);
  }
  if (recovered->finished_rollover) std::printf("Finished an interrupted CA rollover.\n");
  if (recovered->set_aside_next_ca)
    std::printf("Set aside the next CA of an interrupted rollover (in STATE/retired/).\n");
  const double recover_ms = ms_since(t0);
  // Nothing new since a run that changed nothing: its answer (cli/cached_apply.h).
  const std::string key = recovered->is_empty() ? apply_key(g, flags) : "";
  if (apply_from_cache(g, flags, key, *now, real, out)) return 0;
  const long warned = warnings_logged();
  sys::RecordingFilesystem traced(real, trace_hasher());
  sys::Filesystem& fs = key.empty() ? static_cast<sys::Filesystem&>(real) : traced;
  auto t1 = std::chrono::steady_clock::now();
  auto run = run_pipeline(g, *now, fs, runner,
                          plan::PlanOptions{flags.allow_mass_revoke, flags.allow_clock_rewind});
  const double plan_ms = ms_since(t1);
  // Whatever stops the desired state here (it does not parse, a CSR is broken, the source is
  // unreachable, a rewind, an unsigned commit, a stale or refused plan), nothing of it is done,
  // but a CRL that is due is still signed and deployed alone to the targets of the last good
  // apply: an expired CRL would make nginx turn every client away while humans look.
  std::string signer;
  auto audit = [&](const std::vector<render::AuditEvent>& events) {
    return record_audit(
        real, state,
        audit_origin(flags.command, *now, run ? &run->loaded.snapshot : nullptr, signer), events);
  };
  auto refuse = [&](const std::string& why, bool force_crl = false) {
    auto guard = guard_crl(g, fs, runner, state, *now, force_crl);
    if (!guard) fail("refreshing the CRL failed: " + guard.error().message);
    if (guard) print_crl_guard(*guard);
    if (fresh) forget_fresh_state(real, state);  // nothing was signed: "nothing was changed"
    std::vector<render::AuditEvent> events;
    if (!why.empty()) events.push_back({"refuse", "", "", why});
    if (guard && guard->signed_crl >= 0)
      events.push_back({"crl", "", "", "", "", "crlNumber " + std::to_string(guard->signed_crl)});
    if (!fresh)
      if (auto r = audit(events); !r) fail(r.error().message);
    return why.empty() ? 1 : fail(why);
  };
  if (!run) return refuse("");
  if (!run->plan.is_empty()) traced.stop();  // a run that changes things is not kept
  // For the agent's wake-up (sync and agent pass an outcome; apply alone does not need it).
  if (outcome) out.next_change = plan::next_change(run->loaded.state, run->observed, *now);
  out.source = run->plan.inputs.source;
  out.commit = run->plan.inputs.commit;
  if (run->loaded.snapshot.commit_time)
    out.commit_time = base::Instant{std::chrono::seconds{*run->loaded.snapshot.commit_time}};
  out.planned_actions = static_cast<int>(run->plan.actions.size());
  if (!flags.metrics_file.empty()) {
    out.access_logs = observed::read_access_logs(fs, run->loaded.state);
    out.desired = std::make_shared<const desired::DesiredState>(run->loaded.state);
  }
  if (auto r = check_history(*run, state, flags.allow_rewind); !r) return refuse(r.error().message);
  if (flags.require_signed) {
    if (flags.allowed_signers.empty())
      return fail("--require-signed needs --allowed-signers FILE (or CERTGATE_ALLOWED_SIGNERS)");
    auto checked = check_commit_signature(fs, run->loaded.snapshot, flags.allowed_signers);
    if (!checked) return refuse(checked.error().message);
    signer = *checked;
    spdlog::info("commit signed commit={} signer={}", out.commit, signer);
  }
  if (!flags.plan_file.empty()) {
    if (std::string why = staleness(fs, flags.plan_file, run->plan); !why.empty())
      return refuse("plan is stale: " + why + "; nothing was changed; run certgate plan again");
  }
  render::TextStyle style{false};
  const std::string plan_text = render::plan_text(run->plan, style);
  std::fputs(plan_text.c_str(), stdout);
  apply::ApplyContext ctx{fs, state, *now, static_cast<int>(std::thread::hardware_concurrency())};
  std::optional<CaPassphrase> passphrase;
  if (auto r = unlock_with_passphrase(real, g, passphrase, ctx); !r)
    return refuse(r.error().message);
  if (auto r = apply::check_new_ca_passphrase(run->plan, run->loaded.state, ctx); !r)
    return refuse(r.error().message);
  if (!run->plan.refusal.empty())
    return refuse("refused: " + run->plan.refusal, run->plan.crl_refresh_due);
  std::fflush(stdout);
  auto t2 = std::chrono::steady_clock::now();
  if (run->plan.is_empty())
    out.unchanged = std::make_shared<const observed::ObservedState>(run->observed);
  auto report = apply::apply_pki(run->plan, run->loaded.state, run->observed, ctx);
  spdlog::debug("timing recover_ms={:.1f} load_observe_plan_ms={:.1f} apply_ms={:.1f}", recover_ms,
                plan_ms, ms_since(t2));
  if (!report) {
    // What it committed before the error is in the CA database; the next run converges.
    if (auto r = audit({{"apply-failed", "", "", report.error().message}}); !r)
      fail(r.error().message);
    return fail("apply failed: " + report.error().message);
  }
  // Signed is signed: the trail has it before any target is touched (a rollout may take
  // minutes, and a kill then must not lose it).
  if (auto r = audit(pki_events(*report)); !r) return fail(r.error().message);
  auto t3 = std::chrono::steady_clock::now();
  // The bytes the plan could not know (what apply signed), then each target's share of the plan.
  auto deploy_failed = [&](const Error& e) {
    if (auto r = audit({{"deploy-failed", "", "", e.message}}); !r) fail(r.error().message);
    return fail("deploy failed: " + e.message);
  };
  if (auto r = resolve_wants(*run, fs, *now, report->new_serials); !r)
    return deploy_failed(r.error());
  auto targets = rollout_targets(*run, *now);
  if (!targets) return deploy_failed(targets.error());
  // Pull hosts first: one commit, and their edges fetch it on their own interval, so a revocation
  // does not wait behind the push rollout's canary and batches; a failure there is a failed
  // target and stops nothing else.
  const PublishOutcome published = publish_pull_hosts(g, *run, fs, runner, *now);
  auto rollout = apply::roll_out(*targets, run->loaded.state.rollout);
  add_published(published, rollout);
  spdlog::debug("timing deploy_ms={:.1f}", ms_since(t3));
  for (const std::string& target : rollout.reloaded)
    out.reloaded_at[target] = sys::RealClock().now();
  for (const apply::TargetResult& r : rollout.results)
    out.targets_in_sync[r.target] =
        r.outcome == apply::TargetOutcome::deployed || r.outcome == apply::TargetOutcome::unchanged;
  for (const apply::RevokedCert& c : report->revoked) out.revoked_devices.push_back(c.device);
  // Targets that failed or were not reached keep what the last apply recorded for them.
  auto deployed = run->observed.last_applied ? run->observed.last_applied->deployed
                                             : decltype(rollout.deployed){};
  for (auto& [target, files] : rollout.deployed) deployed[target] = files;
  std::erase_if(deployed, [&](const auto& entry) {
    return std::none_of(run->targets.begin(), run->targets.end(),
                        [&](const DeployTarget& t) { return t.name == entry.first; });
  });
  observed::AppliedRecord record;
  record.source = run->plan.inputs.source;
  record.commit = run->plan.inputs.commit;
  record.source_sha256 = pki::sha256_hex(run->loaded.snapshot.text);
  record.applied_at = *now;
  record.deployed = std::move(deployed);
  record_targets(*run, record);
  if (auto r = apply::record_applied(fs, state, record); !r)
    return fail("record the apply: " + r.error().message);
  if (auto r = audit(rollout_events(rollout)); !r) return fail(r.error().message);
  if (!run->plan.is_empty()) print_report(*report, rollout, published);
  std::fflush(stdout);
  const bool rolled_out = rollout_succeeded(rollout);
  const bool closed = gates_closed_after_reload(*run, rollout, fs, state, *now);
  if (!rolled_out || !closed) return 1;
  if (run->plan.is_empty())
    keep_apply(g, *run, traced.trace(), key, *now, plan_text, warnings_logged() != warned, real);
  return 0;
}

void add_clock_option(CLI::App* cmd, ApplyFlags& flags) {
  cmd->add_flag("--allow-clock-rewind", flags.allow_clock_rewind,
                "Apply although the clock reads before the last apply or the CRL's thisUpdate");
}

void add_signature_options(CLI::App* cmd, ApplyFlags& flags) {
  cmd->add_flag("--require-signed", flags.require_signed,
                "Refuse a git commit without a valid SSH signature from --allowed-signers");
  cmd->add_option("--allowed-signers", flags.allowed_signers,
                  "ssh-keygen allowed_signers file: the keys that may sign applied commits")
      ->envname("CERTGATE_ALLOWED_SIGNERS");
}

void add_apply_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand("apply", "Compute the plan (or load PLAN) and carry it out");
  cmd->add_option("PLAN", flags->plan_file, "A plan written by `plan --out`; refused if stale");
  cmd->add_flag("--allow-mass-revoke", flags->allow_mass_revoke,
                "Allow more revocations than [safety].max_revocations");
  cmd->add_flag("--allow-rewind", flags->allow_rewind,
                "Apply a git commit that does not descend from the last applied one");
  add_clock_option(cmd, *flags);
  add_signature_options(cmd, *flags);
  commands[cmd] = [&g, flags] { return run_apply(g, *flags); };
}

}  // namespace certgate::cli
