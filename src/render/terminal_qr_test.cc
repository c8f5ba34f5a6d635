#include "render/terminal_qr.h"

#include <doctest/doctest.h>

#include <vector>

namespace certgate::render {
namespace {

// The module rows back from the glyphs: true = ink.
std::vector<std::vector<bool>> modules(const std::string& qr) {
  std::vector<std::vector<bool>> rows;
  size_t at = 0;
  while (at < qr.size()) {
    const size_t end = qr.find('\n', at);
    std::vector<bool> top, bottom;
    for (size_t i = at; i < end;) {
      if (qr[i] == ' ') {
        top.push_back(false);
        bottom.push_back(false);
        ++i;
        continue;
      }
      REQUIRE(qr.compare(i, 2, "\xE2\x96") == 0);
      const char c = qr[i + 2];
      top.push_back(c == '\x80' || c == '\x88');
      bottom.push_back(c == '\x84' || c == '\x88');
      i += 3;
    }
    rows.push_back(top);
    rows.push_back(bottom);
    at = end + 1;
  }
  return rows;
}

// ISO/IEC 18004's finder pattern at (x, y): a dark 7x7 ring, a light ring, a dark 3x3 core.
bool is_finder(const std::vector<std::vector<bool>>& dark, int x, int y) {
  for (int dy = 0; dy < 7; ++dy) {
    for (int dx = 0; dx < 7; ++dx) {
      const bool ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
      const bool core = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
      if (dark[static_cast<size_t>(y + dy)][static_cast<size_t>(x + dx)] != (ring || core))
        return false;
    }
  }
  return true;
}

}  // namespace

TEST_CASE("terminal QR: a square code with a quiet zone and three finder patterns") {
  const std::string url =
      "https://admin.example.com/.well-known/certgate/e/0123456789abcdef0123456789abcdef01234567/";
  auto qr = terminal_qr(url, QrColors::none);
  REQUIRE(qr);
  auto ink = modules(*qr);
  const size_t size = ink.front().size();
  CHECK(ink.size() == size + 1);  // an odd number of module rows, padded by a half row
  // Without colours the ink is light: dark modules are the blanks.
  std::vector<std::vector<bool>> dark(size, std::vector<bool>(size));
  for (size_t y = 0; y < size; ++y)
    for (size_t x = 0; x < size; ++x) dark[y][x] = !ink[y][x];
  for (size_t i = 0; i < size; ++i) {
    for (size_t q = 0; q < 4; ++q) {
      CHECK_FALSE(dark[q][i]);
      CHECK_FALSE(dark[size - 1 - q][i]);
      CHECK_FALSE(dark[i][q]);
      CHECK_FALSE(dark[i][size - 1 - q]);
    }
  }
  const int far = static_cast<int>(size) - 4 - 7;
  CHECK(is_finder(dark, 4, 4));
  CHECK(is_finder(dark, far, 4));
  CHECK(is_finder(dark, 4, far));
  CHECK_FALSE(is_finder(dark, far, far));
  CHECK((size - 8 - 21) % 4 == 0);  // a QR code is 21 + 4k modules wide
}

TEST_CASE("terminal QR: ANSI colours draw black ink on white, line by line") {
  auto qr = terminal_qr("https://a.ex/", QrColors::ansi);  // 13 bytes: version 1
  REQUIRE(qr);
  size_t lines = 0;
  for (size_t at = 0; at < qr->size(); at = qr->find('\n', at) + 1) {
    CHECK(qr->compare(at, 8, "\x1b[30;47m") == 0);
    const size_t end = qr->find('\n', at);
    CHECK(qr->compare(end - 4, 4, "\x1b[0m") == 0);
    ++lines;
  }
  CHECK(lines == (21 + 8 + 1) / 2);
  // The top quiet zone is two rows of blank cells on the white background.
  CHECK(qr->compare(8, 29, std::string(29, ' ')) == 0);
}

TEST_CASE("terminal QR: empty and oversized texts are refused") {
  CHECK(terminal_qr("", QrColors::none).error().code == Errc::invalid);
  CHECK(terminal_qr(std::string(8000, 'x'), QrColors::none).error().code == Errc::invalid);
}

}  // namespace certgate::render
