// Apply carries out the plan it computed: the files its file actions name, with the bytes the
// plan decided, and nothing else (issue #15).
#include "cli/plan_rollout.h"

#include <doctest/doctest.h>

#include <set>

#include "observed/manifest.h"
#include "pki/random.h"
#include "support/apply_run.h"
#include "support/fake_runner.h"
#include "support/mem_filesystem.h"

namespace certgate::cli {
namespace {

using namespace std::chrono;

const base::Instant kNow = sys_days{2026y / November / 23} + 12h;
const std::string kNginx = "/etc/nginx/certgate/";

desired::DesiredState fleet_state() {
  desired::DesiredState s = testing::desired_with_devices(3);
  for (desired::Device& d : s.devices) d.groups = {"admins"};
  desired::Site admin;
  admin.name = "admin";
  admin.server_names = {"admin.example.com"};
  admin.allow_groups = {"admins"};
  desired::Site wiki;
  wiki.name = "wiki";
  wiki.server_names = {"wiki.example.com"};
  s.sites = {admin, wiki};
  return s;
}

// The live nginx files written (renamed into place or removed) since `from`: not the journal.
std::set<std::string> live_writes(const testing::MemFilesystem& fs, size_t from) {
  std::set<std::string> out;
  for (size_t i = from; i < fs.written().size(); ++i) {
    const std::string& path = fs.written()[i];
    if (!path.starts_with(kNginx) || path.find("/.certgate-previous") != std::string::npos ||
        path.find("/.certgate-staging") != std::string::npos)
      continue;
    out.insert(path.substr(kNginx.size()));
  }
  return out;
}

TEST_CASE("apply: a revocation writes exactly the plan's files, with the plan's bytes") {
  testing::MemFilesystem fs;
  testing::FakeRunner runner;
  desired::DesiredState desired = fleet_state();
  REQUIRE(testing::apply_once(fs, runner, desired, kNow));
  const size_t mark = fs.written().size();
  const auto before = fs.files();
  desired.devices[1].revoked = base::RevocationReason::keyCompromise;
  auto run = testing::apply_once(fs, runner, desired, kNow + 1h);
  REQUIRE(run);
  // crl.pem (the new CRL) and http.conf (the serial leaves the maps), and the record of both; not
  // ca.pem, nor the site files.
  CHECK(live_writes(fs, mark) ==
        std::set<std::string>{"crl.pem", "http.conf", observed::kManifestFile});
  for (const char* rel : {"ca.pem", "sites/admin.conf", "sites/wiki.proxy.conf"})
    CHECK(fs.files().at(kNginx + rel) == before.at(kNginx + rel));
  // What was written is what the plan decided, and what state.json records.
  const auto& holds = run->rollout.deployed.at("local");
  for (const auto& [rel, sha] : holds) {
    CAPTURE(rel);
    CHECK(pki::sha256_hex(fs.files().at(kNginx + rel).bytes) == sha);
  }
  auto manifest =
      observed::parse_manifest(fs.files().at(kNginx + observed::kManifestFile).bytes, "m");
  REQUIRE(manifest);
  CHECK(manifest->files == holds);
  CHECK(manifest->target == "local");
}

TEST_CASE("apply: a plan with nothing to change writes nothing and runs no command") {
  testing::MemFilesystem fs;
  testing::FakeRunner runner;
  const desired::DesiredState desired = fleet_state();
  REQUIRE(testing::apply_once(fs, runner, desired, kNow));
  const size_t mark = fs.written().size();
  runner.ran.clear();
  REQUIRE(testing::apply_once(fs, runner, desired, kNow + 1h));
  CHECK(live_writes(fs, mark).empty());
  CHECK(runner.ran.empty());
}

}  // namespace
}  // namespace certgate::cli
