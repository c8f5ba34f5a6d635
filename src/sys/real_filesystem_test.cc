#include "sys/real_filesystem.h"

#include <doctest/doctest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace certgate::sys {
namespace {

// A fresh directory under $TMPDIR, removed with its files when the test ends.
struct TempDir {
  std::string path;
  TempDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-unit.XXXXXX";
    path = ::mkdtemp(tmpl.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace

TEST_CASE("real filesystem: write_atomic creates with the exact mode, whatever the umask") {
  TempDir dir;
  RealFilesystem fs;
  const mode_t old = ::umask(077);
  const std::string path = dir.path + "/ca.pem";
  REQUIRE(fs.write_atomic(path, "cert", 0644));
  ::umask(old);
  CHECK(*fs.read(path) == "cert");
  CHECK(fs.stat(path)->mode == 0644);
  CHECK(fs.stat(path)->kind == FileKind::file);
  CHECK(fs.stat(path)->size == 4);
  const std::string key = dir.path + "/ca.key";
  REQUIRE(fs.write_atomic(key, "secret", 0600));
  CHECK(fs.stat(key)->mode == 0600);
}

TEST_CASE("real filesystem: write_atomic replaces and leaves no temp file behind") {
  TempDir dir;
  RealFilesystem fs;
  const std::string path = dir.path + "/crl.pem";
  REQUIRE(fs.write_atomic(path, "old", 0644));
  REQUIRE(fs.write_atomic(path, "new", 0644));
  CHECK(*fs.read(path) == "new");
  CHECK(*fs.list(dir.path) == std::vector<std::string>{"crl.pem"});
  auto r = fs.write_atomic(dir.path + "/missing/x", "y", 0644);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find(dir.path + "/missing/") != std::string::npos);
  CHECK(*fs.list(dir.path) == std::vector<std::string>{"crl.pem"});
}

TEST_CASE("real filesystem: errors name the path and tell not_found apart") {
  TempDir dir;
  RealFilesystem fs;
  auto r = fs.read(dir.path + "/nope");
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::not_found);
  CHECK(r.error().message == "open " + dir.path + "/nope: No such file or directory");
  CHECK(fs.stat(dir.path + "/nope").error().code == Errc::not_found);
  CHECK(fs.remove(dir.path + "/nope"));
}

TEST_CASE("real filesystem: make_dirs, list and remove") {
  TempDir dir;
  RealFilesystem fs;
  REQUIRE(fs.make_dirs(dir.path + "/a/b/c", 0700));
  CHECK(fs.stat(dir.path + "/a/b/c")->kind == FileKind::directory);
  CHECK(fs.stat(dir.path + "/a/b/c")->mode == 0700);
  REQUIRE(fs.make_dirs(dir.path + "/a/b/c", 0755));  // existing: kept as it is
  CHECK(fs.stat(dir.path + "/a/b/c")->mode == 0700);
  REQUIRE(fs.write_atomic(dir.path + "/a/z", "1", 0644));
  CHECK(*fs.list(dir.path + "/a") == std::vector<std::string>{"b", "z"});
  REQUIRE(fs.remove(dir.path + "/a/z"));
  CHECK(*fs.list(dir.path + "/a") == std::vector<std::string>{"b"});
  REQUIRE(fs.write_atomic(dir.path + "/file", "x", 0644));
  CHECK_FALSE(fs.make_dirs(dir.path + "/file/sub", 0755));
}

TEST_CASE("real filesystem: append_durable creates with the mode, appends, follows no link") {
  TempDir dir;
  RealFilesystem fs;
  const std::string log = dir.path + "/audit.log";
  const mode_t old = ::umask(0);
  REQUIRE(fs.append_durable(log, "one\n", 0600));
  ::umask(old);
  REQUIRE(fs.append_durable(log, "two\n", 0644));
  CHECK(*fs.read(log) == "one\ntwo\n");
  CHECK(fs.stat(log)->mode == 0600);  // an existing file keeps its mode
  // A line a crash cut short is ended before the next one.
  REQUIRE(fs.append_durable(log, "thr", 0600));
  REQUIRE(fs.append_durable(log, "four\n", 0600));
  CHECK(*fs.read(log) == "one\ntwo\nthr\nfour\n");
  // A symlink planted in its place is not written through.
  const std::string target = dir.path + "/elsewhere";
  REQUIRE(fs.write_atomic(target, "kept\n", 0644));
  REQUIRE(fs.remove(log));
  std::filesystem::create_symlink(target, log);
  CHECK_FALSE(fs.append_durable(log, "three\n", 0600));
  CHECK(*fs.read(target) == "kept\n");
}

TEST_CASE("paths: parent and join") {
  CHECK(parent_path("a/b/c") == "a/b");
  CHECK(parent_path("c") == ".");
  CHECK(parent_path("/c") == "/");
  CHECK(join_path(".", "x") == "x");
  CHECK(join_path("a/", "x") == "a/x");
  CHECK(join_path("a", "x") == "a/x");
}

}  // namespace certgate::sys

namespace certgate::sys {

TEST_CASE("real filesystem: deferred writes and renames are in place at once, durable at sync") {
  TempDir dir;
  RealFilesystem fs;
  const std::string a = dir.path + "/a";
  REQUIRE(fs.write_deferred(a, "one", 0600));
  CHECK(*fs.read(a) == "one");
  CHECK(fs.stat(a)->mode == 0600);
  REQUIRE(fs.sync());  // a few changes: fsync per file and directory
  REQUIRE(fs.rename(a, dir.path + "/b"));
  CHECK(fs.read(a).error().code == Errc::not_found);
  CHECK(*fs.read(dir.path + "/b") == "one");
  for (int i = 0; i < 40; ++i) {
    REQUIRE(fs.write_deferred(dir.path + "/f" + std::to_string(i), "x", 0644));
  }
  REQUIRE(fs.sync());  // a batch: syncfs
  CHECK(fs.list(dir.path)->size() == 41);
  auto missing = fs.rename(dir.path + "/nope", dir.path + "/c");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().message.starts_with("rename " + dir.path + "/nope to "));
}

TEST_CASE("real filesystem: read_tail reads only the end of a file, and refuses a FIFO") {
  TempDir dir;
  RealFilesystem fs;
  const std::string path = dir.path + "/access.log";
  REQUIRE(fs.write_atomic(path, "line one\nline two\n", 0644));
  auto tail = fs.read_tail(path, 9);
  REQUIRE(tail);
  CHECK(tail->bytes == "line two\n");
  CHECK(tail->offset == 9);
  auto whole = fs.read_tail(path, 1 << 20);
  REQUIRE(whole);
  CHECK(whole->bytes == "line one\nline two\n");
  CHECK(whole->offset == 0);
  CHECK(fs.read_tail(dir.path + "/none.log", 10).error().code == Errc::not_found);
  CHECK(fs.read_tail(dir.path, 10).error().code == Errc::invalid);
  const std::string fifo = dir.path + "/fifo";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(fs.read_tail(fifo, 10).error().code == Errc::invalid);
}

}  // namespace certgate::sys
