// Diagnostics: problems found in user input, each tied to a place in a file.
//
// Every stage that reads user input (desired/, later source/ for CSR files) collects all of its
// problems instead of stopping at the first (Terraform's tfdiags), then cli/ prints them sorted,
// one per line, as `file:line:col: error: message`.
#pragma once

#include <compare>
#include <string>
#include <vector>

namespace certgate::base {

// A place in a source file. Lines and columns count from 1; 0 means "unknown".
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  auto operator<=>(const SourceLoc&) const = default;
};

enum class Severity { error, warning };

struct Diagnostic {
  SourceLoc loc;
  Severity severity = Severity::error;
  std::string message;

  auto operator<=>(const Diagnostic&) const = default;
};

// `file:line:col: error: message` (the position is left out where it is unknown).
std::string format_diagnostic(const Diagnostic& d);

// An append-only collection of diagnostics.
class Diagnostics {
 public:
  void error(SourceLoc loc, std::string message);
  void warning(SourceLoc loc, std::string message);
  void add(Diagnostic d);
  void append(const Diagnostics& other);

  bool has_errors() const;
  int error_count() const;
  int warning_count() const;
  bool empty() const { return items_.empty(); }

  // All diagnostics ordered by file, line, column, then severity and message; duplicates dropped.
  std::vector<Diagnostic> sorted() const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace certgate::base
