#include "targets/ssh_target.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apply/deploy_files.h"
#include "support/deploy_fixtures.h"
#include "support/fake_runner.h"
#include "support/fake_ssh.h"
#include "support/mem_filesystem.h"
#include "support/string_vector.h"

namespace certgate::targets {
namespace {

using testing::FakeSsh;
using File = testing::MemFilesystem::File;

// A host reached over a FakeSsh: its disk, its shell, and the SshFilesystem under test.
struct Host {
  testing::MemFilesystem disk;
  testing::FakeRunner shell;
  FakeSsh ssh{disk, shell};
  SshFilesystem fs{ssh};
};

TEST_CASE("ssh fs: a deferred write waits under a temp name and lands whole at sync") {
  Host h;
  h.disk.put("/d/x.conf", "old\n");
  REQUIRE(h.fs.write_deferred("/d/x.conf", "new bytes\n", 0640));
  CHECK(h.disk.files().at("/d/x.conf") == File{"old\n", 0644});
  CHECK(h.disk.files().at("/d/.certgate-part.x.conf") == File{"new bytes\n", 0640});
  CHECK(h.ssh.commits.empty());

  REQUIRE(h.fs.sync());
  CHECK(h.disk.files().at("/d/x.conf") == File{"new bytes\n", 0640});
  CHECK(*h.disk.list("/d") == std::vector<std::string>{"x.conf"});
  CHECK(h.ssh.commits ==
        std::vector<FakeSsh::Commit>{{{{"/d/.certgate-part.x.conf", "/d/x.conf"}}, true, {"/d"}}});
  CHECK(h.ssh.flushes() == 1);
}

TEST_CASE("ssh fs: reading a path with a queued write sees the new bytes") {
  Host h;
  h.disk.put("/d/x.conf", "old\n");
  REQUIRE(h.fs.write_deferred("/d/x.conf", "new\n", 0644));
  REQUIRE(h.fs.write_deferred("/d/y.conf", "y\n", 0644));
  auto r = h.fs.read("/d/x.conf");
  REQUIRE(r);
  CHECK(*r == "new\n");
  // The whole queue was carried out, without a flush; the directory lists no temp file.
  CHECK(h.ssh.commits == std::vector<FakeSsh::Commit>{{{{"/d/.certgate-part.x.conf", "/d/x.conf"},
                                                        {"/d/.certgate-part.y.conf", "/d/y.conf"}},
                                                       false,
                                                       {}}});
  CHECK(*h.fs.list("/d") == std::vector<std::string>{"x.conf", "y.conf"});
  REQUIRE(h.fs.sync());
  CHECK(h.ssh.commits.back() == FakeSsh::Commit{{}, true, {"/d"}});
  CHECK(h.ssh.flushes() == 1);
}

TEST_CASE("ssh fs: listing or stating a path with a queued write carries the queue out") {
  Host h;
  h.disk.put("/d/sites/a.conf", "a\n");
  REQUIRE(h.fs.write_deferred("/d/sites/b.conf", "b\n", 0644));
  CHECK(*h.fs.list("/d/sites") == std::vector<std::string>{"a.conf", "b.conf"});
  REQUIRE(h.fs.write_deferred("/d/sites/c.conf", "cc\n", 0644));
  auto info = h.fs.stat("/d/sites/c.conf");
  REQUIRE(info);
  CHECK(info->size == 3);
  CHECK(h.ssh.commits.size() == 2);
}

TEST_CASE("ssh fs: several deferred writes and one sync make one flushed commit of them all") {
  Host h;
  h.disk.put("/d/staged.pem", "pem\n");
  h.disk.put("/d/sites/keep.conf", "keep\n");
  REQUIRE(h.fs.write_deferred("/d/http.conf", "http\n", 0644));
  REQUIRE(h.fs.write_deferred("/d/sites/a.conf", "a\n", 0644));
  REQUIRE(h.fs.write_deferred("/d/sites/b.conf", "b\n", 0600));
  REQUIRE(h.fs.rename("/d/staged.pem", "/d/ca.pem"));
  CHECK(h.ssh.commits.empty());
  REQUIRE(h.fs.sync());
  CHECK(h.ssh.commits ==
        std::vector<FakeSsh::Commit>{{{{"/d/.certgate-part.http.conf", "/d/http.conf"},
                                       {"/d/sites/.certgate-part.a.conf", "/d/sites/a.conf"},
                                       {"/d/sites/.certgate-part.b.conf", "/d/sites/b.conf"},
                                       {"/d/staged.pem", "/d/ca.pem"}},
                                      true,
                                      {"/d", "/d/sites"}}});
  CHECK(h.ssh.flushes() == 1);
  CHECK(h.disk.files() == std::map<std::string, File>{{"/d/ca.pem", {"pem\n", 0644}},
                                                      {"/d/http.conf", {"http\n", 0644}},
                                                      {"/d/sites/a.conf", {"a\n", 0644}},
                                                      {"/d/sites/b.conf", {"b\n", 0600}},
                                                      {"/d/sites/keep.conf", {"keep\n", 0644}}});
  // Nothing more to do: no commit.
  REQUIRE(h.fs.sync());
  CHECK(h.ssh.commits.size() == 1);
}

TEST_CASE("ssh fs: the temp file is named after the whole file name, also in / and bare") {
  Host h;
  REQUIRE(h.fs.write_deferred("/ab", "1\n", 0644));
  REQUIRE(h.fs.write_deferred("/cb", "2\n", 0644));
  REQUIRE(h.fs.write_deferred("x", "3\n", 0644));
  CHECK(h.disk.files().contains("/.certgate-part.ab"));
  CHECK(h.disk.files().contains("/.certgate-part.cb"));
  CHECK(h.disk.files().contains(".certgate-part.x"));
  CHECK(h.ssh.commits.empty());  // three temp names, so nothing had to be carried out yet
  REQUIRE(h.fs.sync());
  CHECK(h.disk.files() == std::map<std::string, File>{{"/ab", {"1\n", 0644}},
                                                      {"/cb", {"2\n", 0644}},
                                                      {"x", {"3\n", 0644}}});
}

TEST_CASE("ssh fs: a failing commit is reported by the sync that carries the queue out") {
  Host h;
  h.disk.put("/d/x.conf", "old\n");
  REQUIRE(h.fs.write_deferred("/d/x.conf", "new\n", 0644));
  h.ssh.fail_next_commit();
  auto r = h.fs.sync();
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::io);
  CHECK(h.disk.files().at("/d/x.conf").bytes == "old\n");
}

// A shell that notes what /d/x.conf holds when a command runs, as `cat` would.
class CatRunner final : public sys::CommandRunner {
 public:
  explicit CatRunner(testing::MemFilesystem& disk) : disk_(disk) {}
  Result<sys::CommandOutput> run(const sys::Command&) override {
    auto bytes = disk_.read("/d/x.conf");
    seen.push_back(bytes ? *bytes : "(absent)");
    return sys::CommandOutput{};
  }
  std::vector<std::string> seen;

 private:
  testing::MemFilesystem& disk_;
};

TEST_CASE("ssh runner: a command sees the queued renames carried out first") {
  testing::MemFilesystem disk;
  CatRunner shell(disk);
  FakeSsh ssh(disk, shell);
  SshFilesystem fs(ssh);
  SshRunner runner(ssh, fs);
  disk.put("/d/x.conf", "old\n");
  REQUIRE(fs.write_deferred("/d/x.conf", "new\n", 0644));
  auto r = runner.run(sys::Command{"cat /d/x.conf", std::chrono::seconds{5}});
  REQUIRE(r);
  CHECK(shell.seen == std::vector<std::string>{"new\n"});
  CHECK(ssh.calls == std::vector<std::string>{"write /d/.certgate-part.x.conf", "commit 1 renames",
                                              "exec cat /d/x.conf"});
}

const std::string& kDir = testing::kDeployDir;

apply::FileSet request(const std::string& version) { return testing::deploy_request(version); }

std::map<std::string, File> live_files(const testing::MemFilesystem& disk) {
  return testing::live_files(disk.files());
}

// Deploys `req` over a new session to `disk`, whose connection drops after `writes` writes
// (negative: never); the session's calls are copied to `calls` when given.
Result<apply::DeployResult> deploy_over_ssh(testing::MemFilesystem& disk, sys::CommandRunner& shell,
                                            const apply::FileSet& req, int writes = -1,
                                            std::vector<std::string>* calls = nullptr) {
  auto session = std::make_unique<FakeSsh>(disk, shell);
  FakeSsh& ssh = *session;
  ssh.fail_after_writes(writes);
  SshTarget target("h1", std::move(session));
  auto r = apply::deploy_files(target, req);
  if (calls) *calls = ssh.calls;
  return r;
}

void check_converged(testing::MemFilesystem& disk, const apply::FileSet& req) {
  CHECK(disk.files() == testing::deployed_files(req));  // no staging, previous versions, temp file
  CHECK_FALSE(disk.stat(kDir + "/.certgate-staging"));
  CHECK_FALSE(disk.stat(kDir + "/.certgate-previous"));
}

TEST_CASE("ssh deploy: a connection lost while uploading changes no live file, and heals") {
  // The v2 deploy writes 3 saved copies (http.conf, admin.conf, old.conf), 3 staged files and
  // the manifest; a connection lost at any of those writes must leave v1 live and untouched.
  {
    testing::MemFilesystem disk;
    testing::FakeRunner shell;
    REQUIRE(deploy_over_ssh(disk, shell, request("v1")));
    std::vector<std::string> calls;
    REQUIRE(deploy_over_ssh(disk, shell, request("v2"), -1, &calls));
    CHECK(std::count_if(calls.begin(), calls.end(),
                        [](const std::string& c) { return c.starts_with("write "); }) == 7);
  }
  for (int n = 0; n < 7; ++n) {
    CAPTURE(n);
    testing::MemFilesystem disk;
    testing::FakeRunner shell;
    REQUIRE(deploy_over_ssh(disk, shell, request("v1")));
    const auto before = disk.files();
    shell.ran.clear();

    auto r = deploy_over_ssh(disk, shell, request("v2"), n);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::io);
    CHECK(r.error().message.find("connection lost") != std::string::npos);
    CHECK(shell.ran.empty());  // neither nginx -t nor the reload
    CHECK(live_files(disk) == before);

    auto healed = deploy_over_ssh(disk, shell, request("v2"));
    REQUIRE(healed);
    CHECK(healed->reloaded);
    CHECK(shell.ran == std::vector<std::string>{"nginx -t", "nginx -s reload"});
    check_converged(disk, request("v2"));
  }
}

TEST_CASE("ssh deploy: a failing nginx -t restores every file byte for byte over SSH") {
  testing::MemFilesystem disk;
  testing::FakeRunner shell;
  REQUIRE(deploy_over_ssh(disk, shell, request("v1")));
  const auto before = disk.files();
  shell.ran.clear();
  shell.on("nginx -t", 1, "nginx: [emerg] bad\n");
  auto r = deploy_over_ssh(disk, shell, request("v2"));
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::command_failed);
  CHECK(shell.ran == std::vector<std::string>{"nginx -t"});
  CHECK(disk.files() == before);
}

TEST_CASE("ssh deploy: a connection lost at any call leaves whole files, and the next converges") {
  const apply::FileSet v1 = request("v1");
  const apply::FileSet v2 = request("v2");
  int total = 0;
  {
    testing::MemFilesystem disk;
    testing::FakeRunner shell;
    REQUIRE(deploy_over_ssh(disk, shell, v1));
    std::vector<std::string> calls;
    REQUIRE(deploy_over_ssh(disk, shell, v2, -1, &calls));
    total = static_cast<int>(calls.size());
  }
  for (int n = 0; n < total; ++n) {
    CAPTURE(n);
    testing::MemFilesystem disk;
    testing::FakeRunner shell;
    REQUIRE(deploy_over_ssh(disk, shell, v1));
    auto session = std::make_unique<FakeSsh>(disk, shell);
    session->fail_after_calls(n);
    SshTarget target("h1", std::move(session));
    REQUIRE_FALSE(apply::deploy_files(target, v2));
    // Each live file holds the whole of one version; no other file (a temp one) is live.
    for (const auto& [path, file] : live_files(disk)) {
      CAPTURE(path);
      const std::string rel = path.substr(kDir.size() + 1);
      const bool is_v1 = v1.files.contains(rel) && v1.files.at(rel) == file.bytes;
      const bool is_v2 = v2.files.contains(rel) && v2.files.at(rel) == file.bytes;
      CHECK((is_v1 || is_v2));
    }
    // The next deploy converges. It reloads unless the cut came after the reload, once the
    // manifest was gone (the deploy was over but for forgetting its copies).
    auto healed = deploy_over_ssh(disk, shell, v2);
    REQUIRE(healed);
    check_converged(disk, v2);
  }
}

}  // namespace
}  // namespace certgate::targets
