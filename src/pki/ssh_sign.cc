#include "pki/ssh_sign.h"

#include <cstdio>

#include "pki/random.h"

namespace certgate::pki {
namespace {

constexpr const char* kArmorBegin = "-----BEGIN SSH SIGNATURE-----";

// `text` quoted for /bin/sh: 'it'\''s'.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Result<void> check_key(sys::Filesystem& fs, const std::string& key_path) {
  auto info = fs.stat(key_path);
  if (!info) {
    if (info.error().code == Errc::not_found)
      return make_error(Errc::not_found, "sign with " + key_path + ": no such key file");
    return make_error(info.error().code, "sign with " + key_path + ": " + info.error().message);
  }
  if (info->kind != sys::FileKind::file)
    return make_error(Errc::refused, "sign with " + key_path + ": not a regular file");
  if ((info->mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", info->mode & 07777);
    return make_error(Errc::refused, "sign with " + key_path + ": the private key has mode " +
                                         mode + ", readable by others (chmod 600 it)");
  }
  return {};
}

// Signs the file `buffer` (which must not have a .sig beside it: ssh-keygen would ask whether
// to overwrite it) and returns the armor it wrote to `buffer`.sig.
Result<std::string> run_ssh_keygen(sys::Filesystem& fs, sys::CommandRunner& runner,
                                   const SshSignRequest& req, const std::string& buffer) {
  // stdin is /dev/null: ssh-keygen reads an empty passphrase from it and fails at once on an
  // encrypted key instead of waiting at a prompt.
  sys::Command cmd;
  cmd.shell = "ssh-keygen -q -Y sign -n " + quoted(req.ns) + " -f " + quoted(req.key_path) + " " +
              quoted(buffer);
  cmd.timeout = std::chrono::seconds{30};
  auto out = runner.run(cmd);
  if (!out) return out.error();
  const std::string what = "sign with " + req.key_path + ": ssh-keygen -Y sign ";
  if (!out->succeeded()) {
    std::string err = out->err;
    while (!err.empty() && (err.back() == '\n' || err.back() == '\r')) err.pop_back();
    // Not sys::describe_end: ssh-keygen's own exit code 255 would read as a signal there.
    const std::string end =
        out->timed_out ? "timed out after 30s" : "exit " + std::to_string(out->exit_code);
    return make_error(Errc::command_failed, what + end + (err.empty() ? "" : ": " + err));
  }
  auto sig = fs.read(buffer + ".sig");
  if (!sig || !sig->starts_with(kArmorBegin))
    return make_error(Errc::command_failed, what + "wrote no SSH signature");
  return sig;
}

}  // namespace

Result<std::string> ssh_sign(sys::Filesystem& fs, sys::CommandRunner& runner,
                             const SshSignRequest& req, std::string_view data) {
  if (auto r = check_key(fs, req.key_path); !r) return r.error();
  auto token = random_token();
  if (!token) return token.error();
  const std::string dir = req.scratch_dir + "/sign-" + token->reveal().substr(0, 16);
  const std::string buffer = dir + "/buffer";
  if (auto r = fs.make_dirs(req.scratch_dir, 0700); !r) return r.error();
  if (auto r = fs.make_dirs(dir, 0700); !r) return r.error();
  auto written = fs.write_deferred(buffer, std::string(data), 0600);
  Result<std::string> sig =
      written ? run_ssh_keygen(fs, runner, req, buffer) : Result<std::string>(written.error());
  // Nothing of it is kept, whatever happened (the signature is public, the buffer too, but a
  // scratch directory that grows by a file per commit is not).
  (void)fs.remove(buffer + ".sig");
  (void)fs.remove(buffer);
  (void)fs.remove(dir);
  return sig;
}

}  // namespace certgate::pki
