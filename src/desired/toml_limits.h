// Limits on the shape of certgate.toml, checked by a cheap scan before toml++ parses it.
//
// toml++ 3.3 recurses once per part of a dotted key or table header (each part is a nested
// table): a ~100 KB file with a 50,000-part `[a.a.a…]` header or `a.a.a… = 1` key overflows an 8
// MiB stack (SIGSEGV; measured: 30,000 parts survive, 50,000 do not), and every command that reads
// the desired state would crash (the agent would crash-loop and the CRL never be refreshed).
// toml++ stops nested arrays and inline tables itself at 256 levels, but that is a property of
// its build, not a promise. So load_desired() first scans the text with a small tokenizer that
// knows only comments, strings, keys and brackets, and refuses, as one diagnostic at the
// offending character, a file that exceeds any of the limits below. They are far above any
// real file (certgate's schema nests three levels and uses no dotted key), far below what
// toml++ survives. Internal to desired/; documented in schemas/certgate.schema.json.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace certgate::desired {

// Bytes: 10,000 devices take about 1 MiB.
inline constexpr std::size_t kMaxTomlSize = 8 * 1024 * 1024;
// Arrays and inline tables inside one another (`x = [[[…]]]`, `x = {a = {a = …}}`).
inline constexpr int kMaxTomlNesting = 64;
// Parts of one dotted key or table header (`a.b.c = 1` and `[a.b.c]` have 3).
inline constexpr int kMaxTomlKeyParts = 64;

struct TomlLimitProblem {
  int line = 1;
  int column = 1;
  std::string message;
};

// The first limit `text` exceeds, at the character where it does; nullopt when it is within
// all of them. Text that is not valid TOML is scanned as well as it can be and left for toml++
// to report.
std::optional<TomlLimitProblem> check_toml_limits(std::string_view text);

}  // namespace certgate::desired
