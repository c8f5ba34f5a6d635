#include "render/markdown_fit.h"

#include <algorithm>

#include "render/markdown.h"

namespace certgate::render::md {

namespace {

// A block and the running byte count of its rows (prefix[k] = bytes of the first k rows).
struct Sized {
  const Block* block;
  std::vector<size_t> prefix;
};

std::string limit_words(size_t max_bytes) {
  return "the comment limit is " + std::to_string(max_bytes) + " bytes";
}

// The line after a block that shows `shown` of its rows, or "" when it shows all of them.
std::string cut_note(const Block& b, size_t shown, size_t max_bytes) {
  const size_t hidden = b.rows.size() - shown;
  if (hidden == 0) return "";
  const std::string what = hidden == 1 ? b.singular : b.plural;
  const std::string run = "; run `certgate plan` for all of them\n\n";
  if (shown == 0) {
    return thousands(hidden) + " " + what + " not shown (" + limit_words(max_bytes) + ")" + run;
  }
  return "… and " + thousands(hidden) + " more " + what + " (not shown: " + limit_words(max_bytes) +
         ")" + run;
}

bool is_absent(const Block& b) { return b.rows.empty() && b.title.empty(); }

// Everything but the rows: title, header (when a row is shown), the blank line, the note.
size_t frame_size(const Block& b, size_t shown, size_t max_bytes) {
  if (is_absent(b)) return 0;
  size_t n = b.title.size() + cut_note(b, shown, max_bytes).size();
  if (shown > 0) n += b.header.size() + 1;  // the rows end in a blank line
  if (b.rows.empty()) n += 1;
  return n;
}

size_t total_size(const std::vector<Sized>& blocks, const std::vector<size_t>& shown,
                  size_t max_bytes) {
  size_t n = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    n += frame_size(*blocks[i].block, shown[i], max_bytes) + blocks[i].prefix[shown[i]];
  }
  return n;
}

std::string render(const std::vector<Sized>& blocks, const std::vector<size_t>& shown,
                   size_t max_bytes) {
  std::string out;
  for (size_t i = 0; i < blocks.size(); ++i) {
    const Block& b = *blocks[i].block;
    if (is_absent(b)) continue;
    out += b.title;
    if (shown[i] > 0) out += b.header;
    for (size_t r = 0; r < shown[i]; ++r) out += b.rows[r];
    if (shown[i] > 0 || b.rows.empty()) out += "\n";
    out += cut_note(b, shown[i], max_bytes);
  }
  // Each block ends in a blank line; the comment ends in one newline.
  while (out.size() >= 2 && out[out.size() - 1] == '\n' && out[out.size() - 2] == '\n') {
    out.pop_back();
  }
  return out;
}

// The most rows of block i that fit with the others as they are in `shown`. The size is not
// strictly monotonic in the row count (a note's digits, the header that comes with the first
// row), so every answer is one that was measured to fit.
size_t most_rows(const std::vector<Sized>& blocks, std::vector<size_t> shown, size_t i,
                 size_t max_bytes) {
  auto fits = [&](size_t k) {
    shown[i] = k;
    return total_size(blocks, shown, max_bytes) <= max_bytes;  // render() drops trailing blanks
  };
  const size_t n = blocks[i].block->rows.size();
  if (fits(n)) return n;
  size_t lo = 0, hi = n;  // fits(hi) is false
  while (hi - lo > 1) {
    size_t mid = lo + (hi - lo) / 2;
    (fits(mid) ? lo : hi) = mid;
  }
  return lo > 0 && !fits(lo) ? 0 : lo;
}

// The last resort: the longest prefix of whole lines within max_bytes.
std::string cut_at_line(const std::string& text, size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  size_t end = text.rfind('\n', max_bytes == 0 ? 0 : max_bytes - 1);
  if (end == std::string::npos) return "";
  while (end > 0 && text[end - 1] == '\n') --end;
  return text.substr(0, end + 1);
}

}  // namespace

std::string fit(const std::vector<Block>& blocks, size_t max_bytes) {
  std::vector<Sized> sized;
  for (const Block& b : blocks) {
    Sized s{&b, {0}};
    for (const std::string& r : b.rows) s.prefix.push_back(s.prefix.back() + r.size());
    sized.push_back(std::move(s));
  }
  std::vector<size_t> shown(blocks.size(), 0);
  for (size_t i = 0; i < blocks.size(); ++i) shown[i] = blocks[i].rows.size();
  std::string all = render(sized, shown, max_bytes);
  if (all.size() <= max_bytes) return all;

  std::vector<size_t> order;
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (blocks[i].keep_whole) order.push_back(i);
  }
  for (size_t i = 0; i < blocks.size(); ++i) {
    if (!blocks[i].keep_whole) order.push_back(i);
  }
  std::fill(shown.begin(), shown.end(), 0);
  for (size_t i : order) shown[i] = most_rows(sized, shown, i, max_bytes);
  return cut_at_line(render(sized, shown, max_bytes), max_bytes);
}

}  // namespace certgate::render::md
