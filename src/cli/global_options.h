// The global options every command accepts, before or after its name, also from the
// environment (DESIGN.md section 2), and the helpers commands use to act on them.
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>

#include "base/result.h"
#include "base/time.h"
#include "source/source.h"

namespace certgate::cli {

struct GlobalOptions {
  source::SourceOptions source;
  std::string state_dir = "/var/lib/certgate";
  std::string now;  // empty: the real clock
  std::string log_format = "text";
  int verbose = 0;
  int quiet = 0;
  std::string ssh_key;
  std::string known_hosts;
  std::string ca_passphrase_file;  // cli/ca_passphrase.h
};

// Registers the global options on `app` (and makes its subcommands pass them up).
void add_global_options(CLI::App& app, GlobalOptions& g);

// The instant to evaluate time rules at: --now when given, else the real clock.
// Fails with Errc::invalid when --now is not an RFC 3339 instant.
Result<base::Instant> evaluation_time(const GlobalOptions& g);

// For commands that change things (apply, sync): --now is refused, they act in real time.
Result<void> refuse_now(const GlobalOptions& g, std::string_view command);

// The state directory as an absolute path (openssl.cnf names it, plans record it, the git
// mirror lives in it).
std::string absolute_state_dir(const GlobalOptions& g);

// Prints "certgate: <message>" on stderr; returns 1 for `return fail(...)` in commands.
int fail(const std::string& message);

}  // namespace certgate::cli
