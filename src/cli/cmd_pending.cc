// The commands of DESIGN.md section 2 that are not built yet. They are registered with their
// options so that --help shows the whole interface, and they refuse to run (exit 1) rather than
// pretend: TODO(#5) agent.
#include <memory>

#include "cli/commands.h"

namespace certgate::cli {
namespace {

struct PendingOptions {
  std::string interval = "5m";
  std::string jitter = "30s";
};

int not_built(const GlobalOptions& g, std::string_view command, bool changes_things) {
  if (changes_things) {
    if (auto r = refuse_now(g, command); !r) return fail(r.error().message);
  }
  return fail(std::string(command) + " is not implemented yet");
}

// `options` holds what the command's flags are parsed into; the runner keeps it alive.
CLI::App* pending(CLI::App& app, const GlobalOptions& g, CommandTable& commands,
                  std::shared_ptr<PendingOptions> options, std::string name,
                  std::string description, bool changes_things) {
  CLI::App* cmd = app.add_subcommand(name, description);
  commands[cmd] = [&g, options, name, changes_things] {
    return not_built(g, name, changes_things);
  };
  return cmd;
}

}  // namespace

void add_pending_commands(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto o = std::make_shared<PendingOptions>();
  CLI::App* agent = pending(app, g, commands, o, "agent",
                            "Run sync forever; SIGHUP syncs now, SIGTERM finishes the tick", true);
  agent->add_option("--interval", o->interval, "Time between ticks");
  agent->add_option("--jitter", o->jitter, "Random extra delay per tick");
}

}  // namespace certgate::cli
