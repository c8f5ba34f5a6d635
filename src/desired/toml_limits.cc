#include "desired/toml_limits.h"

#include <utility>

namespace certgate::desired {
namespace {

// A tokenizer that knows just enough TOML (comments, the four string forms, keys, `=`, `,`
// and brackets) to tell a dot in a key from one in a float, and a bracket in a string from
// one that nests. It never fails: what it does not understand it skips.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : text_(text) {}

  std::optional<TomlLimitProblem> run() {
    while (i_ < text_.size()) {
      if (auto p = step()) return p;
    }
    return std::nullopt;
  }

 private:
  char peek(size_t ahead = 0) const { return i_ + ahead < text_.size() ? text_[i_ + ahead] : '\0'; }

  // One byte on; columns count UTF-8 characters, as toml++'s do.
  void advance() {
    const char c = text_[i_++];
    if (c == '\n') {
      ++line_;
      column_ = 1;
    } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      ++column_;
    }
  }

  TomlLimitProblem problem(std::string message) const {
    return {line_, column_, std::move(message)};
  }

  std::optional<TomlLimitProblem> step() {
    const char c = peek();
    if (c == '#') {
      while (i_ < text_.size() && peek() != '\n') advance();
    } else if (c == '"' || c == '\'') {
      skip_string(c);
      at_line_start_ = false;
    } else if (c == '\n') {
      // A line ends a top-level key = value or a header; inside brackets it ends nothing.
      if (stack_.empty()) start_key();
      is_header_ = false;
      at_line_start_ = true;
      advance();
    } else if (c == ' ' || c == '\t' || c == '\r') {
      advance();
    } else {
      auto p = is_key_ ? key_char(c) : value_char(c);
      at_line_start_ = false;
      advance();
      return p;
    }
    return std::nullopt;
  }

  void start_key() {
    is_key_ = true;
    parts_ = 1;
  }

  std::optional<TomlLimitProblem> key_char(char c) {
    if (c == '[' && at_line_start_ && stack_.empty()) {
      is_header_ = true;  // `[table]` or `[[array]]`: its second '[' is skipped below
      parts_ = 1;
    } else if (c == ']') {
      is_header_ = false;
    } else if (c == '.' && ++parts_ > kMaxTomlKeyParts) {
      return problem(is_header_ ? "table header has more than 64 dotted parts"
                                : "dotted key has more than 64 parts");
    } else if (c == '=' && !is_header_) {
      is_key_ = false;
    } else if (c == '}' && !stack_.empty() && stack_.back() == '{') {
      stack_.pop_back();  // `{}`
      is_key_ = false;
    }
    return std::nullopt;
  }

  std::optional<TomlLimitProblem> value_char(char c) {
    if (c == '[' || c == '{') {
      stack_.push_back(c);
      if (stack_.size() > static_cast<size_t>(kMaxTomlNesting))
        return problem("arrays and inline tables are nested more than 64 deep");
      if (c == '{') start_key();
    } else if ((c == ']' || c == '}') && !stack_.empty()) {
      stack_.pop_back();
    } else if (c == ',' && !stack_.empty() && stack_.back() == '{') {
      start_key();
    }
    return std::nullopt;
  }

  // Skips a basic ("…", """…""") or literal ('…', '''…''') string. An unterminated one-line
  // string ends at the end of its line, where toml++ will report it.
  void skip_string(char quote) {
    const bool is_basic = quote == '"';
    const bool is_multiline = peek(1) == quote && peek(2) == quote;
    for (int k = 0; k < (is_multiline ? 3 : 1); ++k) advance();
    while (i_ < text_.size()) {
      const char c = peek();
      if (c == '\n' && !is_multiline) return;
      if (is_basic && c == '\\' && i_ + 1 < text_.size()) {
        advance();
      } else if (c == quote && (!is_multiline || (peek(1) == quote && peek(2) == quote))) {
        for (int k = 0; k < (is_multiline ? 3 : 1); ++k) advance();
        // `"""a""""`: up to two quotes just before the closing three belong to the string.
        for (int k = 0; is_multiline && k < 2 && peek() == quote; ++k) advance();
        return;
      }
      advance();
    }
  }

  std::string_view text_;
  size_t i_ = 0;
  int line_ = 1;
  int column_ = 1;
  std::string stack_;  // the open '[' and '{' of values
  bool is_key_ = true;
  bool is_header_ = false;
  bool at_line_start_ = true;
  int parts_ = 1;
};

}  // namespace

std::optional<TomlLimitProblem> check_toml_limits(std::string_view text) {
  if (text.size() > kMaxTomlSize) {
    return TomlLimitProblem{1, 1,
                            "file is larger than 8 MiB (" + std::to_string(text.size()) +
                                " bytes); certgate reads no desired state that big"};
  }
  return Scanner(text).run();
}

}  // namespace certgate::desired
