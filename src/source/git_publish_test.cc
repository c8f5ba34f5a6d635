#include "source/git_publish.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>

namespace certgate::source {
namespace {

// A temp dir holding the remote repositories, the publisher's work_dir and other clones, checked
// with the git CLI (never with libgit2, which is what is under test). Removed at the end.
class GitPlayground {
 public:
  GitPlayground() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-publish.XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
  }
  ~GitPlayground() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  GitPlayground(const GitPlayground&) = delete;
  GitPlayground& operator=(const GitPlayground&) = delete;

  const std::string& dir() const { return dir_; }

  // Runs `git ARGS` in dir() with no user or system configuration; returns its stdout without
  // the last newline. The test fails unless it exits 0.
  std::string git(const std::string& args) const {
    const std::string cmd = "cd " + dir_ + " && env HOME=" + dir_ +
                            " GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=other "
                            "GIT_AUTHOR_EMAIL=other@example.org GIT_COMMITTER_NAME=other "
                            "GIT_COMMITTER_EMAIL=other@example.org git " +
                            args + " 2>/dev/null";
    std::string out;
    FILE* pipe = ::popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    const int status = ::pclose(pipe);
    INFO("git " << args);
    REQUIRE(status == 0);
    if (out.ends_with('\n')) out.pop_back();
    return out;
  }

  // A bare repository `name` whose main branch has one commit (README).
  void make_remote(const std::string& name) const {
    git("init -q --bare -b main " + name);
    git("init -q -b main seed-" + name);
    git("-C seed-" + name + " commit -q --allow-empty -m seed");
    git("-C seed-" + name + " push -q ../" + name + " main");
  }

  PublishRequest request(const std::string& url) const {
    PublishRequest req;
    req.url = url;
    req.branch = "certgate/snapshot";
    req.files = {{"snapshot.json", "{\"crl\":1}\n"}, {"meta/about.txt", "certgate\n"}};
    req.message = "certgate snapshot";
    req.work_dir = dir_ + "/state/snapshot-mirror";
    return req;
  }

 private:
  std::string dir_;
};

}  // namespace

TEST_CASE("publish: the first publish makes the branch with one commit, the same files none") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  const std::string main_before = p.git("-C remote.git rev-parse main");
  auto req = p.request(p.dir() + "/remote.git");
  auto first = publish_files(req);
  REQUIRE(first);
  CHECK(*first == p.git("-C remote.git rev-parse certgate/snapshot"));
  CHECK(p.git("-C remote.git rev-list --count certgate/snapshot") == "1");
  CHECK(p.git("-C remote.git show certgate/snapshot:snapshot.json") == "{\"crl\":1}");
  CHECK(p.git("-C remote.git show certgate/snapshot:meta/about.txt") == "certgate");
  CHECK(p.git("-C remote.git ls-tree -r --name-only certgate/snapshot") ==
        "meta/about.txt\nsnapshot.json");
  CHECK(p.git("-C remote.git log -1 --format=%an/%ae/%cn/%s certgate/snapshot") ==
        "certgate/certgate@localhost/certgate/certgate snapshot");
  auto again = publish_files(req);
  REQUIRE(again);
  CHECK(*again == *first);
  CHECK(p.git("-C remote.git rev-list --count certgate/snapshot") == "1");
  CHECK(p.git("-C remote.git rev-parse main") == main_before);
  CHECK(p.git("-C remote.git for-each-ref --format='%(refname)'") ==
        "refs/heads/certgate/snapshot\nrefs/heads/main");
}

TEST_CASE("publish: a changed file over file:// is a second commit whose parent is the first") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  auto req = p.request("file://" + p.dir() + "/remote.git");
  auto first = publish_files(req);
  REQUIRE(first);
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  req.files.erase("meta/about.txt");
  auto second = publish_files(req);
  REQUIRE(second);
  CHECK(*second != *first);
  CHECK(*second == p.git("-C remote.git rev-parse certgate/snapshot"));
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot^") == *first);
  CHECK(p.git("-C remote.git rev-list --count certgate/snapshot") == "2");
  CHECK(p.git("-C remote.git show certgate/snapshot:snapshot.json") == "{\"crl\":2}");
  CHECK(p.git("-C remote.git ls-tree -r --name-only certgate/snapshot") == "snapshot.json");
}

// The `unchanged` predicate runs after the fetch and before the push, so the test moves the
// branch from another clone there, as a second publisher would.
TEST_CASE("publish: a branch someone else moved meanwhile is fetched again and extended") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  const std::string main_before = p.git("-C remote.git rev-parse main");
  auto req = p.request(p.dir() + "/remote.git");
  auto first = publish_files(req);
  REQUIRE(first);
  p.git("clone -q remote.git other");
  int calls = 0;
  req.unchanged = [&](const std::string&, const std::string&, const std::string&) {
    if (++calls == 1) {
      p.git("-C other checkout -q certgate/snapshot");
      p.git("-C other commit -q --allow-empty -m 'someone else'");
      p.git("-C other push -q origin certgate/snapshot");
    }
    return false;
  };
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  auto second = publish_files(req);
  REQUIRE(second);
  CHECK(calls == 2);  // once per attempt, for snapshot.json (meta/about.txt has the same bytes)
  const std::string theirs = p.git("-C other rev-parse HEAD");
  CHECK(*second == p.git("-C remote.git rev-parse certgate/snapshot"));
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot^") == theirs);
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot^^") == *first);
  CHECK(p.git("-C remote.git log --format=%s certgate/snapshot") ==
        "certgate snapshot\nsomeone else\ncertgate snapshot");
  CHECK(p.git("-C remote.git rev-parse main") == main_before);
}

TEST_CASE("publish: a branch that moves again during the retry is left as the others made it") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  auto req = p.request(p.dir() + "/remote.git");
  REQUIRE(publish_files(req));
  p.git("clone -q remote.git other");
  p.git("-C other checkout -q certgate/snapshot");
  req.unchanged = [&](const std::string&, const std::string&, const std::string&) {
    p.git("-C other commit -q --allow-empty -m 'someone else'");
    p.git("-C other push -q origin certgate/snapshot");
    return false;
  };
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  auto twice = publish_files(req);
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code == Errc::stale);
  CHECK(twice.error().message == "publish certgate/snapshot to " + req.url +
                                     ": rejected again after fetching it once more (the branch "
                                     "moved)");
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot") == p.git("-C other rev-parse HEAD"));
}

TEST_CASE("publish: the unchanged predicate keeps the published bytes and skips the commit") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  auto req = p.request(p.dir() + "/remote.git");
  req.files = {{"snapshot.json", "generated 1\ncrl 1\n"}};
  auto first = publish_files(req);
  REQUIRE(first);
  // Same but for the first line (the timestamp).
  req.unchanged = [](const std::string& path, const std::string& published,
                     const std::string& next) {
    CHECK(path == "snapshot.json");
    return published.substr(published.find('\n')) == next.substr(next.find('\n'));
  };
  req.files["snapshot.json"] = "generated 2\ncrl 1\n";
  auto same = publish_files(req);
  REQUIRE(same);
  CHECK(*same == *first);
  CHECK(p.git("-C remote.git show certgate/snapshot:snapshot.json") == "generated 1\ncrl 1");
  req.files["snapshot.json"] = "generated 3\ncrl 2\n";
  auto changed = publish_files(req);
  REQUIRE(changed);
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot^") == *first);
  CHECK(p.git("-C remote.git show certgate/snapshot:snapshot.json") == "generated 3\ncrl 2");
}

TEST_CASE("publish: a non-bare repository's branch is moved in place, never its checked-out one") {
  GitLibrary library;
  GitPlayground p;
  p.git("init -q -b main work");
  p.git("-C work commit -q --allow-empty -m seed");
  auto req = p.request(p.dir() + "/work");
  auto first = publish_files(req);
  REQUIRE(first);
  CHECK(*first == p.git("-C work rev-parse certgate/snapshot"));
  CHECK(p.git("-C work status --porcelain") == "");
  CHECK(p.git("-C work symbolic-ref HEAD") == "refs/heads/main");
  // Moved by someone else between the read and the update: the compare-and-swap notices.
  p.git("clone -q work other");
  int calls = 0;
  req.unchanged = [&](const std::string&, const std::string&, const std::string&) {
    if (++calls == 1) {
      p.git("-C other checkout -q certgate/snapshot");
      p.git("-C other commit -q --allow-empty -m 'someone else'");
      p.git("-C other push -q origin certgate/snapshot");
    }
    return false;
  };
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  auto second = publish_files(req);
  REQUIRE(second);
  CHECK(calls == 2);
  CHECK(p.git("-C work log --format=%s certgate/snapshot") ==
        "certgate snapshot\nsomeone else\ncertgate snapshot");
  req.branch = "main";
  auto checked_out = publish_files(req);
  REQUIRE_FALSE(checked_out);
  CHECK(checked_out.error().code == Errc::refused);
  CHECK(checked_out.error().message == "publish to " + req.url + ": main is checked out there");
}

TEST_CASE("publish: a missing repository, a bad branch name and a bad path are clear errors") {
  GitLibrary library;
  GitPlayground p;
  for (const std::string& url : {p.dir() + "/nowhere.git", "file://" + p.dir() + "/nowhere.git"}) {
    CAPTURE(url);
    auto none = publish_files(p.request(url));
    REQUIRE_FALSE(none);
    CHECK(none.error().code == Errc::not_found);
    CHECK(none.error().message.starts_with("publish to " + url + ": no git repository: "));
  }
  CHECK_FALSE(std::filesystem::exists(p.dir() + "/state"));
  p.make_remote("remote.git");
  auto req = p.request(p.dir() + "/remote.git");
  req.branch = "bad..name";
  auto branch = publish_files(req);
  REQUIRE_FALSE(branch);
  CHECK(branch.error().code == Errc::invalid);
  CHECK(branch.error().message ==
        "publish to " + req.url + ": \"bad..name\" is not a valid branch name");
  for (const char* path : {"../x", "/abs", "a//b", ""}) {
    auto bad = p.request(p.dir() + "/remote.git");
    bad.files[path] = "x";
    CAPTURE(path);
    CHECK(publish_files(bad).error().code == Errc::invalid);
  }
  auto clash = p.request(p.dir() + "/remote.git");
  clash.files["meta"] = "x";
  CHECK(publish_files(clash).error().message ==
        "publish \"meta\": also the folder of \"meta/about.txt\"");
  CHECK(p.git("-C remote.git for-each-ref --format='%(refname)'") == "refs/heads/main");
}

}  // namespace certgate::source
