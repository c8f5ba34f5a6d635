// One registration function per command; each lives in its own cmd_*.cc file and adds its
// subcommand to the CLI11 app and its runner to the table. run() (cli.h) parses argv, sets up
// logging, then calls the runner of the chosen subcommand, which returns the exit code.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <map>

#include "cli/global_options.h"

namespace certgate::cli {

using CommandTable = std::map<const CLI::App*, std::function<int()>>;

void add_init_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_validate_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_plan_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_apply_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_bundle_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_status_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_sync_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_verify_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_agent_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_snapshot_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_enroll_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_edge_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_ca_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_root_command(CLI::App& app, GlobalOptions& g, CommandTable& commands);
void add_doc_commands(CLI::App& app, GlobalOptions& g, CommandTable& commands);

// The application's description, and every command and global option added to `app`, as
// run() parses with (the man page and completion tests build the same).
extern const char* const kDescription;
void add_commands(CLI::App& app, GlobalOptions& g, CommandTable& commands);

}  // namespace certgate::cli
