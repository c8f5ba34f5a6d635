// certgate status [--json]: devices, serials, expiry, groups, the CA, the CRL, the last apply,
// and which serial each device presented last in the local access log ([nginx].access_log).
#include <cstdio>

#include "cli/commands.h"
#include "cli/pipeline.h"
#include "observed/applied_record.h"
#include "observed/last_seen.h"
#include "render/status_render.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

int run_status(const GlobalOptions& g, bool json) {
  auto now = evaluation_time(g);
  if (!now) return fail(now.error().message);
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;  // not run: plan and status only read
  auto run = run_pipeline(g, *now, fs, runner, plan::PlanOptions{});
  if (!run) return 1;
  const std::optional<observed::AppliedRecord>& applied = run->observed.last_applied;
  // An absent or unreadable log is reported in the output, not an error: exit stays 0.
  const std::vector<observed::AccessLogSeen> logs =
      observed::read_access_logs(fs, run->loaded.state);
  const desired::DesiredState& desired = run->loaded.state;
  const std::string out =
      json ? render::status_json(desired, run->observed, applied, run->plan, *now, logs)
           : render::status_text(desired, run->observed, applied, run->plan, *now, logs);
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
