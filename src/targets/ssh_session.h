// targets::SshSession: one verified SSH connection to a [[host]]: exec channels for `nginx -t` and
// reload, SFTP for files. libssh stays behind this header (STYLE.md section 1).
//
// The connection is made by connect_ssh(): the server's host key must be listed for the host in
// the known_hosts text (plain, hashed, [host]:port entries; pki/known_hosts); an unknown, changed
// or @revoked key is refused and never learned. The client authenticates with the key file
// given, or else with ssh-agent and then ~/.ssh/id_ed25519 (DESIGN.md section 2).
//
// SFTP (version 3, as OpenSSH serves it) cannot rename over an existing file, which an atomic
// replacement needs; commit() therefore renames what SFTP can and the rest with `mv -f` (rename(2))
// in one shell command on the host, which also flushes the disks. tests/support/fake_ssh.h is the
// fake.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "base/result.h"
#include "sys/command_runner.h"
#include "sys/filesystem.h"

namespace certgate::targets {

struct SshEndpoint {
  std::string address;  // name or IP address to connect to
  int port = 22;
  std::string user;  // empty: the local user's name
};

struct SshAccess {
  std::string private_key;       // --ssh-key; empty: ssh-agent, then ~/.ssh/id_ed25519
  std::string known_hosts;       // the text of the known_hosts file
  std::string known_hosts_path;  // for messages
  // Connecting, each blocking read or write, and keepalive probes give up after this long.
  std::chrono::seconds timeout{10};
};

// (from, to) pairs; no pair's source is another pair's destination.
using Renames = std::vector<std::pair<std::string, std::string>>;

class SshSession {
 public:
  virtual ~SshSession() = default;

  // Runs `command.shell` with /bin/sh -c on the host, within command.timeout (the remote
  // command is sent SIGKILL and the channel closed when it runs over).
  virtual Result<sys::CommandOutput> exec(const sys::Command& command) = 0;

  // The whole content of `path`; Errc::not_found when it does not exist.
  virtual Result<std::string> read(const std::string& path) = 0;
  // Creates or truncates `path` and writes `bytes` with `mode`. Not atomic: callers write to a
  // temporary name and commit() it into place.
  virtual Result<void> write(const std::string& path, const std::string& bytes,
                             std::uint32_t mode) = 0;
  virtual Result<std::vector<std::string>> list(const std::string& path) = 0;
  virtual Result<sys::FileInfo> stat(const std::string& path) = 0;
  // Removes a file or an empty directory; what does not exist is already removed.
  virtual Result<void> remove(const std::string& path) = 0;
  // Creates one directory (its parent exists); an existing one is kept.
  virtual Result<void> make_dir(const std::string& path, std::uint32_t mode) = 0;
  // Renames every pair, each atomically and replacing its destination, then, when `flush`,
  // makes everything written so far durable (syncfs of the directories touched).
  virtual Result<void> commit(const Renames& renames, bool flush,
                              const std::vector<std::string>& dirs) = 0;
};

// Connects to `endpoint`, checks its host key against `access.known_hosts` (as `known_as`, the
// name the known_hosts entries use: the address), authenticates and opens SFTP. Errc::refused
// for a host key that is not the known one (the message says which case), Errc::io for a
// network or authentication failure.
Result<std::unique_ptr<SshSession>> connect_ssh(const SshEndpoint& endpoint,
                                                const SshAccess& access);

// `text` quoted for a POSIX shell: 'it'\''s'.
std::string shell_quote(const std::string& text);

}  // namespace certgate::targets
