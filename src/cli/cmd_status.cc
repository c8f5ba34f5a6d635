// certgate status [--json]: devices, serials, expiry, groups, the CA, the CRL, the last apply,
// and which serial each device presented last in the local access log ([nginx].access_log).
#include <cstdio>

#include "cli/audit.h"
#include "cli/commands.h"
#include "cli/pipeline.h"
#include "observed/applied_record.h"
#include "observed/last_seen.h"
#include "render/audit.h"
#include "render/status_render.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

// The last `n` events of STATE/audit.log (none when it does not exist): a window from the end,
// widened until it holds `n` whole lines or the whole file.
Result<std::vector<std::string>> audit_tail(sys::Filesystem& fs, const std::string& state, int n) {
  const std::string path = sys::join_path(state, kAuditLog);
  for (std::uint64_t window = static_cast<std::uint64_t>(n) * 512 + 4096;; window *= 4) {
    // One byte more than the window: the byte before it tells whether its first line is whole.
    auto tail = fs.read_tail(path, window + 1);
    if (!tail) {
      if (tail.error().code == Errc::not_found) return std::vector<std::string>{};
      return tail.error();
    }
    std::string text = std::move(tail->bytes);
    if (tail->offset > 0) text.erase(0, text.find('\n') + 1);
    auto lines = render::last_audit_lines(text, static_cast<size_t>(n));
    if (lines.size() >= static_cast<size_t>(n) || tail->offset == 0) return lines;
  }
}

int run_status(const GlobalOptions& g, bool json, int audit) {
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
  if (audit <= 0) {
    std::fputs(out.c_str(), stdout);
    return 0;
  }
  auto lines = audit_tail(fs, absolute_state_dir(g), audit);
  if (!lines) return fail("status --audit: " + lines.error().message);
  std::fputs(render::status_with_audit(out, json, *lines).c_str(), stdout);
  return 0;
}

}  // namespace

void add_status_command(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto json = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "status", "Devices, serials, expiry, groups, the CA, the CRL and the last apply");
  auto audit = std::make_shared<int>(0);
  cmd->add_flag("--json", *json, "Print status as one JSON document");
  cmd->add_option("--audit", *audit, "Also show the last N events of STATE/audit.log")
      ->check(CLI::Range(1, 100000));
  commands[cmd] = [&g, json, audit] { return run_status(g, *json, *audit); };
}

}  // namespace certgate::cli
