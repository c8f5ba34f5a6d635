// certgate status [--json]: devices, serials, expiry, groups, the CA, the CRL, the last apply.
#include <cstdio>

#include "cli/commands.h"
#include "cli/pipeline.h"
#include "observed/applied_record.h"
#include "render/status_render.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

int run_status(const GlobalOptions& g, bool json) {
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  auto run = run_pipeline(g, *now, fs, plan::PlanOptions{});
  if (!run) return 1;
  std::optional<observed::AppliedRecord> applied;
  const std::string path = sys::join_path(run->observed.state_dir, "state.json");
  if (auto text = fs.read(path)) {
    auto record = observed::parse_applied_record(*text);
    if (!record) return fail(path + ": " + record.error().message);
    applied = std::move(*record);
  } else if (text.error().code != Errc::not_found) {
    return fail(text.error().message);
  }
  const std::string out =
      json ? render::status_json(run->loaded.state, run->observed, applied, *now)
           : render::status_text(run->loaded.state, run->observed, applied, *now);
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "status", "Devices, serials, expiry, groups, the CA, the CRL and the last apply");
  cmd->add_flag("--json", *json, "Print status as one JSON document");
  commands[cmd] = [&g, json] { return run_status(g, *json); };
}

}  // namespace certgate::cli
