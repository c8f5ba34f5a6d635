#include "source/git_mirror.h"

#include <cstdlib>
#include <filesystem>

#include "pki/known_hosts.h"

namespace certgate::source {
namespace {

// Host and port of "ssh://[user@]host[:port]/path" or scp-like "user@host:path".
void parse_ssh_url(const std::string& url, SshContext& ctx) {
  std::string rest = url;
  const bool scheme = rest.starts_with("ssh://");
  if (scheme) rest = rest.substr(6);
  if (auto at = rest.find('@'); at != std::string::npos && at < rest.find('/'))
    rest = rest.substr(at + 1);
  const size_t end = scheme ? rest.find('/') : rest.find(':');
  std::string hostport = rest.substr(0, end);
  if (scheme) {
    if (auto colon = hostport.rfind(':'); colon != std::string::npos) {
      ctx.port = std::atoi(hostport.c_str() + colon + 1);
      hostport = hostport.substr(0, colon);
    }
  }
  ctx.host = hostport;
}

int check_host_key(git_cert* cert, int, const char* host, void* payload) {
  auto& ctx = *static_cast<SshContext*>(payload);
  if (cert->cert_type != GIT_CERT_HOSTKEY_LIBSSH2) return GIT_PASSTHROUGH;  // https: libgit2's
  const auto* key = reinterpret_cast<const git_cert_hostkey*>(cert);
  const std::string where = ctx.host + ":" + std::to_string(ctx.port);
  if (!(key->type & GIT_CERT_SSH_RAW)) {
    ctx.refusal = "the SSH library gave no host key to check for " + where;
    return GIT_ECERTIFICATE;
  }
  const std::string blob(key->hostkey, key->hostkey_len);
  switch (pki::check_known_host(ctx.ssh->known_hosts, host ? host : ctx.host, ctx.port, blob)) {
    case pki::HostKeyMatch::known:
      return 0;
    case pki::HostKeyMatch::unknown:
      ctx.refusal = "the host key of " + where + " is not in " + ctx.ssh->known_hosts_path +
                    " (host keys are never learned; add it there after checking it)";
      break;
    case pki::HostKeyMatch::changed:
      ctx.refusal = "the host key of " + where + " differs from the one in " +
                    ctx.ssh->known_hosts_path + " (refused: it may be an impostor)";
      break;
    case pki::HostKeyMatch::revoked:
      ctx.refusal =
          "the host key of " + where + " is marked @revoked in " + ctx.ssh->known_hosts_path;
      break;
  }
  return GIT_ECERTIFICATE;
}

int ssh_credentials(git_credential** out, const char*, const char* user, unsigned int allowed,
                    void* payload) {
  auto& ctx = *static_cast<SshContext*>(payload);
  if (!(allowed & GIT_CREDENTIAL_SSH_KEY) || ++ctx.credential_attempts > 1) {
    ctx.refusal = "SSH authentication to " + ctx.host + " failed" +
                  (ctx.ssh->private_key.empty() ? " (no --ssh-key; ssh-agent had no accepted key)"
                                                : " with " + ctx.ssh->private_key);
    return GIT_EAUTH;
  }
  const char* name = user ? user : "git";
  const SshAccess& ssh = *ctx.ssh;
  if (ssh.private_key.empty()) return git_credential_ssh_key_from_agent(out, name);
  return git_credential_ssh_key_new(out, name,
                                    ssh.public_key.empty() ? nullptr : ssh.public_key.c_str(),
                                    ssh.private_key.c_str(), nullptr);
}

int on_push_update(const char*, const char* status, void* payload) {
  if (status) static_cast<SshContext*>(payload)->push_rejection = status;
  return 0;
}

}  // namespace

Error last_git_error(Errc code, const std::string& what) {
  const ::git_error* e = git_error_last();
  return make_error(code, what + ": " + (e && e->message ? e->message : "unknown libgit2 error"));
}

std::string oid_hex(const git_oid* oid) {
  char hex[GIT_OID_HEXSZ + 1];
  git_oid_tostr(hex, sizeof hex, oid);
  return hex;
}

Result<RepoPtr> open_mirror(const std::string& dir) {
  git_repository* raw = nullptr;
  if (git_repository_open_bare(&raw, dir.c_str()) == 0) return RepoPtr(raw);
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(dir).parent_path(), ec);
  if (git_repository_init(&raw, dir.c_str(), /*is_bare=*/1) != 0)
    return last_git_error(Errc::io, "create git mirror " + dir);
  return RepoPtr(raw);
}

Result<RemotePtr> origin(git_repository* repo, const std::string& url) {
  git_remote* raw = nullptr;
  if (git_remote_lookup(&raw, repo, "origin") == 0) {
    RemotePtr remote(raw);
    if (url == git_remote_url(remote.get())) return remote;
    if (git_remote_set_url(repo, "origin", url.c_str()) != 0)
      return last_git_error(Errc::io, "point the mirror at " + url);
    if (git_remote_lookup(&raw, repo, "origin") != 0) return last_git_error(Errc::io, "git remote");
    return RemotePtr(raw);
  }
  if (git_remote_create_with_fetchspec(&raw, repo, "origin", url.c_str(),
                                       "+refs/heads/*:refs/remotes/origin/*") != 0)
    return last_git_error(Errc::io, "git remote " + url);
  return RemotePtr(raw);
}

SshContext ssh_context(const std::string& url, const SshAccess& ssh) {
  SshContext ctx;
  ctx.ssh = &ssh;
  parse_ssh_url(url, ctx);
  return ctx;
}

void use_ssh_checks(git_remote_callbacks& callbacks, SshContext& ctx) {
  callbacks.certificate_check = check_host_key;
  callbacks.credentials = ssh_credentials;
  callbacks.push_update_reference = on_push_update;
  callbacks.payload = &ctx;
}

Error remote_error(const SshContext& ctx, const std::string& what) {
  if (!ctx.refusal.empty()) return make_error(Errc::refused, what + ": " + ctx.refusal);
  return last_git_error(Errc::io, what);
}

}  // namespace certgate::source
