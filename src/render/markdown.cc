#include "render/markdown.h"

#include <cctype>

namespace certgate::render::md {

namespace {

// The length of the UTF-8 sequence that `lead` starts (1 for a stray continuation byte, so a
// malformed string still advances).
size_t sequence_length(unsigned char lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// The longest prefix of `text` of at most `max_bytes` that ends on a character boundary.
std::string_view cut(std::string_view text, size_t max_bytes) {
  size_t end = 0;
  while (end < text.size()) {
    size_t next = end + sequence_length(static_cast<unsigned char>(text[end]));
    if (next > max_bytes) break;
    end = next;
  }
  return text.substr(0, end);
}

// U+200E, U+200F, U+202A..U+202E and U+2066..U+2069 reorder what a reviewer sees (the "Trojan
// source" trick); U+2028 and U+2029 break lines in some viewers.
enum class Special { none, bidi, separator };

Special special(std::string_view seq) {
  if (seq.size() != 3 || static_cast<unsigned char>(seq[0]) != 0xE2) return Special::none;
  auto b1 = static_cast<unsigned char>(seq[1]);
  auto b2 = static_cast<unsigned char>(seq[2]);
  if (b1 == 0x80 && (b2 == 0x8E || b2 == 0x8F || (b2 >= 0xAA && b2 <= 0xAE))) {
    return Special::bidi;
  }
  if (b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9)) return Special::separator;
  if (b1 == 0x81 && b2 >= 0xA6 && b2 <= 0xA9) return Special::bidi;
  return Special::none;
}

void append_escaped(std::string& out, char c) {
  switch (c) {
    case '\\':
    case '`':
    case '*':
    case '_':
    case '[':
    case ']':
    case '|':
      out += '\\';
      out += c;
      return;
    case '&':
      out += "&amp;";
      return;
    case '<':
      out += "&lt;";
      return;
    case '>':
      out += "&gt;";
      return;
    case '~':
      out += "&#126;";
      return;
    case '$':
      out += "&#36;";
      return;
    default:
      break;
  }
  auto u = static_cast<unsigned char>(c);
  out += u < 0x20 || u == 0x7F ? ' ' : c;
}

// Spaces instead of control characters and separators, U+FFFD instead of bidi controls.
std::string inert_characters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    std::string_view seq = text.substr(i, sequence_length(static_cast<unsigned char>(text[i])));
    switch (special(seq)) {
      case Special::bidi:
        out += "\xEF\xBF\xBD";
        break;
      case Special::separator:
        out += ' ';
        break;
      case Special::none:
        out += seq;
        break;
    }
    i += seq.size();
  }
  return out;
}

std::string_view trim(std::string_view s) {
  auto blank = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

// Where a leading "#", "-", "+" or "12." / "12)" would start a heading or a list when the text
// begins a line (a list item's text does): the index of the character to escape, or npos.
size_t block_marker(std::string_view s) {
  if (s.empty()) return std::string_view::npos;
  if (s[0] == '#' || s[0] == '-' || s[0] == '+') return 0;
  size_t digits = 0;
  while (digits < s.size() && std::isdigit(static_cast<unsigned char>(s[digits]))) ++digits;
  if (digits > 0 && digits < s.size() && (s[digits] == '.' || s[digits] == ')')) return digits;
  return std::string_view::npos;
}

}  // namespace

std::string escape(std::string_view text, size_t max_bytes) {
  std::string_view kept = cut(text, max_bytes);
  const std::string clean = inert_characters(kept);
  std::string_view body = trim(clean);
  const size_t marker = block_marker(body);
  std::string out;
  out.reserve(body.size() + 16);
  for (size_t i = 0; i < body.size(); ++i) {
    // "# x" -> "\# x", "1. x" -> "1\. x": both dialects show the character and start no block.
    if (i == marker) out += '\\';
    append_escaped(out, body[i]);
  }
  if (kept.size() < text.size()) out += "…";
  return out;
}

std::string table_header(const std::vector<std::string_view>& titles) {
  std::string head = "|";
  std::string rule = "|";
  for (std::string_view t : titles) {
    head += " " + std::string(t) + " |";
    rule += " --- |";
  }
  return head + "\n" + rule + "\n";
}

std::string table_row(const std::vector<std::string_view>& cells) {
  std::string out = "|";
  for (std::string_view c : cells) {
    std::string e = escape(c);
    out += " " + (e.empty() ? std::string("—") : e) + " |";
  }
  return out + "\n";
}

std::string thousands(size_t n) {
  std::string digits = std::to_string(n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string count(size_t n, std::string_view singular, std::string_view plural) {
  return thousands(n) + " " + std::string(n == 1 ? singular : plural);
}

}  // namespace certgate::render::md
