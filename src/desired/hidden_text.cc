#include "desired/hidden_text.h"

#include <cstdint>
#include <cstdio>

namespace certgate::desired {
namespace {

// The code point starting at text[i], and how many bytes it takes. toml++ has checked that
// strings are valid UTF-8; a stray byte is read as itself.
std::uint32_t decode(std::string_view text, size_t i, size_t& length) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[i + k]); };
  const unsigned char lead = byte(0);
  length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  if (lead < 0xC0 || i + length > text.size()) {
    length = 1;
    return lead;
  }
  std::uint32_t cp = lead & (0x7F >> length);
  for (size_t k = 1; k < length; ++k) cp = (cp << 6) | (byte(k) & 0x3F);
  return cp;
}

// How a refused code point is named in messages; nullptr for one that is allowed.
const char* kind_of(std::uint32_t cp, Tabs tabs) {
  if (cp == '\t') return tabs == Tabs::allowed ? nullptr : "control character";
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return "control character";
  if (cp == 0x2028 || cp == 0x2029) return "line separator";
  const bool is_bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F ||
                       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
  return is_bidi ? "bidirectional formatting character" : nullptr;
}

// "U+001B (escape)": the common ones by name, so the author knows what to look for.
std::string describe(std::uint32_t cp) {
  char code[16];
  std::snprintf(code, sizeof code, "U+%04X", static_cast<unsigned>(cp));
  const char* name = cp == 0    ? "NUL"
                     : cp == 9  ? "tab"
                     : cp == 10 ? "line feed"
                     : cp == 13 ? "carriage return"
                     : cp == 27 ? "escape"
                                : nullptr;
  return name ? std::string(code) + " (" + name + ")" : std::string(code);
}

}  // namespace

std::optional<std::string> hidden_text_problem(std::string_view text, Tabs tabs) {
  size_t position = 1;
  for (size_t i = 0, length = 1; i < text.size(); i += length, ++position) {
    const std::uint32_t cp = decode(text, i, length);
    if (const char* kind = kind_of(cp, tabs)) {
      return std::string(kind) + " " + describe(cp) + " at character " + std::to_string(position);
    }
  }
  return std::nullopt;
}

}  // namespace certgate::desired
