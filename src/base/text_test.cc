#include "base/text.h"

#include <doctest/doctest.h>

#include <array>

namespace certgate::base {

TEST_CASE("text: edit distance") {
  CHECK(edit_distance("", "") == 0);
  CHECK(edit_distance("abc", "abc") == 0);
  CHECK(edit_distance("validty", "validity") == 1);
  CHECK(edit_distance("kitten", "sitting") == 3);
  CHECK(edit_distance("", "abc") == 3);
}

TEST_CASE("text: suggestions for typos, none for unrelated words") {
  constexpr std::array<std::string_view, 4> keys = {"name", "groups", "validity", "owner"};
  CHECK(closest_match("validty", keys) == "validity");
  CHECK(closest_match("group", keys) == "groups");
  CHECK(closest_match("nmae", keys) == "name");
  CHECK(closest_match("OWNER", keys) == "owner");
  CHECK_FALSE(closest_match("directory", keys));
  CHECK_FALSE(closest_match("x", keys));
}

TEST_CASE("text: quoted lists") {
  constexpr std::array<std::string_view, 3> items = {"a", "b", "c"};
  CHECK(quoted_list(items) == "\"a\", \"b\" or \"c\"");
  CHECK(quoted_list(std::span(items).first(1)) == "\"a\"");
}

}  // namespace certgate::base
