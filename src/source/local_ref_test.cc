// load_local_ref against real repositories made with the git CLI in a temporary folder.
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

#include "source/git_source.h"

namespace certgate::source {
namespace {

namespace fs = std::filesystem;

void sh(const std::string& command) { REQUIRE(std::system(command.c_str()) == 0); }

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

std::string git(const std::string& dir) {
  return "git -C '" + dir +
         "' -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false ";
}

std::string rev_parse(const std::string& dir, const std::string& ref) {
  const std::string out = dir + "/.rev";
  sh("git -C '" + dir + "' rev-parse " + ref + " >'" + out + "'");
  std::string id;
  std::ifstream(out) >> id;
  fs::remove(out);
  return id;
}

// Every path under `dir` with its size and mtime: what "nothing was written" compares.
std::map<std::string, std::string> listing(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const auto t = fs::last_write_time(e.path()).time_since_epoch().count();
    out[e.path().string()] =
        std::to_string(t) + "/" + (e.is_regular_file() ? std::to_string(e.file_size()) : "d");
  }
  return out;
}

// A work tree whose desired state sits in infra/: v1 on main, v2 on feature (checked out), and
// an uncommitted v3 in the work tree that no ref holds.
struct Repos {
  std::string tmp;
  std::string repo;

  Repos() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-unit.XXXXXX";
    tmp = ::mkdtemp(tmpl.data());
    repo = tmp + "/repo";
    sh("git init -q -b main '" + repo + "'");
    write(repo + "/infra/certgate.toml", "v1\n");
    write(repo + "/infra/csr/alice.csr", "CSR1\n");
    sh(git(repo) + "add -A && " + git(repo) + "commit -q -m one");
    sh(git(repo) + "checkout -q -b feature");
    write(repo + "/infra/certgate.toml", "v2\n");
    sh(git(repo) + "commit -q -am two");
    write(repo + "/infra/certgate.toml", "v3\n");
  }
  ~Repos() {
    std::error_code ec;
    fs::remove_all(tmp, ec);
  }
};

TEST_CASE("source: --base reads a branch, a commit or HEAD~1 of the local repository") {
  GitLibrary library;
  Repos r;
  const auto before = listing(r.repo);
  auto main = load_local_ref(r.repo + "/infra", "main", "certgate.toml");
  REQUIRE(main);
  const std::string id = rev_parse(r.repo, "main");
  CHECK(main->text == "v1\n");
  CHECK(main->kind == "git");
  CHECK(main->commit == id);
  CHECK(main->description == "git " + id.substr(0, 7) + " (main)");
  CHECK(main->file_path == id.substr(0, 7) + ":infra/certgate.toml");
  auto csr = main->tree->read("csr/alice.csr");
  REQUIRE(csr);
  CHECK(*csr == "CSR1\n");
  auto feature = load_local_ref(r.repo + "/infra", "feature", "certgate.toml");
  REQUIRE(feature);
  CHECK(feature->text == "v2\n");  // the commit, not the work tree's v3
  auto by_id = load_local_ref(r.repo, id, "infra/certgate.toml");
  REQUIRE(by_id);
  CHECK(by_id->text == "v1\n");
  auto parent = load_local_ref(r.repo, "HEAD~1", "infra/certgate.toml");
  REQUIRE(parent);
  CHECK(parent->commit == id);
  // --source FILE: that file's path in the repository, whatever `file` says.
  auto file = load_local_ref(r.repo + "/infra/certgate.toml", "main", "other.toml");
  REQUIRE(file);
  CHECK(file->text == "v1\n");
  CHECK(listing(r.repo) == before);
}

TEST_CASE("source: --base reads remote branches of a clone and commits of a bare repository") {
  GitLibrary library;
  Repos r;
  sh("git clone -q '" + r.repo + "' '" + r.tmp + "/clone'");
  sh("git clone -q --bare '" + r.repo + "' '" + r.tmp + "/bare.git'");
  auto remote = load_local_ref(r.tmp + "/clone", "origin/main", "infra/certgate.toml");
  REQUIRE(remote);
  CHECK(remote->text == "v1\n");
  auto bare = load_local_ref(r.tmp + "/bare.git", "feature", "infra/certgate.toml");
  REQUIRE(bare);
  CHECK(bare->text == "v2\n");
  CHECK(bare->tree->read("csr/alice.csr").has_value());
}

TEST_CASE("source: --base names the ref when it, the repository or the file is missing") {
  GitLibrary library;
  Repos r;
  const auto before = listing(r.repo);
  auto unknown = load_local_ref(r.repo + "/infra", "nope", "certgate.toml");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code == Errc::not_found);
  CHECK(unknown.error().message == "--base nope: no such branch, tag or commit in " + r.repo +
                                       " (a shallow CI checkout needs `git fetch origin nope`)");
  auto remote = load_local_ref(r.repo, "origin/main", "certgate.toml");
  REQUIRE_FALSE(remote);
  CHECK(remote.error().message.ends_with("needs `git fetch origin main`)"));
  auto missing = load_local_ref(r.repo + "/infra", "main", "missing.toml");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().message == "commit " + rev_parse(r.repo, "main").substr(0, 7) + " of " +
                                       r.repo +
                                       " (--base main): infra/missing.toml: not in the "
                                       "commit");
  fs::create_directories(r.tmp + "/plain");
  auto none = load_local_ref(r.tmp + "/plain", "main", "certgate.toml");
  REQUIRE_FALSE(none);
  CHECK(none.error().message.starts_with("--base main: no git repository at " + r.tmp + "/plain"));
  CHECK(listing(r.repo) == before);
}

}  // namespace
}  // namespace certgate::source
