#include "base/markup.h"

#include <doctest/doctest.h>

namespace certgate::base {

TEST_CASE("markup: the five special characters become entities") {
  CHECK(escape_markup("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f");
  CHECK(escape_markup("<script>alert(1)</script>") == "&lt;script&gt;alert(1)&lt;/script&gt;");
}

TEST_CASE("markup: plain text and UTF-8 pass through unchanged") {
  CHECK(escape_markup("") == "");
  CHECK(escape_markup("alice-phone") == "alice-phone");
  CHECK(escape_markup("Example \xE2\x80\x94 CA") == "Example \xE2\x80\x94 CA");
  CHECK(escape_markup("a\tb\nc\r") == "a\tb\nc\r");
}

TEST_CASE("markup: controls XML does not allow become U+FFFD") {
  CHECK(escape_markup(std::string_view("a\0b", 3)) ==
        "a\xEF\xBF\xBD"
        "b");
  CHECK(escape_markup("\x1b[31m") == "\xEF\xBF\xBD[31m");
  CHECK(escape_markup("\x7f") == "\xEF\xBF\xBD");
}

}  // namespace certgate::base
