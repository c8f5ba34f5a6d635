#include <doctest/doctest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "sys/real_filesystem.h"

namespace certgate::sys {
namespace {

// A fresh directory under $TMPDIR holding `src/` (the root) and `outside`, removed at the end.
struct Sandbox {
  std::string path;
  RealFilesystem fs;
  Sandbox() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-unit.XXXXXX";
    path = ::mkdtemp(tmpl.data());
    REQUIRE(fs.make_dirs(path + "/src/csr", 0755));
    REQUIRE(fs.write_atomic(path + "/outside", "SECRET", 0600));
    REQUIRE(fs.write_atomic(path + "/src/csr/a.csr", "PEM", 0644));
  }
  ~Sandbox() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string root() const { return path + "/src"; }
  void link(const std::string& target, const std::string& name) {
    REQUIRE(::symlink(target.c_str(), (root() + "/" + name).c_str()) == 0);
  }
  // The error message of reading `relative`, or its bytes.
  std::string read(const std::string& relative, std::uint64_t max = 64 * 1024) {
    auto r = fs.read_inside(root(), relative, max);
    return r ? *r : "error: " + r.error().message;
  }
};

}  // namespace

TEST_CASE("read_inside: a regular file in the root is read") {
  Sandbox box;
  CHECK(box.read("csr/a.csr") == "PEM");
  auto missing = box.fs.read_inside(box.root(), "csr/none.csr", 100);
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(box.fs.read_inside(box.root(), "none/a.csr", 100).error().code == Errc::not_found);
  CHECK(box.fs.read_inside(box.root(), "csr/a.csr/x", 100).error().code == Errc::not_found);
}

TEST_CASE("read_inside: a FIFO is refused at once and not opened for a blocking read") {
  Sandbox box;
  REQUIRE(::mkfifo((box.root() + "/csr/fifo.csr").c_str(), 0644) == 0);
  CHECK(box.read("csr/fifo.csr") == "error: csr/fifo.csr is not a regular file");
  CHECK(box.read("csr") == "error: csr is not a regular file");
}

TEST_CASE("read_inside: symlinks are not followed and say whether they leave the root") {
  Sandbox box;
  box.link("/dev/zero", "csr/zero.csr");
  box.link("../../outside", "csr/out.csr");
  box.link("/etc", "etc");
  box.link("a.csr", "csr/in.csr");
  box.link("csr", "csr2");
  CHECK(box.read("csr/zero.csr") == "error: csr/zero.csr is a symlink out of the source");
  CHECK(box.read("csr/out.csr") == "error: csr/out.csr is a symlink out of the source");
  CHECK(box.read("etc/shadow") == "error: etc is a symlink out of the source");
  CHECK(box.read("csr/in.csr") ==
        "error: csr/in.csr is a symlink (certgate follows no link in the source)");
  CHECK(box.read("csr2/a.csr") ==
        "error: csr2 is a symlink (certgate follows no link in the source)");
  CHECK(box.fs.read_inside(box.root(), "csr/out.csr", 100).error().code == Errc::invalid);
}

TEST_CASE("read_inside: a file over the limit is refused without its content") {
  Sandbox box;
  REQUIRE(box.fs.write_atomic(box.root() + "/big.csr", std::string(64 * 1024 + 1, 'x'), 0644));
  REQUIRE(box.fs.write_atomic(box.root() + "/max.csr", std::string(64 * 1024, 'x'), 0644));
  CHECK(box.read("big.csr") == "error: big.csr is larger than 64 KiB");
  CHECK(box.read("max.csr").size() == 64 * 1024);
  CHECK(box.read("csr/a.csr", 2) == "error: csr/a.csr is larger than 2 bytes");
}

}  // namespace certgate::sys
