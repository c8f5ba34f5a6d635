// certgate plan: compute what apply would do and print it; change nothing.
//
// On the CA host it reads the state directory and the targets. In review (a pull request's CI):
// `--observed FILE` plans against a snapshot instead (cli/observed_pipeline.h), and `--base REF`
// compares the desired state with the one at git REF (plan/base_diff.h); either, or both.
#include <unistd.h>

#include <cstdio>

#include "base/duration.h"
#include "cli/commands.h"
#include "cli/observed_pipeline.h"
#include "cli/pipeline.h"
#include "render/plan_render.h"
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
};

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

// Why a review (--observed) should fail CI: what apply would refuse, and a door opened to
// everyone. Empty when there is nothing.
std::vector<std::string> review_failures(const plan::Plan& plan) {
  std::vector<std::string> out;
  if (!plan.refusal.empty()) out.push_back("apply would refuse this plan: " + plan.refusal);
  for (const std::string& w : plan.warnings) out.push_back(w);
  return out;
}

int run_plan(const GlobalOptions& g, const PlanFlags& flags) {
  const std::string format = flags.json ? "json" : flags.format;
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;  // not run: plan and status only read
  auto run = plan_from(g, flags, *now, fs, runner);
  if (!run) return 1;
  const std::string json = render::plan_json(run->plan);
  if (!flags.out.empty()) {
    if (auto r = fs.write_atomic(flags.out, json, 0644); !r) return fail(r.error().message);
  }
  if (format == "json") {
    std::fputs(json.c_str(), stdout);
  } else {
    render::TextStyle style{::isatty(STDOUT_FILENO) == 1};
    std::fputs(render::plan_text(run->plan, style).c_str(), stdout);
    if (!flags.out.empty()) std::printf("Saved the plan to %s.\n", flags.out.c_str());
  }
  // A host that could not be compared makes the plan incomplete: an error, not "no changes".
  bool complete = true;
  for (const DeployTarget& t : run->targets) {
    if (t.target || t.from_snapshot) continue;
    fail(t.name + " is unreachable: " + t.unreachable);
    complete = false;
  }
  if (!complete) return 1;
  if (!flags.observed.empty() && flags.detailed_exitcode) {
    const std::vector<std::string> failures = review_failures(run->plan);
    for (const std::string& f : failures) fail(f);
    if (!failures.empty()) return 1;
  }
  return flags.detailed_exitcode && !run->plan.is_empty() ? 2 : 0;
}

}  // namespace

void add_plan_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan", "Compute what apply would do; change nothing");
  cmd->add_flag("--json", flags->json, "Print the plan as one JSON document (--format json)");
  cmd->add_option("--format", flags->format, "text, json, or markdown (a pull-request comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->capture_default_str();
  cmd->add_option("--out", flags->out, "Write the JSON plan to this file, for `apply PLAN`");
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 0 when there is nothing to do, 2 when changes are pending; with "
                "--observed, 1 when apply would refuse the plan or a door opens to everyone");
  cmd->add_option("--observed", flags->observed,
                  "Plan against this snapshot (certgate snapshot) instead of the state "
                  "directory, which is neither read nor created: CI on a pull request");
  cmd->add_option("--max-snapshot-age", flags->max_snapshot_age,
                  "Refuse a snapshot taken longer ago than this")
      ->capture_default_str();
  commands[cmd] = [&g, flags] { return run_plan(g, *flags); };
}

}  // namespace certgate::cli
