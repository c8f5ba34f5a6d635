#include "source/source.h"

#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "support/mem_filesystem.h"
#include "sys/real_filesystem.h"

namespace certgate::source {

TEST_CASE("source: a TOML file is read with its folder as the tree") {
  testing::MemFilesystem fs;
  fs.put("repo/prod.toml", "schema = 1\n");
  fs.put("repo/csr/a.csr", "PEM");
  auto snap = load({"repo/prod.toml", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  CHECK(snap->kind == "file");
  CHECK(snap->file_path == "repo/prod.toml");
  CHECK(snap->text == "schema = 1\n");
  CHECK_FALSE(snap->commit);
  CHECK(*snap->tree->read("csr/a.csr") == "PEM");
}

TEST_CASE("source: a directory is read through --file") {
  testing::MemFilesystem fs;
  fs.put("repo/certgate.toml", "a");
  fs.put("repo/sub/other.toml", "b");
  auto snap = load({"repo", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  CHECK(snap->kind == "directory");
  CHECK(snap->file_path == "repo/certgate.toml");
  auto other = load({"repo", "main", "sub/other.toml", "", false, "", ""}, fs);
  REQUIRE(other);
  CHECK(other->text == "b");
  CHECK(other->file_path == "repo/sub/other.toml");
}

TEST_CASE("source: missing files, unsafe paths and git URLs are refused") {
  testing::MemFilesystem fs;
  fs.put("repo/certgate.toml", "a");
  CHECK(fs.make_dirs("empty", 0755));
  auto none = load({"nowhere.toml", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE_FALSE(none);
  CHECK(none.error().code == Errc::not_found);
  auto empty = load({"empty", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE_FALSE(empty);
  CHECK(empty.error().message.find("certgate init") != std::string::npos);
  CHECK_FALSE(load({"repo", "main", "../etc/passwd", "", false, "", ""}, fs));
  auto url = load({"ssh://git@host/repo.git", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE_FALSE(url);
  CHECK(url.error().message.find("git") != std::string::npos);
  auto snap = load({"repo", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  CHECK(snap->tree->read("../secret").error().code == Errc::invalid);
  CHECK(snap->tree->read("/etc/passwd").error().code == Errc::invalid);
  CHECK(snap->tree->read("missing.csr").error().code == Errc::not_found);
}

TEST_CASE("source: safe relative paths") {
  CHECK(is_safe_relative_path("certgate.toml"));
  CHECK(is_safe_relative_path("csr/a.csr"));
  for (const char* bad : {"", "/abs", "../x", "a/../b", "a//b", "./a", "a/"}) {
    CAPTURE(bad);
    CHECK_FALSE(is_safe_relative_path(bad));
  }
}

TEST_CASE("source: a file a device names must be regular and at most 64 KiB") {
  testing::MemFilesystem fs;
  fs.put("repo/certgate.toml", "a");
  fs.put("repo/csr/big.csr", std::string(kMaxSourceFileSize + 1, 'A'));
  fs.put("repo/csr/max.csr", std::string(kMaxSourceFileSize, 'A'));
  auto snap = load({"repo", "main", "certgate.toml", "", false, "", ""}, fs);
  REQUIRE(snap);
  auto big = snap->tree->read("csr/big.csr");
  REQUIRE_FALSE(big);
  CHECK(big.error().code == Errc::invalid);
  CHECK(big.error().message == "csr/big.csr is larger than 64 KiB");
  CHECK(snap->tree->read("csr/max.csr")->size() == kMaxSourceFileSize);
  CHECK(snap->tree->read("csr").error().message == "csr is not a regular file");
}

TEST_CASE("source: a directory's desired-state file that is a symlink or a FIFO is refused") {
  sys::RealFilesystem fs;
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-unit.XXXXXX";
  const std::string dir = ::mkdtemp(tmpl.data());
  REQUIRE(fs.make_dirs(dir + "/link", 0755));
  REQUIRE(fs.make_dirs(dir + "/fifo", 0755));
  REQUIRE(::symlink("/etc/passwd", (dir + "/link/certgate.toml").c_str()) == 0);
  REQUIRE(::mkfifo((dir + "/fifo/certgate.toml").c_str(), 0644) == 0);
  auto link = load({dir + "/link", "main", "certgate.toml", "", false, "", ""}, fs);
  auto fifo = load({dir + "/fifo", "main", "certgate.toml", "", false, "", ""}, fs);
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  REQUIRE_FALSE(link);
  CHECK(link.error().message ==
        "read desired state in " + dir + "/link: certgate.toml is a symlink out of the source");
  REQUIRE_FALSE(fifo);
  CHECK(fifo.error().message ==
        "read desired state in " + dir + "/fifo: certgate.toml is not a regular file");
}

}  // namespace certgate::source
