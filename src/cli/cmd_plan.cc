// certgate plan: compute what apply would do and print it; change nothing.
#include <unistd.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/pipeline.h"
#include "render/plan_markdown.h"
#include "render/plan_render.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

struct PlanFlags {
  bool json = false;            // the same as --format json
  std::string format = "text";  // text | json | markdown
  bool detailed_exitcode = false;
  std::string out;
};

int run_plan(const GlobalOptions& g, const PlanFlags& flags) {
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;  // not run: plan and status only read
  auto run = run_pipeline(g, *now, fs, runner, plan::PlanOptions{});
  if (!run) return 1;
  const std::string json = render::plan_json(run->plan);
  if (!flags.out.empty()) {
    if (auto r = fs.write_atomic(flags.out, json, 0644); !r) return fail(r.error().message);
  }
  if (flags.json || flags.format == "json") {
    std::fputs(json.c_str(), stdout);
  } else if (flags.format == "markdown") {
    std::fputs(render::plan_markdown(&run->plan, nullptr, {}).c_str(), stdout);
  } else {
    render::TextStyle style{::isatty(STDOUT_FILENO) == 1};
    std::fputs(render::plan_text(run->plan, style).c_str(), stdout);
    if (!flags.out.empty()) std::printf("Saved the plan to %s.\n", flags.out.c_str());
  }
  // A host that could not be compared makes the plan incomplete: an error, not "no changes".
  bool complete = true;
  for (const DeployTarget& t : run->targets) {
    if (t.target) continue;
    fail(t.name + " is unreachable: " + t.unreachable);
    complete = false;
  }
  if (!complete) return 1;
  return flags.detailed_exitcode && !run->plan.is_empty() ? 2 : 0;
}

}  // namespace

void add_plan_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<PlanFlags>();
  CLI::App* cmd = app.add_subcommand("plan", "Compute what apply would do; change nothing");
  CLI::Option* json =
      cmd->add_flag("--json", flags->json, "Print the plan as one JSON document (--format json)");
  cmd->add_option("--format", flags->format,
                  "text (default), json, or markdown (a pull-request comment)")
      ->check(CLI::IsMember({"text", "json", "markdown"}))
      ->excludes(json);
  cmd->add_option("--out", flags->out, "Write the JSON plan to this file, for `apply PLAN`");
  cmd->add_flag("--detailed-exitcode", flags->detailed_exitcode,
                "Exit 0 when there is nothing to do, 2 when changes are pending");
  commands[cmd] = [&g, flags] { return run_plan(g, *flags); };
}

}  // namespace certgate::cli
