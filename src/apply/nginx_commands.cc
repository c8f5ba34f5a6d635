#include "apply/nginx_commands.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace certgate::apply {

bool says_nginx_not_running(const sys::CommandOutput& reload) {
  const std::string text = reload.err + reload.out;
  auto has = [&](const char* s) { return text.find(s) != std::string::npos; };
  // nginx -s reload: the pid file is missing, or empty (`nginx -t` leaves an empty one): no
  // master was started with this config. A pid file naming a process that is gone is not
  // taken for a stopped nginx: a master that died, or one started with another pid path, may
  // be serving, and a failed reload then restores the files as always.
  if (has("nginx.pid\" failed (2: No such file or directory)")) return true;
  if (has("invalid PID number \"\"")) return true;
  // systemctl reload nginx, and Debian's init script through it.
  return has("is not active, cannot reload");
}

Error command_error(const std::string& what, const sys::Command& c, const sys::CommandOutput& o,
                    const std::string& after) {
  std::string text = o.err + o.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return make_error(Errc::command_failed, what + " `" + c.shell + "` failed (" +
                                              sys::describe_end(o, c) + "); " + after +
                                              (text.empty() ? "" : ":\n" + text));
}

Result<void> test_and_reload(targets::Target& target, const DeployRequest& req,
                             DeployResult& result, NginxRun& run) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  sys::Command test{req.test, req.command_timeout};
  auto t = target.runner().run(test);
  if (!t) return t.error();
  if (!t->succeeded())
    return command_error("nginx test", test, *t,
                         "the previous files are restored and nginx was not reloaded");
  const auto t1 = Clock::now();
  sys::Command reload{req.reload, req.command_timeout};
  run.reload_ran = true;
  auto r = target.runner().run(reload);
  if (!r) return r.error();
  if (!r->succeeded()) {
    run.not_running = says_nginx_not_running(*r);
    return command_error(
        "nginx reload", reload, *r,
        run.not_running ? "no nginx is running" : "the previous files are restored");
  }
  result.reloaded = true;
  using ms = std::chrono::duration<double, std::milli>;
  spdlog::debug("timing target={} nginx_test_ms={:.1f} nginx_reload_ms={:.1f}", target.name(),
                ms(t1 - t0).count(), ms(Clock::now() - t1).count());
  return {};
}

// Reloading again with the restored files makes what nginx runs and what is on disk agree; if
// that fails too, nginx may run either version until the next apply, which finds the files
// differ and deploys again.
Result<void> reload_restored(targets::Target& target, const DeployRequest& req) {
  DeployResult ignored;
  NginxRun run;
  auto again = test_and_reload(target, req, ignored, run);
  if (again) {
    spdlog::warn("reloaded nginx with the restored files target={}", target.name());
  } else {
    spdlog::warn("reload with the restored files failed target={} error={}", target.name(),
                 again.error().message);
  }
  return again;
}

Error with_reload_restored(targets::Target& target, const DeployRequest& req,
                           const Error& failure) {
  auto again = reload_restored(target, req);
  if (again)
    return make_error(failure.code,
                      failure.message + "\nnginx was reloaded again with the restored files");
  return make_error(failure.code,
                    failure.message +
                        "\nreloading nginx with the restored files failed too, so nginx may still "
                        "run the new ones until the next apply deploys them again: " +
                        again.error().message);
}

}  // namespace certgate::apply
