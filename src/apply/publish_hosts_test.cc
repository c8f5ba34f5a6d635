#include "apply/publish_hosts.h"

#include <doctest/doctest.h>

#include "support/git_playground.h"
#include "sys/real_filesystem.h"

namespace certgate::apply {
namespace {

using testing::GitPlayground;

constexpr const char* kSourceCommit = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

// Two pull hosts publishing to a bare repository with a real ed25519 key, counting signatures.
struct Fixture {
  source::GitLibrary library;
  GitPlayground p;
  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;
  int signed_commits = 0;
  PublishHostsRequest req;

  Fixture() {
    p.make_remote("edges.git");
    const std::string key = p.make_signing_key("publish", "publish@ca");
    CommitSigner sign = ssh_commit_signer(fs, runner, key, p.dir() + "/state/git/sign");
    req.sign = [this, sign](const std::string& buffer) {
      ++signed_commits;
      return sign(buffer);
    };
    req.publish.repo = "file://" + p.dir() + "/edges.git";
    req.publish.branch = "main";
    req.work_dir = p.dir() + "/state/git/publish.git";
    req.hosts = {host("edge-2", "crl 1"), host("edge-1", "crl 1")};
    set_source("git 1a2b3c4 (main)", kSourceCommit, "2026-11-23T10:00:00Z");
  }

  static PullHostFiles host(const std::string& name, const std::string& crl) {
    PullHostFiles h;
    h.host = name;
    h.files = {{"ca.pem", "CA\n"},
               {"crl.pem", crl + "\n"},
               {"http.conf", "# http " + name + "\n"},
               {"sites/admin.conf", "# admin\n"},
               {"sites/admin.proxy.conf", "# proxy\n"}};
    h.manifest.dir = "/etc/nginx/certgate";
    return h;
  }

  void set_source(const std::string& source, const std::string& commit, const std::string& at) {
    req.source = source;
    req.source_commit = commit;
    for (PullHostFiles& h : req.hosts) {
      h.manifest.source = source;
      h.manifest.commit = commit;
      h.manifest.generated_at = at;
    }
  }

  std::string show(const std::string& path) { return p.git("-C edges.git show main:" + path); }
};

}  // namespace

TEST_CASE("publish_hosts: one signed commit holds each pull host's files and manifest") {
  Fixture f;
  auto id = publish_hosts(f.req);
  REQUIRE_MESSAGE(id, id.error().message);
  CHECK(*id == f.p.git("-C edges.git rev-parse main"));
  CHECK(f.p.git("-C edges.git ls-tree -r --name-only main") ==
        "edge-1/.certgate-manifest.json\nedge-1/ca.pem\nedge-1/crl.pem\nedge-1/http.conf\n"
        "edge-1/sites/admin.conf\nedge-1/sites/admin.proxy.conf\n"
        "edge-2/.certgate-manifest.json\nedge-2/ca.pem\nedge-2/crl.pem\nedge-2/http.conf\n"
        "edge-2/sites/admin.conf\nedge-2/sites/admin.proxy.conf");
  CHECK(f.show("edge-2/http.conf") == "# http edge-2");
  CHECK(f.p.git("-C edges.git log -1 --format=%B main") ==
        std::string("certgate: publish git 1a2b3c4 (main)\n\nCertgate-Source-Commit: ") +
            kSourceCommit + "\n");
  CHECK(f.p.git("-C edges.git log -1 --format='%(trailers:key=Certgate-Source-Commit,"
                "valueonly)' main") == std::string(kSourceCommit) + "\n");
  CHECK(f.p.git_status("-C edges.git -c gpg.format=ssh -c gpg.ssh.allowedSignersFile=" + f.p.dir() +
                       "/publish.allowed_signers verify-commit main") == 0);
  auto m = observed::parse_manifest(f.show("edge-1/.certgate-manifest.json"), "manifest");
  REQUIRE_MESSAGE(m, m.error().message);
  CHECK(m->target == "edge-1");
  CHECK(m->dir == "/etc/nginx/certgate");
  CHECK(m->commit == kSourceCommit);
  CHECK(m->source == "git 1a2b3c4 (main)");
  CHECK(m->files.size() == 5);
  // The manifest's sha256 are those of the published bytes (sha256sum of `git show`).
  CHECK(m->files.at("crl.pem") ==
        f.p.git("-C edges.git show main:edge-1/crl.pem | sha256sum | cut -d' ' -f1"));
}

TEST_CASE("publish_hosts: a source that changes no file makes no commit, one host's change one") {
  Fixture f;
  auto first = publish_hosts(f.req);
  REQUIRE(first);
  const std::string manifest2 = f.show("edge-2/.certgate-manifest.json");
  // A comment-only source commit: new source, commit and time, the same bytes for every host.
  f.set_source("git 9f8e7d6 (main)", "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
               "2026-11-23T11:00:00Z");
  auto same = publish_hosts(f.req);
  REQUIRE(same);
  CHECK(*same == *first);
  CHECK(f.signed_commits == 1);
  // edge-1's CRL changes: one commit; edge-2 keeps its manifest byte for byte, edge-1's is new.
  f.req.hosts[1].files["crl.pem"] = "crl 2\n";
  auto second = publish_hosts(f.req);
  REQUIRE(second);
  CHECK(*second != *first);
  CHECK(f.signed_commits == 2);
  CHECK(f.p.git("-C edges.git rev-parse main^") == *first);
  CHECK(f.show("edge-2/.certgate-manifest.json") == manifest2);
  auto m1 = observed::parse_manifest(f.show("edge-1/.certgate-manifest.json"), "m");
  REQUIRE(m1);
  CHECK(m1->commit == "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432");
  CHECK(m1->generated_at == "2026-11-23T11:00:00Z");
  // Another dir with the same bytes is a change for the edge (it checks the dir).
  f.req.hosts[0].manifest.dir = "/etc/nginx/gate";
  auto moved = publish_hosts(f.req);
  REQUIRE(moved);
  CHECK(*moved != *second);
  CHECK(f.show("edge-2/.certgate-manifest.json").find("/etc/nginx/gate") != std::string::npos);
  // What each host got last: edge-1 the commit of its CRL, edge-2 the one of its dir.
  auto read = read_published(f.req.publish, f.req.work_dir, f.req.ssh);
  REQUIRE(read);
  CHECK(read->commit == *moved);
  CHECK(read->hosts.at("edge-1").commit == *second);
  CHECK(read->hosts.at("edge-2").commit == *moved);
}

TEST_CASE("publish_hosts: a host that leaves pull mode leaves the tree") {
  Fixture f;
  REQUIRE(publish_hosts(f.req));
  f.req.hosts.erase(f.req.hosts.begin());  // edge-2
  f.req.source_commit.clear();
  f.req.source = "file certgate.toml sha256 ab12";
  auto id = publish_hosts(f.req);
  REQUIRE(id);
  CHECK(f.p.git("-C edges.git ls-tree --name-only main") == "edge-1");
  CHECK(f.p.git("-C edges.git log -1 --format=%B main") ==
        "certgate: publish file certgate.toml sha256 ab12\n");
}

TEST_CASE("publish_hosts: pickup files, foreign names and bad hosts are refused, nothing pushed") {
  Fixture f;
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"pickup/links.conf",
       "edge-1/pickup/links.conf: refused, pickup files hold bundles and "
       "link tokens, secrets that never go into git; nothing was published"},
      {"pickup/alice/bundle.p12", "pickup files hold bundles"},
      {"key.pem", "edge-1/key.pem: refused, not a file certgate publishes"},
      {".certgate-manifest.json", "not a file certgate publishes"},
      {"sites/Admin.conf", "not a file certgate publishes"},
      {"sites/a/b.conf", "not a file certgate publishes"},
      {"sites/admin.txt", "not a file certgate publishes"},
      {"../edge-2/ca.pem", "not a file certgate publishes"}};
  for (const auto& [path, message] : bad) {
    CAPTURE(path);
    PublishHostsRequest req = f.req;
    req.hosts[1].files[path] = "secret";
    auto r = publish_hosts(req);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid);
    CHECK(r.error().message.find(message) != std::string::npos);
  }
  PublishHostsRequest twice = f.req;
  twice.hosts.push_back(Fixture::host("edge-1", "crl 1"));
  CHECK(publish_hosts(twice).error().message == "publish host \"edge-1\": listed twice");
  PublishHostsRequest named = f.req;
  named.hosts[0].host = "../up";
  CHECK(publish_hosts(named).error().code == Errc::invalid);
  CHECK(f.signed_commits == 0);
  CHECK(f.p.git("-C edges.git rev-list --count main") == "1");  // the seed commit alone
}

TEST_CASE("publish_hosts: read_published returns the tip and each host's files and manifest") {
  Fixture f;
  auto none = read_published(f.req.publish, f.req.work_dir, f.req.ssh);
  REQUIRE_MESSAGE(none, none.error().message);
  CHECK(none->commit == f.p.git("-C edges.git rev-parse main"));  // the seed commit
  CHECK(none->hosts.empty());
  CHECK(none->unexpected.empty());
  auto id = publish_hosts(f.req);
  REQUIRE(id);
  // Someone adds a README and a stray file by hand.
  f.p.git("clone -q edges.git other");
  REQUIRE(f.fs.write_atomic(f.p.dir() + "/other/README", "hi\n", 0644));
  REQUIRE(f.fs.write_atomic(f.p.dir() + "/other/edge-2/notes.txt", "hi\n", 0644));
  f.p.git("-C other add README edge-2/notes.txt");
  f.p.git("-C other commit -q -m notes");
  f.p.git("-C other push -q origin main");
  auto read = read_published(f.req.publish, f.req.work_dir, f.req.ssh);
  REQUIRE_MESSAGE(read, read.error().message);
  CHECK(read->commit == f.p.git("-C edges.git rev-parse main"));
  REQUIRE(read->hosts.size() == 2);
  const PublishedHost& e1 = read->hosts.at("edge-1");
  CHECK(e1.files == f.req.hosts[1].files);
  REQUIRE(e1.manifest);
  CHECK(e1.manifest->target == "edge-1");
  CHECK(e1.manifest->commit == kSourceCommit);
  CHECK(e1.manifest_problem.empty());
  CHECK(read->unexpected == std::vector<std::string>{"README", "edge-2/notes.txt"});
  // The next publish puts the tree back to the layout.
  f.req.hosts[0].files["crl.pem"] = "crl 2\n";
  REQUIRE(publish_hosts(f.req));
  auto after = read_published(f.req.publish, f.req.work_dir, f.req.ssh);
  REQUIRE(after);
  CHECK(after->unexpected.empty());
  CHECK(after->hosts.at("edge-2").files.at("crl.pem") == "crl 2\n");
}

TEST_CASE("publish_hosts: the commit message names the source and trails its commit") {
  CHECK(publish_message("git 1a2b3c4 (main)", "1a2b") ==
        "certgate: publish git 1a2b3c4 (main)\n\nCertgate-Source-Commit: 1a2b\n");
  CHECK(publish_message("directory /srv/cg", "") == "certgate: publish directory /srv/cg\n");
}

}  // namespace certgate::apply
