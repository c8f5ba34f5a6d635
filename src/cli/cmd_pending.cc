// The commands of DESIGN.md section 2 that are not built yet. They are registered with their
// options so that --help shows the whole interface, and they refuse to run (exit 1) rather than
// pretend: TODO(#3) plan/apply/bundle for PKI, TODO(#4) nginx files, status and verify,
// TODO(#5) sync and agent.
#include <memory>

#include "cli/commands.h"

namespace certgate::cli {
namespace {

struct PendingOptions {
  bool json = false;
  bool detailed_exitcode = false;
  bool allow_mass_revoke = false;
  std::string out;
  std::string plan_file;
  std::string interval = "5m";
  std::string jitter = "30s";
  std::string device;
  std::string profile;
  std::string site;
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
  CLI::App* plan =
      pending(app, g, commands, o, "plan", "Compute what apply would do; change nothing", false);
  plan->add_flag("--json", o->json, "Print the plan as one JSON document");
  plan->add_option("--out", o->out, "Write the JSON plan to this file, for `apply PLAN`");
  plan->add_flag("--detailed-exitcode", o->detailed_exitcode,
                 "Exit 0 when there is nothing to do, 2 when changes are pending");

  CLI::App* apply = pending(app, g, commands, o, "apply",
                            "Compute the plan (or load PLAN) and carry it out", true);
  apply->add_option("PLAN", o->plan_file, "A plan written by `plan --out`; refused if stale");
  apply->add_flag("--allow-mass-revoke", o->allow_mass_revoke,
                  "Allow more revocations than [safety].max_revocations");

  pending(app, g, commands, o, "sync",
          "One agent tick: fetch the source, plan, apply, record, write metrics", true);

  CLI::App* agent = pending(app, g, commands, o, "agent",
                            "Run sync forever; SIGHUP syncs now, SIGTERM finishes the tick", true);
  agent->add_option("--interval", o->interval, "Time between ticks");
  agent->add_option("--jitter", o->jitter, "Random extra delay per tick");

  CLI::App* status = pending(app, g, commands, o, "status",
                             "Devices, serials, expiry, CRL, last applied commit, drift", false);
  status->add_flag("--json", o->json, "Print status as one JSON document");

  CLI::App* bundle =
      pending(app, g, commands, o, "bundle", "(Re-)export a device's PKCS#12 bundle", false);
  bundle->add_option("DEVICE", o->device, "Device name")->required();
  bundle->add_option("--profile", o->profile, "compat or modern")
      ->check(CLI::IsMember({"compat", "modern"}));
  bundle->add_option("--out", o->out, "Write the bundle here");

  CLI::App* verify = pending(app, g, commands, o, "verify",
                             "Live check that each site refuses clients without a valid "
                             "certificate",
                             false);
  verify->add_option("SITE", o->site, "Only this site");
}

}  // namespace certgate::cli
