// The two nginx commands of a deploy, `nginx -t` then the reload, and what their failures mean
// (apply/deploy.cc's helpers; the same run on every kind of target).
#pragma once

#include <string>

#include "apply/deploy.h"
#include "base/result.h"
#include "sys/command_runner.h"
#include "targets/target.h"

namespace certgate::apply {

// True when the reload command's output says no nginx is running to reload: nginx's own
// `-s reload` without a master (`open() "…nginx.pid" failed (2: No such file or directory)`,
// `invalid PID number ""`; not a stale pid file, see nginx_commands.cc), or systemd's
// "nginx.service is not active, cannot reload". The files nginx -t accepted are then what nginx
// will run when it starts: nothing to roll back.
bool says_nginx_not_running(const sys::CommandOutput& reload);

// "nginx test `CMD` failed (exit 1); AFTER:\nOUTPUT".
Error command_error(const std::string& what, const sys::Command& c, const sys::CommandOutput& o,
                    const std::string& after);

// How far test_and_reload got.
struct NginxRun {
  bool reload_ran = false;   // nginx may run the new files whatever the reload's status says
  bool not_running = false;  // the reload failed because no nginx runs (says_nginx_not_running)
};

// Runs test, then reload; the error carries the failing command's output. Sets
// `result.reloaded` when both succeeded.
Result<void> test_and_reload(targets::Target& target, const DeployRequest& req,
                             DeployResult& result, NginxRun& run);

// After a failed reload the previous files are back on disk, but nginx may have loaded the new
// ones before the command failed: test and reload again with the restored files.
Result<void> reload_restored(targets::Target& target, const DeployRequest& req);

// `failure` (a failed reload) with what reloading the restored files did.
Error with_reload_restored(targets::Target& target, const DeployRequest& req, const Error& failure);

}  // namespace certgate::apply
