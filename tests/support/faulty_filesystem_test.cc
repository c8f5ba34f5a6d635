#include "support/faulty_filesystem.h"

#include <doctest/doctest.h>

namespace certgate::testing {
namespace {

TEST_CASE("faulty fs: a crash keeps what was synced and drops the rest") {
  FaultyFilesystem fs;
  REQUIRE(fs.make_dirs("/d/sub", 0755));
  REQUIRE(fs.write_atomic("/d/a", "a1", 0644));  // fsyncs /d: sub/ is durable too
  REQUIRE(fs.write_deferred("/d/sub/b", "b1", 0600));
  REQUIRE(fs.sync());
  REQUIRE(fs.write_deferred("/d/sub/b", "b2", 0600));
  REQUIRE(fs.rename("/d/a", "/d/sub/a"));
  REQUIRE(fs.make_dirs("/e", 0755));
  REQUIRE(fs.write_atomic("/e/c", "c", 0644));  // /e itself is not durable in /
  fs.crash();
  CHECK(fs.files() == std::map<std::string, MemFilesystem::File>{{"/d/a", {"a1", 0644}},
                                                                 {"/d/sub/b", {"b1", 0600}}});
  CHECK_FALSE(fs.stat("/e"));
}

TEST_CASE("faulty fs: a durable name whose bytes were never synced is left empty") {
  FaultyFilesystem fs;
  REQUIRE(fs.make_dirs("/d", 0755));
  REQUIRE(fs.sync());
  REQUIRE(fs.write_deferred("/d/x", "x", 0644));
  REQUIRE(fs.write_atomic("/d/y", "y", 0644));  // fsyncs /d, with x's name but not its bytes
  fs.crash();
  CHECK(fs.files().at("/d/x").bytes.empty());
  CHECK(fs.files().at("/d/y").bytes == "y");
}

TEST_CASE("faulty fs: change N fails and, with stop, every later one, while reads go on") {
  FaultyFilesystem fs;
  fs.fail_at(2);
  REQUIRE(fs.make_dirs("/d", 0755));
  auto r = fs.write_atomic("/d/x", "x", 0644);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::io);
  CHECK_FALSE(fs.write_atomic("/d/y", "y", 0644));
  CHECK_FALSE(fs.stat("/d/x"));
  CHECK(fs.stat("/d"));
  CHECK(fs.change_count() == 3);
  CHECK(fs.log() == std::vector<std::string>{"make_dirs /d"});
  fs.crash();
  fs.fail_at(1, FaultyFilesystem::Fault::once);
  CHECK_FALSE(fs.make_dirs("/d", 0755));
  CHECK(fs.make_dirs("/d", 0755));
}

}  // namespace
}  // namespace certgate::testing
