#include "cli/global_options.h"

#include <cstdio>
#include <filesystem>

#include "sys/clock.h"

namespace certgate::cli {

void add_global_options(CLI::App& app, GlobalOptions& g) {
  app.option_defaults()->always_capture_default();
  app.add_option("--source", g.source.source,
                 "Desired state: a TOML file, a directory holding certgate.toml, or a git "
                 "repository (path or file://, ssh://, https:// URL)")
      ->envname("CERTGATE_SOURCE");
  app.add_option("--ref", g.source.ref, "Branch, tag or commit when the source is git")
      ->envname("CERTGATE_REF");
  app.add_option("--file", g.source.file,
                 "Path of the desired-state file inside a git source or directory")
      ->envname("CERTGATE_FILE");
  app.add_option("--state-dir", g.state_dir, "CA database and agent state")
      ->envname("CERTGATE_STATE_DIR");
  app.add_option("--now", g.now,
                 "Evaluate time rules as of this RFC 3339 instant (plan, status, validate only)")
      ->envname("CERTGATE_NOW");
  app.add_option("--log-format", g.log_format, "Log format")
      ->check(CLI::IsMember({"text", "json"}));
  app.add_flag("-v,--verbose", g.verbose, "More log output (repeatable)");
  app.add_flag("-q,--quiet", g.quiet, "Less log output (repeatable)");
  app.add_option("--ssh-key", g.ssh_key,
                 "Private key for [[host]] rollouts (default: ssh-agent, then ~/.ssh/id_ed25519)")
      ->envname("CERTGATE_SSH_KEY");
  app.add_option("--known-hosts", g.known_hosts,
                 "Host keys for [[host]] rollouts; unknown or changed keys are refused "
                 "(default: ~/.ssh/known_hosts)")
      ->envname("CERTGATE_KNOWN_HOSTS");
  app.add_option("--ca-passphrase-file", g.ca_passphrase_file,
                 "File holding the CA key's passphrase ([ca] key_protection = \"passphrase\"; "
                 "default: $CREDENTIALS_DIRECTORY/certgate-ca-passphrase when present)")
      ->envname("CERTGATE_CA_PASSPHRASE_FILE");
  // Global options may follow the subcommand: `certgate plan --source x`.
  app.fallthrough();
}

Result<base::Instant> evaluation_time(const GlobalOptions& g) {
  if (g.now.empty()) return sys::RealClock().now();
  auto t = base::parse_rfc3339(g.now);
  if (!t) return make_error(Errc::invalid, "--now: " + t.error().message);
  return t;
}

Result<void> refuse_now(const GlobalOptions& g, std::string_view command) {
  if (g.now.empty()) return {};
  return make_error(Errc::refused, std::string(command) +
                                       " acts in real time: --now (or CERTGATE_NOW) is only for "
                                       "plan, status and validate");
}

std::string absolute_state_dir(const GlobalOptions& g) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(g.state_dir, ec);
  if (ec) return g.state_dir;
  return p.lexically_normal().string();
}

int fail(const std::string& message) {
  std::fprintf(stderr, "certgate: %s\n", message.c_str());
  return 1;
}

}  // namespace certgate::cli
