#include "apply/rollout.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <mutex>

#include "apply/pki_apply.h"
#include "observed/observe.h"
#include "plan/planner.h"
#include "support/fake_runner.h"
#include "support/fake_ssh.h"
#include "support/mem_filesystem.h"
#include "support/string_vector.h"
#include "targets/ssh_target.h"

namespace certgate::apply {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;
const std::string kDir = "/etc/nginx/certgate";

// The hosts that reloaded nginx, in the order they did (a batch runs on several threads).
class ReloadLog {
 public:
  void add(const std::string& host) {
    std::lock_guard lock(mu_);
    hosts_.push_back(host);
  }
  std::vector<std::string> hosts() {
    std::lock_guard lock(mu_);
    return hosts_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> hosts_;
};

// A host's shell: a FakeRunner whose successful reloads are noted in the fleet's ReloadLog.
class HostShell final : public sys::CommandRunner {
 public:
  HostShell(std::string host, ReloadLog& log) : host_(std::move(host)), log_(log) {}
  Result<sys::CommandOutput> run(const sys::Command& command) override {
    auto r = fake.run(command);
    if (r && r->succeeded() && command.shell.find("reload") != std::string::npos) log_.add(host_);
    return r;
  }
  testing::FakeRunner fake;

 private:
  std::string host_;
  ReloadLog& log_;
};

// A [[host]] reached over a FakeSsh: its disk and shell, and the SshTarget that owns the session.
struct FakeHost {
  FakeHost(const std::string& host, ReloadLog& log) : name(host), shell(host, log) {
    auto session = std::make_unique<testing::FakeSsh>(disk, shell);
    ssh = session.get();
    target = std::make_unique<targets::SshTarget>(host, std::move(session));
  }
  // Nothing was asked of the host: no SFTP call, no command, no file.
  bool is_untouched() const {
    return ssh->calls.empty() && shell.fake.ran.empty() && disk.files().empty();
  }

  std::string name;
  testing::MemFilesystem disk;
  HostShell shell;
  testing::FakeSsh* ssh = nullptr;  // owned by target
  std::unique_ptr<targets::SshTarget> target;
};

const char* outcome_name(TargetOutcome o) {
  switch (o) {
    case TargetOutcome::unchanged:
      return "unchanged";
    case TargetOutcome::deployed:
      return "deployed";
    case TargetOutcome::failed:
      return "failed";
    case TargetOutcome::skipped:
      return "skipped";
  }
  return "?";
}

// A CA with one device in /state (so a CRL to deploy), and `count` hosts h1, h2, ...
struct Fleet {
  explicit Fleet(int count) {
    desired.ca.common_name = "Test CA";
    desired::Device d;
    d.name = "dev-100";
    d.owner = "dev-100@example.com";
    desired.devices.push_back(d);
    auto o = observed::observe(state, "/state", desired, kNow);
    REQUIRE(o);
    ApplyContext ctx{state, "/state", kNow, 1};
    REQUIRE(apply_pki(plan::compute_plan(desired, *o, {}, {}, kNow), desired, *o, ctx));
    for (int i = 1; i <= count; ++i)
      hosts.push_back(std::make_unique<FakeHost>("h" + std::to_string(i), log));
  }

  std::vector<RolloutTarget> targets() {
    std::vector<RolloutTarget> out;
    for (auto& h : hosts) out.push_back({h->name, h->target.get(), "", desired::NginxSpec{}, {}});
    return out;
  }
  RolloutReport roll_out(const desired::Rollout& policy) { return roll_out(targets(), policy); }
  RolloutReport roll_out(const std::vector<RolloutTarget>& targets,
                         const desired::Rollout& policy) {
    auto r = apply::roll_out(desired, targets, policy, state, "/state", "test", kNow);
    REQUIRE(r);
    return *r;
  }
  FakeHost& host(int n) { return *hosts[n - 1]; }

  testing::MemFilesystem state;
  desired::DesiredState desired;
  ReloadLog log;
  std::vector<std::unique_ptr<FakeHost>> hosts;
};

// "h1 deployed", "h2 failed", ... in rollout order.
std::vector<std::string> outcomes(const RolloutReport& report) {
  std::vector<std::string> out;
  for (const TargetResult& r : report.results)
    out.push_back(r.target + " " + outcome_name(r.outcome));
  return out;
}

std::vector<std::string> sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_CASE("rollout: the canary deploys alone first, then the rest in batches") {
  Fleet f(5);
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) == std::vector<std::string>{"h1 deployed", "h2 deployed", "h3 deployed",
                                                     "h4 deployed", "h5 deployed"});
  CHECK_FALSE(report.stopped);
  // h1 alone, then {h2, h3} (in either order), then {h4, h5}.
  const std::vector<std::string> reloads = f.log.hosts();
  REQUIRE(reloads.size() == 5);
  CHECK(reloads[0] == "h1");
  CHECK(sorted({reloads[1], reloads[2]}) == std::vector<std::string>{"h2", "h3"});
  CHECK(sorted({reloads[3], reloads[4]}) == std::vector<std::string>{"h4", "h5"});
  CHECK(report.reloaded == std::vector<std::string>{"h1", "h2", "h3", "h4", "h5"});
  CHECK(report.files_written == 15);  // ca.pem, crl.pem, http.conf on each
  CHECK(report.deployed.size() == 5);
  for (auto& h : f.hosts) {
    CHECK(h->shell.fake.ran == std::vector<std::string>{"nginx -t", "nginx -s reload"});
    CHECK(h->disk.files().size() == 3);
    CHECK(h->disk.files().contains(kDir + "/http.conf"));
  }
  CHECK(rollout_summary(report) == "Rollout: 5 deployed, 0 unchanged, 0 failed, 0 not attempted\n");
}

TEST_CASE("rollout: a second rollout finds every target unchanged and reloads none") {
  Fleet f(3);
  f.roll_out(desired::Rollout{1, 2, 0});
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) ==
        std::vector<std::string>{"h1 unchanged", "h2 unchanged", "h3 unchanged"});
  CHECK(report.reloaded.empty());
  CHECK(report.files_written == 0);
  CHECK(report.deployed.size() == 3);
  CHECK(f.log.hosts().size() == 3);  // the first rollout's reloads only
}

TEST_CASE("rollout: a failing canary with max_failures 0 leaves every other target untouched") {
  Fleet f(5);
  f.host(1).shell.fake.on("nginx -t", 1, "nginx: [emerg] bad\n");
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) == std::vector<std::string>{"h1 failed", "h2 skipped", "h3 skipped",
                                                     "h4 skipped", "h5 skipped"});
  CHECK(report.stopped);
  CHECK(report.failures() == 1);
  CHECK(report.results[0].error.find("nginx: [emerg] bad") != std::string::npos);
  CHECK(f.host(1).shell.fake.ran == std::vector<std::string>{"nginx -t"});
  CHECK(f.host(1).disk.files().empty());  // its new files removed again
  for (int n = 2; n <= 5; ++n) CHECK(f.host(n).is_untouched());
  CHECK(f.log.hosts().empty());
  CHECK(report.deployed.empty());
  CHECK(report.reloaded.empty());
}

TEST_CASE("rollout: with max_failures 1 a failure in a batch does not stop the rollout") {
  Fleet f(5);
  f.host(3).shell.fake.on("nginx -t", 1, "nginx: [emerg] bad\n");
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 1});
  CHECK(outcomes(report) == std::vector<std::string>{"h1 deployed", "h2 deployed", "h3 failed",
                                                     "h4 deployed", "h5 deployed"});
  CHECK_FALSE(report.stopped);
  CHECK(sorted(f.log.hosts()) == std::vector<std::string>{"h1", "h2", "h4", "h5"});
  CHECK(report.reloaded == std::vector<std::string>{"h1", "h2", "h4", "h5"});
  CHECK_FALSE(report.deployed.contains("h3"));
}

TEST_CASE("rollout: a failure within a batch lets that batch finish, then stops") {
  Fleet f(5);
  f.host(3).shell.fake.on("nginx -t", 1, "nginx: [emerg] bad\n");
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) == std::vector<std::string>{"h1 deployed", "h2 deployed", "h3 failed",
                                                     "h4 skipped", "h5 skipped"});
  CHECK(report.stopped);
  CHECK(sorted(f.log.hosts()) == std::vector<std::string>{"h1", "h2"});
  CHECK(f.host(4).is_untouched());
  CHECK(f.host(5).is_untouched());
  CHECK(report.deployed.size() == 2);
}

TEST_CASE("rollout: an SSH connection lost mid-upload fails that target only") {
  Fleet f(3);
  f.host(2).ssh->fail_after_writes(1);
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 1});
  CHECK(outcomes(report) == std::vector<std::string>{"h1 deployed", "h2 failed", "h3 deployed"});
  CHECK(report.results[1].error.find("connection lost") != std::string::npos);
  CHECK(f.host(2).shell.fake.ran.empty());
  for (const auto& [path, file] : f.host(2).disk.files())
    CHECK(path.starts_with(kDir + "/.certgate-staging/"));  // nothing live was written
}

TEST_CASE("rollout: an unreachable target counts as a failure with its reason") {
  Fleet f(3);
  std::vector<RolloutTarget> targets = f.targets();
  targets.insert(
      targets.begin(),
      RolloutTarget{
          "h0", nullptr, "connect 10.0.0.9:22: Connection refused", desired::NginxSpec{}, {}});
  RolloutReport report = f.roll_out(targets, desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) ==
        std::vector<std::string>{"h0 failed", "h1 skipped", "h2 skipped", "h3 skipped"});
  CHECK(report.results[0] == TargetResult{"h0", TargetOutcome::failed,
                                          "connect 10.0.0.9:22: Connection refused", 0, false});
  CHECK(report.stopped);
  for (int n = 1; n <= 3; ++n) CHECK(f.host(n).is_untouched());
}

TEST_CASE("rollout: the summary names the failed and the not-attempted targets") {
  Fleet f(4);
  f.host(2).shell.fake.on("nginx -t", 1, "nginx: [emerg] bad\n");
  RolloutReport report = f.roll_out(desired::Rollout{1, 2, 0});
  CHECK(outcomes(report) ==
        std::vector<std::string>{"h1 deployed", "h2 failed", "h3 deployed", "h4 skipped"});
  CHECK(rollout_summary(report) ==
        "Rollout: 2 deployed, 0 unchanged, 1 failed, 1 not attempted"
        " (stopped: more failures than [rollout].max_failures)\n"
        "  failed         h2: nginx test `nginx -t` failed (exit 1); the previous files are "
        "restored and nginx was not reloaded:\n"
        "  not attempted  h4: left untouched\n");
}

}  // namespace
}  // namespace certgate::apply
