// Crash tests of a local deploy (../shared/STYLE.md section 7): the FaultyFilesystem stops at
// each change of a deploy of v2 over v1, the power is cut, and the next deploy must finish or
// undo the interrupted one: nginx only ever reads whole, durable files, and what it last
// accepted comes back when the new files fail.
#include <doctest/doctest.h>

#include "apply/deploy_files.h"
#include "support/deploy_fixtures.h"
#include "support/fake_runner.h"
#include "support/faulty_filesystem.h"
#include "targets/target.h"

namespace certgate::apply {
namespace {

using testing::FaultyFilesystem;
using File = testing::MemFilesystem::File;

// When nginx -t runs, every live file must be durable: nginx is about to load it, and a crash
// must not bring back other bytes than the ones it loaded.
void on_nginx_test(FaultyFilesystem& fs, testing::FakeRunner& runner, int exit_code,
                   std::vector<std::string>& problems) {
  runner.on("nginx -t", exit_code, [&fs, &problems] {
    const auto durable = testing::live_files(fs.durable_files());
    if (durable != testing::live_files(fs.files()))
      problems.push_back("nginx -t read unsynced files");
  });
}

// Each live file holds the whole of one version, or is absent where one version has none.
void check_whole(const FaultyFilesystem& fs, const FileSet& v1, const FileSet& v2) {
  const auto live = testing::live_files(fs.files());
  for (const auto& [path, file] : live) {
    CAPTURE(path);
    const std::string rel = path.substr(testing::kDeployDir.size() + 1);
    const bool is_v1 = v1.files.contains(rel) && v1.files.at(rel) == file.bytes;
    const bool is_v2 = v2.files.contains(rel) && v2.files.at(rel) == file.bytes;
    CHECK((is_v1 || is_v2));
  }
  for (const auto* req : {&v1, &v2}) {
    for (const auto& [rel, bytes] : req->files) {
      const bool in_both = v1.files.contains(rel) && v2.files.contains(rel);
      if (in_both) CHECK(live.contains(req->dir + "/" + rel));
    }
  }
}

// v1 deployed and durable; then a deploy of v2 (whose nginx -t exits `test_exit`) stopped at
// change n (or never, n = 0), and the power cut.
struct Run {
  FaultyFilesystem fs;
  testing::FakeRunner runner;
  std::vector<std::string> problems;
  Result<DeployResult> result = DeployResult{};

  Run(int n, int test_exit) {
    testing::FakeRunner ok;
    targets::LocalTarget first(fs, ok);
    REQUIRE(deploy_files(first, testing::deploy_request("v1")));
    REQUIRE(fs.sync());  // forgetting the previous versions is not flushed by deploy
    fs.crash();
    on_nginx_test(fs, runner, test_exit, problems);
    fs.fail_at(n);
    targets::LocalTarget target(fs, runner);
    result = deploy_files(target, testing::deploy_request("v2"));
  }
};

int changes_of_a_deploy(int test_exit) {
  Run run(0, test_exit);
  return run.fs.change_count();
}

TEST_CASE("crash: a deploy cut at any change leaves whole files, and the next one converges") {
  const FileSet v1 = testing::deploy_request("v1");
  const FileSet v2 = testing::deploy_request("v2");
  const int total = changes_of_a_deploy(0);
  for (int n = 1; n <= total + 1; ++n) {
    Run run(n <= total ? n : 0, 0);
    const std::string last = run.fs.log().empty() ? "(none)" : run.fs.log().back();
    CAPTURE(n);
    CAPTURE(last);  // the last change made before the crash
    CHECK(bool(run.result) == (n > total));
    const auto before = run.fs.files();
    run.fs.crash();
    if (n > total) CHECK(testing::live_files(run.fs.files()) == testing::live_files(before));
    check_whole(run.fs, v1, v2);
    targets::LocalTarget target(run.fs, run.runner);
    REQUIRE(deploy_files(target, v2));
    CHECK(run.problems.empty());
    CHECK(run.fs.files() == testing::deployed_files(v2));
  }
}

TEST_CASE("crash: a deploy whose nginx -t fails, cut at any change, leaves what nginx accepted") {
  const FileSet v1 = testing::deploy_request("v1");
  const int total = changes_of_a_deploy(1);
  for (int n = 1; n <= total + 1; ++n) {
    Run run(n <= total ? n : 0, 1);
    const std::string last = run.fs.log().empty() ? "(none)" : run.fs.log().back();
    CAPTURE(n);
    CAPTURE(last);
    REQUIRE_FALSE(run.result);
    run.fs.crash();
    // The next deploy of v2 fails its test again: v1, what nginx last accepted, must be live.
    targets::LocalTarget target(run.fs, run.runner);
    REQUIRE_FALSE(deploy_files(target, testing::deploy_request("v2")));
    CHECK(testing::live_files(run.fs.files()) == testing::deployed_files(v1));
    run.fs.crash();  // and durably so
    CHECK(testing::live_files(run.fs.files()) == testing::deployed_files(v1));
    CHECK(run.problems.empty());
  }
}

TEST_CASE("full disk: a deploy that fails at any change says which live files still differ") {
  // The disk fills at change n and stays full (no crash): the deploy fails, and restoring what
  // it changed may fail too. Every live file that is not v1's must be named as still holding
  // the new bytes; with none changed, the message says so and v1 is untouched.
  const FileSet v1 = testing::deploy_request("v1");
  const int total = changes_of_a_deploy(0);
  for (int n = 1; n <= total; ++n) {
    CAPTURE(n);
    FaultyFilesystem fs;
    testing::FakeRunner runner;
    targets::LocalTarget target(fs, runner);
    REQUIRE(deploy_files(target, v1));
    REQUIRE(fs.sync());
    fs.fail_at(fs.change_count() + n);
    auto r = deploy_files(target, testing::deploy_request("v2"));
    REQUIRE_FALSE(r);
    const std::string message = r.error().message;
    CAPTURE(message);
    const auto live = testing::live_files(fs.files());
    bool differs = false;
    for (const auto& [path, file] : testing::deployed_files(v1)) {
      auto it = live.find(path);
      if (it != live.end() && it->second.bytes == file.bytes) continue;
      differs = true;
      CHECK((message.find("still the new bytes: ") != std::string::npos ||
             message.find("the new files are in place") != std::string::npos));
      CHECK(message.find(path.substr(testing::kDeployDir.size() + 1)) != std::string::npos);
    }
    if (!differs) CHECK(message.find("no live file") != std::string::npos);
  }
}

}  // namespace
}  // namespace certgate::apply
