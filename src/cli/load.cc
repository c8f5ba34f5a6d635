#include "cli/load.h"

#include <cstdio>
#include <cstdlib>

#include "desired/parse.h"

namespace certgate::cli {

void print_diagnostics(const base::Diagnostics& diags) {
  for (const base::Diagnostic& d : diags.sorted()) {
    std::fprintf(stderr, "%s\n", base::format_diagnostic(d).c_str());
  }
}

std::string count(size_t n, std::string_view noun) {
  return std::to_string(n) + " " + std::string(noun) + (n == 1 ? "" : "s");
}

source::SourceOptions source_options(const GlobalOptions& g) {
  source::SourceOptions options = g.source;
  options.mirror_dir = sys::join_path(absolute_state_dir(g), "git/mirror.git");
  options.ssh_key = g.ssh_key;
  options.known_hosts = g.known_hosts;
  if (options.known_hosts.empty()) {
    const char* home = std::getenv("HOME");
    options.known_hosts = std::string(home ? home : "") + "/.ssh/known_hosts";
  }
  return options;
}

std::optional<Loaded> load_and_report(const GlobalOptions& g, base::Instant now,
                                      sys::Filesystem& fs) {
  return load_and_report(source_options(g), now, fs);
}

std::optional<Loaded> load_and_report(const source::SourceOptions& options, base::Instant now,
                                      sys::Filesystem& fs) {
  auto snapshot = source::load(options, fs);
  if (!snapshot) {
    fail(snapshot.error().message);
    return std::nullopt;
  }
  desired::LoadResult result = desired::load_desired(*snapshot, now);
  print_diagnostics(result.diagnostics);
  if (result.diagnostics.has_errors()) {
    std::fprintf(stderr, "%s: %s, %s; nothing was changed\n", snapshot->file_path.c_str(),
                 count(static_cast<size_t>(result.diagnostics.error_count()), "error").c_str(),
                 count(static_cast<size_t>(result.diagnostics.warning_count()), "warning").c_str());
    return std::nullopt;
  }
  return Loaded{std::move(*snapshot), std::move(result.state), result.diagnostics.warning_count()};
}

}  // namespace certgate::cli
