// Markdown building blocks for the pull-request plan (render/plan_markdown.h): text from the
// input made inert, table rows, counts. The output reads the same in GitHub's markdown (GFM) and
// in Python-Markdown with its `tables` extension, which tests/integration/plan_markdown.sh uses.
// PURE: strings in, strings out.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace certgate::render::md {

// Raw bytes of one piece of input text kept before it is escaped; the rest becomes "…".
inline constexpr size_t kMaxTextBytes = 1000;

// `text`, which may hold anything, as markdown inline text on one line that shows the same
// characters and makes no markup: `\ ` * _ [ ] |` and a leading block marker (`#`, `-`, `+`,
// `1.`) are backslash-escaped, `& < > ~ $` become character references (so no HTML tag, entity,
// strikethrough or math), control characters and line or paragraph separators become spaces,
// and bidirectional-override characters (which can make a row read backwards) become U+FFFD.
// Leading and trailing spaces are dropped. Text longer than `max_bytes` is cut at a UTF-8
// character boundary and ends in "…".
std::string escape(std::string_view text, size_t max_bytes = kMaxTextBytes);

// "| A | B |\n| --- | --- |\n": a table header; `titles` are not escaped (they are ours).
std::string table_header(const std::vector<std::string_view>& titles);

// "| a | b |\n": one table row, every cell escaped. An empty cell shows as "—".
std::string table_row(const std::vector<std::string_view>& cells);

// 9412 -> "9,412".
std::string thousands(size_t n);

// "1 action", "2 actions": `n`, then `singular` or `plural`.
std::string count(size_t n, std::string_view singular, std::string_view plural);

}  // namespace certgate::render::md
