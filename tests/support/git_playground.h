// GitPlayground: real git repositories in a temp dir for the tests of publishing (source/ and
// apply/), checked with the git CLI, never with libgit2, which is what is under test.
#pragma once

#include <doctest/doctest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "source/git_publish.h"

namespace certgate::testing {

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
    INFO("git " << args);
    std::string out;
    REQUIRE(run("git " + args, out) == 0);
    if (out.ends_with('\n')) out.pop_back();
    return out;
  }

  // The exit code of `git ARGS`, run as git() runs it, for commands that may fail.
  int git_status(const std::string& args) const {
    std::string out;
    return run("git " + args, out);
  }

  // An ed25519 key pair made by ssh-keygen as dir()/NAME and NAME.pub (no passphrase, 0600), and
  // dir()/NAME.allowed_signers naming `principal` for it. Returns the private key's path.
  std::string make_signing_key(const std::string& name, const std::string& principal) const {
    std::string out;
    REQUIRE(run("ssh-keygen -q -t ed25519 -N '' -C " + principal + " -f " + name, out) == 0);
    REQUIRE(run("printf '%s ' " + principal + " >" + name + ".allowed_signers && cat " + name +
                    ".pub >>" + name + ".allowed_signers",
                out) == 0);
    return dir_ + "/" + name;
  }

  // A bare repository `name` whose main branch has one commit (README).
  void make_remote(const std::string& name) const {
    git("init -q --bare -b main " + name);
    git("init -q -b main seed-" + name);
    git("-C seed-" + name + " commit -q --allow-empty -m seed");
    git("-C seed-" + name + " push -q ../" + name + " main");
  }

  source::PublishRequest request(const std::string& url) const {
    source::PublishRequest req;
    req.url = url;
    req.branch = "certgate/snapshot";
    req.files = {{"snapshot.json", "{\"crl\":1}\n"}, {"meta/about.txt", "certgate\n"}};
    req.message = "certgate snapshot";
    req.work_dir = dir_ + "/state/snapshot-mirror";
    return req;
  }

 private:
  // Runs `shell` in dir() without user or system git configuration; its stdout goes to `out`.
  int run(const std::string& shell, std::string& out) const {
    const std::string cmd = "cd " + dir_ + " && env HOME=" + dir_ +
                            " GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=other "
                            "GIT_AUTHOR_EMAIL=other@example.org GIT_COMMITTER_NAME=other "
                            "GIT_COMMITTER_EMAIL=other@example.org " +
                            shell + " 2>/dev/null";
    FILE* pipe = ::popen(cmd.c_str(), "r");
    REQUIRE(pipe != nullptr);
    char buf[4096];
    for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
    const int status = ::pclose(pipe);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
  }

  std::string dir_;
};

}  // namespace certgate::testing
