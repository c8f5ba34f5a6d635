#include "cli/cli.h"

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/global_options.h"
#include "cli/logging.h"
#include "source/git_source.h"

namespace certgate::cli {

const char* const kDescription =
    "certgate keeps nginx client-certificate (mutual TLS) access in git: a private CA, one\n"
    "certificate per device, a fresh CRL and nginx include files, from one TOML file.";

void add_commands(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  app.set_version_flag("--version", "certgate " CERTGATE_VERSION);
  app.require_subcommand(1);
  add_global_options(app, g);
  add_init_command(app, g, commands);
  add_validate_command(app, g, commands);
  add_plan_command(app, g, commands);
  add_apply_command(app, g, commands);
  add_bundle_command(app, g, commands);
  add_status_command(app, g, commands);
  add_sync_command(app, g, commands);
  add_verify_command(app, g, commands);
  add_agent_command(app, g, commands);
  add_enroll_command(app, g, commands);
  add_snapshot_command(app, g, commands);
  add_edge_command(app, g, commands);
  add_ca_command(app, g, commands);
  add_root_command(app, g, commands);
  add_doc_commands(app, g, commands);
}

int run(int argc, char** argv) {
  const source::GitLibrary git;  // libgit2's global state, for every command
  CLI::App app{kDescription, "certgate"};
  GlobalOptions g;
  CommandTable commands;
  add_commands(app, g, commands);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version arrive here too, with exit code 0; every usage error exits 1.
    return app.exit(e) == 0 ? 0 : 1;
  }
  setup_logging(g.log_format, g.verbose - g.quiet);
  // require_subcommand(1) guarantees exactly one.
  const CLI::App* chosen = app.get_subcommands().front();
  return commands.at(chosen)();
}

}  // namespace certgate::cli
