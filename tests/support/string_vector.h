// Lets doctest print std::vector<std::string>, one item a line, so a failing comparison of
// expected lines shows a readable diff.
#pragma once

#include <doctest/doctest.h>

#include <string>
#include <vector>

namespace doctest {

template <>
struct StringMaker<std::vector<std::string>> {
  static String convert(const std::vector<std::string>& v) {
    std::string out = "[\n";
    for (const std::string& s : v) out += "  " + s + "\n";
    out += "]";
    return String(out.c_str());
  }
};

}  // namespace doctest
