#include "base/diagnostic.h"

#include <algorithm>

namespace certgate::base {

std::string format_diagnostic(const Diagnostic& d) {
  std::string out = d.loc.file;
  if (d.loc.line > 0) {
    out += ':' + std::to_string(d.loc.line);
    if (d.loc.column > 0) out += ':' + std::to_string(d.loc.column);
  }
  out += d.severity == Severity::error ? ": error: " : ": warning: ";
  out += d.message;
  return out;
}

void Diagnostics::error(SourceLoc loc, std::string message) {
  items_.push_back({std::move(loc), Severity::error, std::move(message)});
}

void Diagnostics::warning(SourceLoc loc, std::string message) {
  items_.push_back({std::move(loc), Severity::warning, std::move(message)});
}

void Diagnostics::add(Diagnostic d) { items_.push_back(std::move(d)); }

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

bool Diagnostics::has_errors() const { return error_count() > 0; }

int Diagnostics::error_count() const {
  return static_cast<int>(std::count_if(items_.begin(), items_.end(), [](const Diagnostic& d) {
    return d.severity == Severity::error;
  }));
}

int Diagnostics::warning_count() const { return static_cast<int>(items_.size()) - error_count(); }

std::vector<Diagnostic> Diagnostics::sorted() const {
  std::vector<Diagnostic> out = items_;
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace certgate::base
