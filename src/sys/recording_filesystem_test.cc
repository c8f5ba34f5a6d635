#include "sys/recording_filesystem.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"

namespace certgate::sys {
namespace {

// A stand-in hash: the bytes themselves, so a test sees what was fingerprinted.
std::string identity(std::string_view bytes) { return std::string(bytes); }

struct Fixture {
  testing::MemFilesystem mem;
  RecordingFilesystem fs{mem, identity};

  Fixture() {
    mem.put("/s/state.json", "{}", 0600);
    mem.put("/n/http.conf", "map {}", 0644);
    mem.put("/n/sites/a.conf", "gate", 0644);
  }

  // What a run of the planner reads.
  void run() {
    (void)fs.read("/s/state.json");
    (void)fs.read("/s/missing.json");
    (void)fs.stat("/n");
    (void)fs.read("/n/http.conf");
    (void)fs.list("/n/sites");
  }
};

}  // namespace

TEST_CASE("recording filesystem: a trace holds until something it read changes") {
  Fixture f;
  f.run();
  const Trace trace = f.fs.trace();
  CHECK(trace.complete);
  CHECK(trace.entries.size() == 5);
  CHECK(trace_holds(f.mem, trace, identity));

  SUBCASE("a hand edit of a file it read") {
    f.mem.put("/n/http.conf", "map { x }", 0644);
    CHECK_FALSE(trace_holds(f.mem, trace, identity));
  }
  SUBCASE("the same bytes again") {
    f.mem.put("/n/http.conf", "map {}", 0644);
    CHECK(trace_holds(f.mem, trace, identity));
  }
  SUBCASE("a file it found missing appears") {
    f.mem.put("/s/missing.json", "", 0600);
    CHECK_FALSE(trace_holds(f.mem, trace, identity));
  }
  SUBCASE("a new file in a folder it listed") {
    f.mem.put("/n/sites/b.conf", "gate", 0644);
    CHECK_FALSE(trace_holds(f.mem, trace, identity));
  }
  SUBCASE("a folder it stat'ed is removed") {
    (void)f.mem.remove("/n/sites/a.conf");
    (void)f.mem.remove("/n/sites");
    (void)f.mem.remove("/n/http.conf");
    (void)f.mem.remove("/n");
    CHECK_FALSE(trace_holds(f.mem, trace, identity));
  }
  SUBCASE("a file not read changes nothing") {
    f.mem.put("/s/other", "x", 0600);
    CHECK(trace_holds(f.mem, trace, identity));
  }
}

TEST_CASE("recording filesystem: a write makes the trace describe the file as written") {
  Fixture f;
  f.run();
  REQUIRE(f.fs.write_atomic("/s/state.json", R"({"applied_at":1})", 0600));
  REQUIRE(f.fs.write_atomic("/n/sites/b.conf", "new", 0644));
  const Trace trace = f.fs.trace();
  CHECK(trace.complete);
  // The next run reads what this one wrote: the trace holds on the files as they are now.
  CHECK(trace_holds(f.mem, trace, identity));
  f.mem.put("/s/state.json", "{}", 0600);  // someone puts the old record back
  CHECK_FALSE(trace_holds(f.mem, trace, identity));
}

TEST_CASE("recording filesystem: a write elsewhere keeps a source file's bytes as they were read") {
  Fixture f;
  f.mem.put("/src/csr/alice.csr", "old csr", 0644);
  (void)f.fs.read_inside("/src", "csr/alice.csr", 65536);
  f.mem.put("/src/csr/alice.csr", "new csr", 0644);  // replaced while the run goes on
  REQUIRE(f.fs.write_atomic("/s/state.json", "{}", 0600));
  // The run planned with the old CSR: the next run, which reads the new one, must not match.
  CHECK_FALSE(trace_holds(f.mem, f.fs.trace(), identity));
}

TEST_CASE("recording filesystem: a path read twice with different bytes leaves no usable trace") {
  Fixture f;
  (void)f.fs.read("/n/http.conf");
  f.mem.put("/n/http.conf", "changed meanwhile", 0644);
  (void)f.fs.read("/n/http.conf");
  CHECK_FALSE(f.fs.trace().complete);
  CHECK_FALSE(trace_holds(f.mem, f.fs.trace(), identity));
}

TEST_CASE("recording filesystem: a change of group leaves no usable trace") {
  Fixture f;
  f.run();
  (void)f.fs.set_group("/n/http.conf", "www-data");
  CHECK_FALSE(f.fs.trace().complete);
}

}  // namespace certgate::sys
