// certgate snapshot [--out FILE]: the observed state with nothing secret, as JSON
// (observed/snapshot.h), for `plan --observed` on a CI runner. Reads only.
#include <cstdio>
#include <memory>

#include "cli/commands.h"
#include "cli/snapshot_take.h"
#include "sys/clock.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

int run_snapshot(const GlobalOptions& g, const std::string& out) {
  // taken_at is when the state was read: a snapshot "as of" another time would be a lie.
  if (auto r = refuse_now(g, "snapshot"); !r) return fail(r.error().message);
  sys::RealFilesystem fs;
  auto text = snapshot_text(g, fs, sys::RealClock().now());
  if (!text) return fail(text.error().message);
  if (out.empty() || out == "-") {
    std::fputs(text->c_str(), stdout);
    return 0;
  }
  if (auto r = write_snapshot(fs, out, *text); !r) return fail(r.error().message);
  return 0;
}

}  // namespace

void add_snapshot_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto out = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand(
      "snapshot",
      "Print the observed state with nothing secret (for plan --observed in CI); change nothing");
  cmd->add_option("--out", *out, "Write it to this file (mode 0644) instead of stdout");
  commands[cmd] = [&g, out] { return run_snapshot(g, *out); };
}

}  // namespace certgate::cli
