#include "targets/ssh_session.h"

#include <fcntl.h>
#include <libssh/libssh.h>
#include <libssh/sftp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include "base/free_with.h"
#include "pki/known_hosts.h"
#include "targets/watchdog.h"

namespace certgate::targets {
namespace {

using base::FreeWith;
using SessionPtr = std::unique_ptr<ssh_session_struct, FreeWith<ssh_free>>;
using SftpPtr = std::unique_ptr<sftp_session_struct, FreeWith<sftp_free>>;
using KeyPtr = std::unique_ptr<ssh_key_struct, FreeWith<ssh_key_free>>;
using ChannelPtr = std::unique_ptr<ssh_channel_struct, FreeWith<ssh_channel_free>>;
using AttrPtr = std::unique_ptr<sftp_attributes_struct, FreeWith<sftp_attributes_free>>;
using FilePtr = std::unique_ptr<sftp_file_struct, FreeWith<sftp_close>>;
using DirPtr = std::unique_ptr<sftp_dir_struct, FreeWith<sftp_closedir>>;

constexpr size_t kChunk = 32 * 1024;
// A whole file's transfer may take this many times the per-request timeout.
constexpr int kWholeFile = 30;

void init_library_once() {
  static std::once_flag once;
  std::call_once(once, [] { ssh_init(); });
}

std::string where(const SshEndpoint& e) { return e.address + ":" + std::to_string(e.port); }

// "SHA256:...", as `ssh-keygen -lf` prints a key's fingerprint.
std::string fingerprint(ssh_key key) {
  unsigned char* hash = nullptr;
  size_t len = 0;
  if (ssh_get_publickey_hash(key, SSH_PUBLICKEY_HASH_SHA256, &hash, &len) != 0) return "?";
  char* text = ssh_get_fingerprint_hash(SSH_PUBLICKEY_HASH_SHA256, hash, len);
  std::string out = text ? text : "?";
  ssh_string_free_char(text);
  ssh_clean_pubkey_hash(&hash);
  return out;
}

Result<void> check_host_key(ssh_session s, const SshEndpoint& e, const SshAccess& access) {
  ssh_key raw = nullptr;
  if (ssh_get_server_publickey(s, &raw) != SSH_OK)
    return make_error(Errc::io, "no host key from " + where(e) + ": " + ssh_get_error(s));
  KeyPtr key(raw);
  char* b64 = nullptr;
  if (ssh_pki_export_pubkey_base64(key.get(), &b64) != SSH_OK)
    return make_error(Errc::io, "cannot read the host key of " + where(e));
  const std::string text = b64;
  ssh_string_free_char(b64);
  const std::string id =
      std::string(ssh_key_type_to_char(ssh_key_type(key.get()))) + " key " + fingerprint(key.get());
  const std::string file =
      access.known_hosts_path.empty() ? "known_hosts" : access.known_hosts_path;
  switch (pki::check_known_host_base64(access.known_hosts, e.address, e.port, text)) {
    case pki::HostKeyMatch::known:
      return {};
    case pki::HostKeyMatch::unknown:
      return make_error(Errc::refused, "the host key of " + where(e) + " (" + id + ") is not in " +
                                           file +
                                           " (host keys are never learned; add it there after "
                                           "checking it)");
    case pki::HostKeyMatch::changed:
      return make_error(Errc::refused, "the host key of " + where(e) + " (" + id +
                                           ") differs from the one in " + file +
                                           " (refused: it may be an impostor)");
    case pki::HostKeyMatch::revoked:
      return make_error(Errc::refused, "the host key of " + where(e) + " (" + id +
                                           ") is marked @revoked in " + file);
  }
  return make_error(Errc::refused, "the host key of " + where(e) + " is not accepted");
}

Result<void> authenticate(ssh_session s, const SshEndpoint& e, const SshAccess& access) {
  const std::string who = (e.user.empty() ? "" : e.user + "@") + where(e);
  auto with_key_file = [&](const std::string& path) -> Result<void> {
    ssh_key raw = nullptr;
    if (ssh_pki_import_privkey_file(path.c_str(), nullptr, nullptr, nullptr, &raw) != SSH_OK)
      return make_error(Errc::io, "cannot read SSH key " + path +
                                      " (a passphrase-protected key needs ssh-agent)");
    KeyPtr key(raw);
    if (ssh_userauth_publickey(s, nullptr, key.get()) == SSH_AUTH_SUCCESS) return {};
    return make_error(Errc::io, "SSH authentication to " + who + " failed with " + path);
  };
  if (!access.private_key.empty()) return with_key_file(access.private_key);
  if (std::getenv("SSH_AUTH_SOCK") && ssh_userauth_agent(s, nullptr) == SSH_AUTH_SUCCESS) return {};
  const char* home = std::getenv("HOME");
  const std::string fallback = std::string(home ? home : "") + "/.ssh/id_ed25519";
  auto r = with_key_file(fallback);
  if (r) return r;
  return make_error(Errc::io, "SSH authentication to " + who +
                                  " failed: no --ssh-key, ssh-agent had no accepted key, and " +
                                  r.error().message);
}

// TCP keepalives, so that a host that vanishes without a FIN is noticed within about `timeout`
// even while nothing is being sent (libssh has no SSH-level keepalive of its own).
void keep_alive(ssh_session s, std::chrono::seconds timeout) {
  const int fd = ssh_get_fd(s);
  if (fd < 0) return;
  const int on = 1;
  const int idle = static_cast<int>(std::max<long>(1, timeout.count()));
  const int interval = std::max(1, idle / 3);
  const int count = 3;
  setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof idle);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof interval);
  setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof count);
  // Data left unacknowledged this long fails the socket (instead of ~15 minutes of retries).
  const unsigned int user_timeout = static_cast<unsigned int>(idle) * 1000u;
  setsockopt(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, &user_timeout, sizeof user_timeout);
}

class LibsshSession final : public SshSession {
 public:
  LibsshSession(SessionPtr session, SftpPtr sftp, SshEndpoint endpoint,
                std::chrono::seconds timeout)
      : session_(std::move(session)),
        sftp_(std::move(sftp)),
        endpoint_(std::move(endpoint)),
        timeout_(timeout) {}

  ~LibsshSession() override {
    sftp_.reset();
    ssh_disconnect(session_.get());
  }

  Result<sys::CommandOutput> exec(const sys::Command& command) override {
    Watchdog guard(ssh_get_fd(session_.get()), command.timeout + 2 * timeout_, &late_);
    ChannelPtr ch(ssh_channel_new(session_.get()));
    if (!ch || ssh_channel_open_session(ch.get()) != SSH_OK) return ssh_error("open a channel");
    const std::string line = "/bin/sh -c " + shell_quote(command.shell);
    if (ssh_channel_request_exec(ch.get(), line.c_str()) != SSH_OK)
      return ssh_error("run `" + command.shell + "`");
    const auto deadline = std::chrono::steady_clock::now() + command.timeout;
    sys::CommandOutput out;
    char buf[kChunk];
    // Waits on stdout (stderr is buffered by libssh meanwhile) until the command's EOF.
    auto drain = [&](int is_stderr, std::string& into) -> Result<void> {
      for (int avail; (avail = ssh_channel_poll(ch.get(), is_stderr)) > 0;) {
        const int n = ssh_channel_read_nonblocking(
            ch.get(), buf, static_cast<uint32_t>(std::min<size_t>(sizeof buf, avail)), is_stderr);
        if (n < 0) return ssh_error("read the output of `" + command.shell + "`");
        into.append(buf, static_cast<size_t>(n));
      }
      return {};
    };
    for (;;) {
      const int avail = ssh_channel_poll_timeout(ch.get(), 100, 0);
      if (avail == SSH_ERROR) return ssh_error("read the output of `" + command.shell + "`");
      if (auto r = drain(0, out.out); !r) return r.error();
      if (auto r = drain(1, out.err); !r) return r.error();
      if (avail == SSH_EOF) break;
      if (std::chrono::steady_clock::now() > deadline) {
        ssh_channel_request_send_signal(ch.get(), "KILL");
        ssh_channel_close(ch.get());
        out.timed_out = true;
        out.exit_code = 128 + 9;
        return out;
      }
    }
    const int status = ssh_channel_get_exit_status(ch.get());
    // -1: the command was killed by a signal (libssh 0.10 does not say which) or sent no status.
    out.exit_code = status < 0 ? 255 : status;
    ssh_channel_send_eof(ch.get());
    ssh_channel_close(ch.get());
    return out;
  }

  Result<std::string> read(const std::string& path) override {
    // Each request must be answered within the timeout; the whole file (and its close) within a
    // generous multiple.
    Watchdog guard(ssh_get_fd(session_.get()), kWholeFile * timeout_, &late_);
    FilePtr f;
    {
      Watchdog open(ssh_get_fd(session_.get()), timeout_, &late_);
      f.reset(sftp_open(sftp_.get(), path.c_str(), O_RDONLY, 0));
    }
    if (!f) return sftp_error("read " + path);
    std::string bytes;
    char buf[kChunk];
    for (;;) {
      Watchdog chunk(ssh_get_fd(session_.get()), timeout_, &late_);
      const ssize_t n = sftp_read(f.get(), buf, sizeof buf);
      if (n < 0) return sftp_error("read " + path);
      if (n == 0) break;
      bytes.append(buf, static_cast<size_t>(n));
    }
    return bytes;
  }

  Result<void> write(const std::string& path, const std::string& bytes,
                     std::uint32_t mode) override {
    // O_EXCL so that the file gets exactly `mode`: an older file of that name is removed first.
    const int flags = O_WRONLY | O_CREAT | O_EXCL;
    Watchdog guard(ssh_get_fd(session_.get()), kWholeFile * timeout_, &late_);
    FilePtr f(sftp_open(sftp_.get(), path.c_str(), flags, mode));
    if (!f) {
      if (auto r = remove(path); !r) return r;
      f.reset(sftp_open(sftp_.get(), path.c_str(), flags, mode));
      if (!f) return sftp_error("write " + path);
    }
    for (size_t off = 0; off < bytes.size();) {
      const size_t len = std::min(kChunk, bytes.size() - off);
      Watchdog chunk(ssh_get_fd(session_.get()), timeout_, &late_);
      const ssize_t n = sftp_write(f.get(), bytes.data() + off, len);
      if (n <= 0) return sftp_error("write " + path);
      off += static_cast<size_t>(n);
    }
    if (sftp_close(f.release()) != SSH_NO_ERROR) return sftp_error("write " + path);
    return {};
  }

  Result<std::vector<std::string>> list(const std::string& path) override {
    Watchdog guard(ssh_get_fd(session_.get()), timeout_, &late_);
    DirPtr dir(sftp_opendir(sftp_.get(), path.c_str()));
    if (!dir) return sftp_error("list " + path);
    std::vector<std::string> names;
    while (AttrPtr a{sftp_readdir(sftp_.get(), dir.get())}) {
      const std::string name = a->name ? a->name : "";
      if (name != "." && name != ".." && !name.empty()) names.push_back(name);
    }
    if (!sftp_dir_eof(dir.get())) return sftp_error("list " + path);
    std::sort(names.begin(), names.end());
    return names;
  }

  Result<sys::FileInfo> stat(const std::string& path) override {
    Watchdog guard(ssh_get_fd(session_.get()), timeout_, &late_);
    AttrPtr a(sftp_stat(sftp_.get(), path.c_str()));
    if (!a) return sftp_error("stat " + path);
    sys::FileInfo info;
    info.kind = a->type == SSH_FILEXFER_TYPE_DIRECTORY ? sys::FileKind::directory
                : a->type == SSH_FILEXFER_TYPE_REGULAR ? sys::FileKind::file
                                                       : sys::FileKind::other;
    info.mode = a->permissions & 07777;
    info.size = a->size;
    return info;
  }

  Result<void> remove(const std::string& path) override {
    Watchdog guard(ssh_get_fd(session_.get()), timeout_, &late_);
    if (sftp_unlink(sftp_.get(), path.c_str()) == 0) return {};
    if (sftp_get_error(sftp_.get()) == SSH_FX_NO_SUCH_FILE) return {};
    auto info = stat(path);
    if (!info) return info.error().code == Errc::not_found ? Result<void>() : info.error();
    if (info->kind == sys::FileKind::directory && sftp_rmdir(sftp_.get(), path.c_str()) == 0)
      return {};
    return sftp_error("remove " + path);
  }

  Result<void> make_dir(const std::string& path, std::uint32_t mode) override {
    Watchdog guard(ssh_get_fd(session_.get()), timeout_, &late_);
    if (sftp_mkdir(sftp_.get(), path.c_str(), mode) == 0) return {};
    auto info = stat(path);
    if (info && info->kind == sys::FileKind::directory) return {};
    return sftp_error("create directory " + path);
  }

  Result<void> commit(const Renames& renames, bool flush,
                      const std::vector<std::string>& dirs) override {
    // OpenSSH's SFTP rename is link() + unlink(): atomic, but it refuses an existing
    // destination. From the first such pair on, the renames go to mv (rename(2)) in one shell
    // command, so that they still happen in order. One line joined by &&: any login shell.
    std::vector<std::string> steps;
    for (const auto& [from, to] : renames) {
      if (steps.empty()) {
        Watchdog guard(ssh_get_fd(session_.get()), timeout_, &late_);
        if (sftp_rename(sftp_.get(), from.c_str(), to.c_str()) == 0) continue;
        if (!ssh_is_connected(session_.get()) || sftp_get_error(sftp_.get()) == SSH_FX_NO_SUCH_FILE)
          return sftp_error("rename " + from + " to " + to);
      }
      steps.push_back("mv -f -- " + shell_quote(from) + " " + shell_quote(to));
    }
    if (flush) {
      // syncfs(2) of each directory's filesystem (plain sync where -f is unknown); a directory
      // removed since is skipped.
      for (const std::string& d : dirs)
        steps.push_back("{ [ ! -d " + shell_quote(d) + " ] || sync -f -- " + shell_quote(d) +
                        " 2>/dev/null || sync; }");
    }
    if (steps.empty()) return {};
    std::string script;
    for (const std::string& step : steps) script += (script.empty() ? "" : " && ") + step;
    auto r = exec(sys::Command{script, std::chrono::seconds{120}});
    if (!r) return r.error();
    if (!r->succeeded())
      return make_error(Errc::io, "install files on " + where(endpoint_) + " (" +
                                      sys::describe_end(*r, {script}) + "): " + r->err);
    return {};
  }

 private:
  Error ssh_error(const std::string& what) {
    if (late_.now())
      return make_error(Errc::io, what + " on " + where(endpoint_) + ": no answer within " +
                                      std::to_string(timeout_.count()) +
                                      "s; the connection was closed");
    return make_error(Errc::io,
                      what + " on " + where(endpoint_) + ": " + ssh_get_error(session_.get()));
  }

  Error sftp_error(const std::string& what) {
    // sftp_get_error() keeps the last status the server sent: after a transport failure it is
    // stale, and a lost connection must not read as "no such file".
    if (late_.now()) return ssh_error(what);
    if (!ssh_is_connected(session_.get()) || ssh_get_error_code(session_.get()) == SSH_FATAL)
      return make_error(Errc::io, what + " on " + where(endpoint_) + ": connection lost (" +
                                      ssh_get_error(session_.get()) + ")");
    switch (sftp_get_error(sftp_.get())) {
      case SSH_FX_NO_SUCH_FILE:
      case SSH_FX_NO_SUCH_PATH:
        return make_error(Errc::not_found, what + ": no such file");
      case SSH_FX_PERMISSION_DENIED:
        return make_error(Errc::io, what + ": permission denied");
      default:
        return ssh_error(what);
    }
  }

  SessionPtr session_;
  SftpPtr sftp_;
  SshEndpoint endpoint_;
  std::chrono::seconds timeout_;
  Watchdog::Late late_;
};

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

Result<std::unique_ptr<SshSession>> connect_ssh(const SshEndpoint& e, const SshAccess& access) {
  init_library_once();
  SessionPtr s(ssh_new());
  if (!s) return make_error(Errc::io, "cannot create an SSH session");
  const long timeout = access.timeout.count();
  const int port = e.port;
  const int no = 0;
  ssh_options_set(s.get(), SSH_OPTIONS_HOST, e.address.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_PORT, &port);
  if (!e.user.empty()) ssh_options_set(s.get(), SSH_OPTIONS_USER, e.user.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_TIMEOUT, &timeout);
  // Many small request/answer exchanges (SFTP, exec): Nagle's algorithm with delayed ACKs would
  // add 40 ms to most of them.
  const int yes = 1;
  ssh_options_set(s.get(), SSH_OPTIONS_NODELAY, &yes);
  // Only what certgate is told counts: no ~/.ssh/config, and host keys from --known-hosts (libssh
  // reads that file only to prefer the key types it lists; certgate does the check).
  ssh_options_set(s.get(), SSH_OPTIONS_PROCESS_CONFIG, &no);
  if (!access.known_hosts_path.empty())
    ssh_options_set(s.get(), SSH_OPTIONS_KNOWNHOSTS, access.known_hosts_path.c_str());
  ssh_options_set(s.get(), SSH_OPTIONS_GLOBAL_KNOWNHOSTS, "/dev/null");
  if (ssh_connect(s.get()) != SSH_OK)
    return make_error(Errc::io, "connect to " + where(e) + ": " + ssh_get_error(s.get()));
  keep_alive(s.get(), access.timeout);
  auto disconnect_on = [&](Error error) -> Error {
    ssh_disconnect(s.get());
    return error;
  };
  if (auto r = check_host_key(s.get(), e, access); !r) return disconnect_on(r.error());
  if (auto r = authenticate(s.get(), e, access); !r) return disconnect_on(r.error());
  SftpPtr sftp(sftp_new(s.get()));
  bool started = false;
  if (sftp) {
    Watchdog guard(ssh_get_fd(s.get()), access.timeout);
    started = sftp_init(sftp.get()) == SSH_OK;
  }
  if (!started) {
    Error error = make_error(Errc::io, "start SFTP on " + where(e) + ": " + ssh_get_error(s.get()) +
                                           " (the host's sshd needs an sftp Subsystem, and the "
                                           "login shell must print nothing)");
    sftp.reset();  // before ssh_disconnect, which frees the SFTP channel
    return disconnect_on(std::move(error));
  }
  return std::unique_ptr<SshSession>(
      std::make_unique<LibsshSession>(std::move(s), std::move(sftp), e, access.timeout));
}

}  // namespace certgate::targets
