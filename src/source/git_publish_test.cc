#include "source/git_publish.h"

#include <doctest/doctest.h>

#include <filesystem>

#include "pki/ssh_sign.h"
#include "pki/sshsig.h"
#include "support/git_playground.h"
#include "sys/real_filesystem.h"

namespace certgate::source {

using testing::GitPlayground;

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

namespace {

// A signer as the CA host uses it: ssh-keygen -Y sign with `key`, counting its calls.
struct CountingSigner {
  CountingSigner(std::string k, std::string s) : key(std::move(k)), scratch(std::move(s)) {}

  std::string key, scratch;
  int calls = 0;
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;

  std::function<Result<std::string>(const std::string&)> sign() {
    return [this](const std::string& buffer) {
      ++calls;
      return pki::ssh_sign(fs, runner, {key, "git", scratch}, buffer);
    };
  }
};

}  // namespace

TEST_CASE("publish: a signed commit verifies with git verify-commit and with certgate's check") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  CountingSigner signer{p.make_signing_key("publish", "publish@ca"), p.dir() + "/state/sign"};
  p.make_signing_key("stranger", "stranger@elsewhere");
  auto req = p.request("file://" + p.dir() + "/remote.git");
  req.sign = signer.sign();
  auto first = publish_files(req);
  REQUIRE_MESSAGE(first, first.error().message);
  CHECK(signer.calls == 1);
  const std::string ssh =
      "-C remote.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=" + p.dir() + "/";
  CHECK(p.git_status(ssh + "publish.allowed_signers verify-commit " + *first) == 0);
  CHECK(p.git(ssh + "publish.allowed_signers log -1 --format=%G?/%GS certgate/snapshot") ==
        "G/publish@ca");
  CHECK(p.git_status(ssh + "stranger.allowed_signers verify-commit " + *first) != 0);
  // certgate reads the same commit as a source and checks it as `sync --require-signed` does.
  auto snap = load_local_ref(p.dir() + "/remote.git", "certgate/snapshot", "snapshot.json");
  REQUIRE_MESSAGE(snap, snap.error().message);
  CHECK(snap->commit == *first);
  REQUIRE(snap->signature.has_value());
  auto sig = pki::parse_ssh_signature(*snap->signature);
  REQUIRE_MESSAGE(sig, sig.error().message);
  auto ok = pki::verify_ssh_signature(*sig, snap->signed_data, "git");
  CHECK_MESSAGE(ok, ok.error().message);
  auto allowed = pki::parse_allowed_signers(*signer.fs.read(p.dir() + "/publish.allowed_signers"));
  REQUIRE(allowed);
  CHECK(pki::find_signer(*allowed, *sig, "git").value() == "publish@ca");
  // Nothing to publish: no commit, nothing signed.
  auto again = publish_files(req);
  REQUIRE(again);
  CHECK(*again == *first);
  CHECK(signer.calls == 1);
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  auto second = publish_files(req);
  REQUIRE(second);
  CHECK(signer.calls == 2);
  CHECK(p.git_status(ssh + "publish.allowed_signers verify-commit " + *second) == 0);
  CHECK(p.git("-C remote.git rev-parse certgate/snapshot^") == *first);
}

TEST_CASE("publish: a signer that fails publishes nothing and says why") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  CountingSigner signer{p.dir() + "/no-such-key", p.dir() + "/state/sign"};
  auto req = p.request(p.dir() + "/remote.git");
  req.sign = signer.sign();
  auto r = publish_files(req);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::not_found);
  CHECK(r.error().message == "sign with " + p.dir() + "/no-such-key: no such key file");
  CHECK(p.git("-C remote.git for-each-ref --format='%(refname)'") == "refs/heads/main");
}

TEST_CASE("publish: read_published_files returns the tip and every file of its tree") {
  GitLibrary library;
  GitPlayground p;
  p.make_remote("remote.git");
  for (const std::string& url : {p.dir() + "/remote.git", "file://" + p.dir() + "/remote.git"}) {
    CAPTURE(url);
    auto req = p.request(url);
    auto none = read_published_files(req);
    REQUIRE_MESSAGE(none, none.error().message);
    CHECK(none->commit.empty());
    CHECK(none->files.empty());
  }
  auto req = p.request(p.dir() + "/remote.git");
  auto id = publish_files(req);
  REQUIRE(id);
  // Someone adds a symlink by hand: listed apart, never read as a file.
  p.git("clone -q -b certgate/snapshot remote.git other");
  std::filesystem::create_symlink("/etc/passwd", p.dir() + "/other/meta/link");
  p.git("-C other add meta/link");
  p.git("-C other commit -q -m link");
  p.git("-C other push -q origin certgate/snapshot");
  auto read = read_published_files(p.request("file://" + p.dir() + "/remote.git"));
  REQUIRE_MESSAGE(read, read.error().message);
  CHECK(read->commit == p.git("-C remote.git rev-parse certgate/snapshot"));
  CHECK(read->commit != *id);
  CHECK(read->files == req.files);
  CHECK(read->others == std::vector<std::string>{"meta/link"});
  CHECK(read->folder_commits == std::map<std::string, std::string>{{"meta", read->commit}});
  // meta/ changes, then a new folder appears: meta/ dates from its own change.
  req.files["snapshot.json"] = "{\"crl\":2}\n";
  req.files["meta/link"] = "now a file\n";
  auto next = publish_files(req);
  REQUIRE(next);
  req.files["extra/x"] = "x\n";
  auto last = publish_files(req);
  REQUIRE(last);
  auto later = read_published_files(req);
  REQUIRE(later);
  CHECK(later->folder_commits ==
        std::map<std::string, std::string>{{"extra", *last}, {"meta", *next}});
}

}  // namespace certgate::source
