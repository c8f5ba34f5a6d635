// certgate sync: one agent tick. Fetch the source, plan, apply, record (DESIGN.md section 2).
// It is apply without a saved plan, and a repository given as a path is read from its commits
// (--ref), never from files edited in its work tree. Exit 0 also when nothing changed.
#include <memory>

#include "cli/apply_run.h"
#include "cli/commands.h"

namespace certgate::cli {

void add_sync_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<ApplyFlags>();
  CLI::App* cmd = app.add_subcommand(
      "sync", "One agent tick: fetch the source, plan, apply, record; exit 0 when converged");
  cmd->add_flag("--allow-mass-revoke", flags->allow_mass_revoke,
                "Allow more revocations than [safety].max_revocations");
  cmd->add_flag("--allow-rewind", flags->allow_rewind,
                "Apply a git commit that does not descend from the last applied one");
  commands[cmd] = [&g, flags] {
    GlobalOptions tick = g;
    tick.source.prefer_git = true;
    return run_apply(tick, *flags);
  };
}

}  // namespace certgate::cli
