#include "render/markdown_fit.h"

#include <doctest/doctest.h>

#include "render/markdown.h"

namespace certgate::render::md {
namespace {

Block head() {
  Block b;
  b.title = "### head\n";
  b.keep_whole = true;
  return b;
}

Block table(const std::string& title, size_t rows) {
  Block b{"#### " + title + "\n\n", table_header({"N"}), {}, "row", "rows"};
  for (size_t i = 0; i < rows; ++i) b.rows.push_back(table_row({std::to_string(i)}));
  return b;
}

TEST_CASE("markdown fit: everything that fits is shown whole") {
  CHECK(fit({head(), table("T", 2)}, 1000) ==
        "### head\n\n#### T\n\n| N |\n| --- |\n| 0 |\n| 1 |\n");
}

TEST_CASE("markdown fit: rows go from the end, and the cut is said") {
  const std::vector<Block> blocks = {head(), table("First", 100), table("Second", 100)};
  const std::string out = fit(blocks, 700);
  CHECK(out.size() > 700 - 20);  // the first table keeps as many rows as fit
  CHECK(out.size() <= 700);
  CHECK(out.find("| 0 |\n") != std::string::npos);
  CHECK(out.find("… and ") != std::string::npos);
  CHECK(out.find("more rows (not shown: the comment limit is 700 bytes); run `certgate plan` "
                 "for all of them\n") != std::string::npos);
  CHECK(out.find("#### Second\n\n100 rows not shown (the comment limit is 700 bytes); run "
                 "`certgate plan` for all of them\n") != std::string::npos);
  CHECK(out.ends_with("\n"));
  CHECK(!out.ends_with("\n\n"));
  for (size_t limit : {300u, 450u, 701u, 1200u}) CHECK(fit(blocks, limit).size() <= limit);
}

TEST_CASE("markdown fit: a block kept whole wins over earlier tables") {
  Block warnings{"", "", {}, "warning", "warnings"};
  warnings.keep_whole = true;
  for (int i = 0; i < 5; ++i)
    warnings.rows.push_back("> **Warning:** w" + std::to_string(i) + "\n");
  const std::string out = fit({head(), table("T", 100), warnings}, 400);
  CHECK(out.size() <= 400);
  CHECK(out.find("> **Warning:** w4\n") != std::string::npos);
  CHECK(out.find("more rows (not shown") != std::string::npos);
}

TEST_CASE("markdown fit: below the size of the titles, whole lines only") {
  const std::string out = fit({head(), table("T", 3)}, 12);
  CHECK(out == "### head\n");
  CHECK(fit({head()}, 3).empty());
}

}  // namespace
}  // namespace certgate::render::md
