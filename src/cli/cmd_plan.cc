// certgate plan: compute what apply would do and print it; change nothing.
//
// On the CA host it reads the state directory and the targets. In review (a pull request's CI):
// `--observed FILE` plans against a snapshot instead (cli/observed_pipeline.h), and `--base REF`
// compares the desired state with the one at git REF (plan/base_diff.h); either, or both.
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "base/duration.h"
#include "cli/commands.h"
#include "cli/logging.h"
#include "cli/observed_pipeline.h"
#include "cli/pipeline.h"
#include "cli/run_cache.h"
#include "desired/parse.h"
#include "plan/base_diff.h"
#include "render/base_diff_render.h"
#include "render/plan_markdown.h"
#include "render/plan_render.h"
#include "source/git_source.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

struct PlanFlags {
  bool json = false;
  std::string format = "text";
  bool detailed_exitcode = false;
  std::string out;
  std::string observed;
  std::string max_snapshot_age = kDefaultMaxSnapshotAge;
  std::string base;
};

bool reviewing(const PlanFlags& flags) { return !flags.observed.empty() || !flags.base.empty(); }

std::optional<PlanRun> plan_from(const GlobalOptions& g, const PlanFlags& flags, base::Instant now,
                                 sys::Filesystem& fs, sys::CommandRunner& runner) {
  if (flags.observed.empty()) return run_pipeline(g, now, fs, runner, plan::PlanOptions{});
  ObservedOptions options;
  options.snapshot_file = flags.observed;
  auto age = base::parse_duration(flags.max_snapshot_age);
  if (!age) {
    fail("--max-snapshot-age " + flags.max_snapshot_age + ": " + age.error().message);
    return std::nullopt;
  }
  options.max_age = *age;
  auto run = run_observed_pipeline(g, now, fs, options);
  if (run)
    run->plan.notes.push_back(
        "planned against the snapshot " + flags.observed + " taken at " +
        base::format_rfc3339(run->snapshot->taken_at) + " (state " + run->observed.state_dir +
        " on the CA host); files that hold secrets are compared without them");
  return run;
}

// The desired state at --base REF against `head`: read from the git repository holding
// --source, without fetching or writing anything.
std::optional<plan::BaseDiff> base_diff(const GlobalOptions& g, const std::string& ref,
                                        const desired::DesiredState& head, base::Instant now) {
  auto snap = source::load_local_ref(g.source.source, ref, g.source.file);
  if (!snap) {
    fail(snap.error().message);
    return std::nullopt;
  }
  desired::LoadResult base = desired::load_desired(*snap, now);
  if (base.diagnostics.has_errors()) {
    print_diagnostics(base.diagnostics);
    fail("the desired state at --base " + ref + " has errors; there is nothing to compare with");
    return std::nullopt;
  }
  plan::BaseDiff diff = plan::diff_desired(base.state, head, now);
  diff.base_ref = ref;
  diff.base_commit = snap->commit.value_or("");
  return diff;
}

// Why a review (--observed, --base) should fail CI: what apply would refuse, and a door opened
// to everyone. Empty when there is nothing.
std::vector<std::string> review_failures(const plan::Plan* plan, const plan::BaseDiff* base) {
  std::vector<std::string> out;
  if (plan && !plan->refusal.empty())
    out.push_back("apply would refuse this plan: " + plan->refusal);
  if (plan) out.insert(out.end(), plan->warnings.begin(), plan->warnings.end());
  if (base) {
    for (const std::string& w : base->warnings)
      if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  }
  return out;
}

std::string render_output(const std::string& format, const plan::Plan* plan,
                          const plan::BaseDiff* base) {
  if (format == "markdown") return render::plan_markdown(plan, base, render::MarkdownOptions{});
  if (format == "json") {
    if (!plan) return render::base_diff_json(*base);
    return base ? render::plan_json(*plan, *base) : render::plan_json(*plan);
  }
  render::TextStyle style{::isatty(STDOUT_FILENO) == 1};
  std::string out = plan ? render::plan_text(*plan, style) : "";
  if (base) out += (out.empty() ? "" : "\n") + render::base_diff_text(*base, style);
  return out;
}

int run_plan(const GlobalOptions& g, const PlanFlags& flags) {
  const std::string format = flags.json ? "json" : flags.format;
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem real;
  sys::RealCommandRunner runner;  // not run: plan and status only read
  // The same question with nothing changed gets the same "No changes" from the cache
  // (cli/run_cache.h), without loading, observing and planning again.
  const bool may_cache = format == "text" && flags.out.empty() && !reviewing(flags);
  const std::string key =
      may_cache ? run_key(g, "plan", flags.detailed_exitcode ? "detailed-exitcode" : "") : "";
  if (auto hit = cached_run(g, "plan", key, *now, real, nullptr)) {
    std::fputs(replay_text(*hit, *now).c_str(), stdout);
    return 0;
  }
  const long warned = warnings_logged();
  sys::RecordingFilesystem traced(real, trace_hasher());
  sys::Filesystem& fs = key.empty() ? static_cast<sys::Filesystem&>(real) : traced;
  // --base alone needs no state: the desired state here against the one at REF.
  const bool base_only = !flags.base.empty() && flags.observed.empty();
  std::optional<PlanRun> run;
  std::optional<Loaded> head;
  if (base_only) {
    source::SourceOptions source = source_options(g);
    source.mirror_dir.clear();  // a git URL fails: fetching it needs a state directory
    head = load_and_report(source, *now, fs);
    if (!head) return 1;
  } else {
    run = plan_from(g, flags, *now, fs, runner);
    if (!run) return 1;
  }
  std::optional<plan::BaseDiff> base;
  if (!flags.base.empty()) {
    base = base_diff(g, flags.base, run ? run->loaded.state : head->state, *now);
    if (!base) return 1;
  }
  const plan::Plan* plan = run ? &run->plan : nullptr;
  if (!flags.out.empty()) {
    if (!plan) return fail("--out saves a plan, which --base alone does not make (add --observed)");
    if (auto r = fs.write_atomic(flags.out, render::plan_json(*plan), 0644); !r)
      return fail(r.error().message);
  }
  const std::string out = render_output(format, plan, base ? &*base : nullptr);
  std::fputs(out.c_str(), stdout);
  if (!flags.out.empty() && format == "text")
    std::printf("Saved the plan to %s.\n", flags.out.c_str());
  // A host that could not be compared makes the plan incomplete: an error, not "no changes".
  bool complete = true;
  if (run) {
    for (const DeployTarget& t : run->targets) {
      if (t.is_observed()) continue;
      fail(t.name + " is unreachable: " + t.unreachable);
      complete = false;
    }
  }
  if (!complete) return 1;
  if (reviewing(flags) && flags.detailed_exitcode) {
    const std::vector<std::string> failures = review_failures(plan, base ? &*base : nullptr);
    for (const std::string& f : failures) fail(f);
    if (!failures.empty()) return 1;
  }
  const bool pending = (plan && !plan->is_empty()) || (base && !base->is_empty());
  if (run && !pending) {
    if (auto entry = cacheable(*run, traced.trace(), key, *now, out, warnings_logged() != warned))
      store_run(g, "plan", *entry, real);
  }
  return flags.detailed_exitcode && pending ? 2 : 0;
}

}  // namespace

void add_plan_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan", "Compute what apply would do; change nothing");
  CLI::Option* json =
      cmd->add_flag("--json", flags->json, "Print the plan as one JSON document (--format json)");
  cmd->add_option("--format", flags->format, "text, json, or markdown (a pull-request comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str()
      ->excludes(json);
  cmd->add_option("--out", flags->out, "Write the JSON plan to this file, for `apply PLAN`");
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 0 when there is nothing to do, 2 when changes are pending; with "
                "--observed or --base, 1 when apply would refuse the plan or a door opens to "
                "everyone");
  cmd->add_option("--observed", flags->observed,
                  "Plan against this snapshot (certgate snapshot) instead of the state "
                  "directory, which is neither read nor created: CI on a pull request");
  cmd->add_option("--base", flags->base,
                  "Also compare the desired state with the one at this git ref of the source's "
                  "repository (the pull request's base branch): who gains and loses which site");
  cmd->add_option("--max-snapshot-age", flags->max_snapshot_age,
                  "Refuse a snapshot taken longer ago than this")
      ->capture_default_str();
  commands[cmd] = [&g, flags] { return run_plan(g, *flags); };
}

}  // namespace certgate::cli
