#include "pki/ssh_sign.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "pki/sshsig.h"
#include "sys/real_filesystem.h"

namespace certgate::pki {
namespace {

// A temp dir with a fresh ed25519 key made by the real ssh-keygen, its allowed_signers line, and
// a scratch dir for ssh_sign. Removed at the end.
class KeyDir {
 public:
  KeyDir() {
    const char* base = std::getenv("TMPDIR");
    std::string tmpl = std::string(base ? base : "/tmp") + "/certgate-sign.XXXXXX";
    dir_ = ::mkdtemp(tmpl.data());
    sh("ssh-keygen -q -t ed25519 -N '' -C publish@ca -f key");
    auto pub = fs.read(dir_ + "/key.pub");
    REQUIRE(pub);
    REQUIRE(fs.write_atomic(dir_ + "/allowed_signers", "publish@ca " + *pub, 0644));
  }
  ~KeyDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  KeyDir(const KeyDir&) = delete;
  KeyDir& operator=(const KeyDir&) = delete;

  std::string path(const std::string& name) const { return dir_ + "/" + name; }

  // Runs `shell` in the dir; returns its exit code.
  int sh(const std::string& shell) {
    auto out =
        runner.run({"cd " + dir_ + " && " + shell + " 2>/dev/null", std::chrono::seconds{30}});
    REQUIRE(out);
    return out->exit_code;
  }

  SshSignRequest request() const { return {path("key"), "git", path("state/git")}; }

  sys::RealFilesystem fs;
  sys::RealCommandRunner runner;

 private:
  std::string dir_;
};

}  // namespace

TEST_CASE("ssh_sign: a signature of ssh-keygen verifies with certgate and with ssh-keygen") {
  KeyDir k;
  const std::string data = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\ncertgate: publish\n";
  auto armored = ssh_sign(k.fs, k.runner, k.request(), data);
  REQUIRE_MESSAGE(armored, armored.error().message);
  CHECK(armored->starts_with("-----BEGIN SSH SIGNATURE-----\n"));
  CHECK(armored->ends_with("-----END SSH SIGNATURE-----\n"));
  auto sig = parse_ssh_signature(*armored);
  REQUIRE_MESSAGE(sig, sig.error().message);
  CHECK(sig->namespace_name == "git");
  CHECK(sig->key_type == "ssh-ed25519");
  auto ok = verify_ssh_signature(*sig, data, "git");
  CHECK_MESSAGE(ok, ok.error().message);
  CHECK_FALSE(verify_ssh_signature(*sig, data + "x", "git"));
  auto signers = parse_allowed_signers(*k.fs.read(k.path("allowed_signers")));
  REQUIRE(signers);
  auto signer = find_signer(*signers, *sig, "git");
  REQUIRE_MESSAGE(signer, signer.error().message);
  CHECK(*signer == "publish@ca");
  // OpenSSH agrees, and refuses other bytes.
  REQUIRE(k.fs.write_atomic(k.path("data"), data, 0600));
  REQUIRE(k.fs.write_atomic(k.path("data.sig"), *armored, 0600));
  REQUIRE(k.fs.write_atomic(k.path("other"), data + "x", 0600));
  const std::string verify =
      "ssh-keygen -Y verify -f allowed_signers -I publish@ca -n git -s data.sig < ";
  CHECK(k.sh(verify + "data") == 0);
  CHECK(k.sh(verify + "other") != 0);
  // The temporary directory and files are gone; the scratch dir stays, private.
  auto left = k.fs.list(k.path("state/git"));
  REQUIRE(left);
  CHECK(left->empty());
  CHECK(k.fs.stat(k.path("state/git"))->mode == 0700);
}

TEST_CASE("ssh_sign: a missing key, one others can read and one with a passphrase are refused") {
  KeyDir k;
  SshSignRequest req = k.request();
  req.key_path = k.path("nokey");
  auto missing = ssh_sign(k.fs, k.runner, req, "x");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::not_found);
  CHECK(missing.error().message == "sign with " + req.key_path + ": no such key file");

  REQUIRE(k.sh("chmod 644 key") == 0);
  auto open = ssh_sign(k.fs, k.runner, k.request(), "x");
  REQUIRE_FALSE(open);
  CHECK(open.error().code == Errc::refused);
  CHECK(open.error().message == "sign with " + k.path("key") +
                                    ": the private key has mode 0644, readable by others "
                                    "(chmod 600 it)");

  REQUIRE(k.sh("ssh-keygen -q -t ed25519 -N secret -f locked") == 0);
  req.key_path = k.path("locked");
  auto locked = ssh_sign(k.fs, k.runner, req, "x");
  REQUIRE_FALSE(locked);
  CHECK(locked.error().code == Errc::command_failed);
  CHECK(locked.error().message.starts_with("sign with " + req.key_path +
                                           ": ssh-keygen -Y sign exit 255"));
  CHECK(locked.error().message.find("passphrase") != std::string::npos);
  auto left = k.fs.list(k.path("state/git"));
  REQUIRE(left);
  CHECK(left->empty());
}

}  // namespace certgate::pki
