// Fitting a markdown comment into a size limit (GitHub allows 65536 characters a comment) by
// cutting rows from the end of its tables and lists, and saying what was cut. Used by
// render/plan_markdown.h. PURE.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace certgate::render::md {

// One part of a comment: a title, then rows (of a table under `header`, or of a list), followed
// by a blank line. The rows are already escaped markdown, each ending in "\n".
struct Block {
  std::string title = "";              // "#### Actions\n\n"; may be empty
  std::string header = "";             // a table header (md::table_header), or empty for a list
  std::vector<std::string> rows = {};  // a block without rows and without title is left out
  std::string singular = "";           // what a row is: "access change"
  std::string plural = "";             // "access changes"
  // The summary, the refusal and the warnings: given room before every other block, and cut
  // only when they alone do not fit.
  bool keep_whole = false;
};

// The blocks in order, at most `max_bytes` bytes, ending in one newline. When all of them do
// not fit, each keep_whole block gets its rows first, then the other blocks in order get as many
// as still fit, so rows go from the end of the comment first. A block that lost rows ends in a
// line such as "… and 9,412 more access changes (not shown: the comment limit is 60000 bytes);
// run `certgate plan` for all of them", or says that none is shown. If not even the titles fit,
// the comment is cut after its last whole line that does.
std::string fit(const std::vector<Block>& blocks, size_t max_bytes);

}  // namespace certgate::render::md
