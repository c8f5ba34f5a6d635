// certgate validate: parse and check the desired state; every problem as file:line:col.
#include <cstdio>

#include "cli/commands.h"
#include "cli/load.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

int run_validate(const GlobalOptions& g) {
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  auto loaded = load_and_report(g, *now, fs);
  if (!loaded) return 1;
  const desired::DesiredState& s = loaded->state;
  std::string summary = count(s.devices.size(), "device") + ", " + count(s.sites.size(), "site") +
                        ", " + count(s.hosts.size(), "host");
  if (loaded->warnings > 0)
    summary += ", " + count(static_cast<size_t>(loaded->warnings), "warning");
  std::printf("%s: valid (%s)\n", loaded->snapshot.file_path.c_str(), summary.c_str());
  return 0;
}

}  // namespace

void add_validate_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  CLI::App* cmd = app.add_subcommand(
      "validate", "Parse and check the desired state; print every problem as file:line:col");
  commands[cmd] = [&g] { return run_validate(g); };
}

}  // namespace certgate::cli
