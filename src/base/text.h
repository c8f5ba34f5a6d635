// Small text helpers shared by diagnostics: "did you mean" suggestions and quoting.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace certgate::base {

// Levenshtein distance between two strings, case-sensitive.
int edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word` when it is plausibly a typo of it (case-insensitive match, or
// at most a third of the word's letters changed); nullopt otherwise.
std::optional<std::string> closest_match(std::string_view word,
                                         std::span<const std::string_view> candidates);

// Joins the items as `"a", "b" or "c"` for messages that list what is allowed.
std::string quoted_list(std::span<const std::string_view> items,
                        std::string_view last_sep = " or ");

}  // namespace certgate::base
