#include "desired/table_reader.h"

#include <algorithm>

#include "base/duration.h"
#include "base/text.h"
#include "desired/keys.h"

namespace certgate::desired {
namespace {

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "nothing";
  }
}

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

}  // namespace

base::SourceLoc to_loc(const toml::source_region& region, const std::string& file) {
  return base::SourceLoc{file, static_cast<int>(region.begin.line),
                         static_cast<int>(region.begin.column)};
}

TableReader::TableReader(const toml::table& t, std::string_view table, std::string label,
                         const std::string& file, base::Diagnostics& diags)
    : t_(t), keys_(keys_of(table)), label_(std::move(label)), file_(file), diags_(diags) {}

base::SourceLoc TableReader::loc() const {
  base::SourceLoc l = to_loc(t_.source(), file_);
  if (l.line == 0) l = {file_, 1, 1};  // the implicit root table
  return l;
}

base::SourceLoc TableReader::loc_of(std::string_view key) const {
  const toml::node* n = get(key);
  return n ? to_loc(n->source(), file_) : loc();
}

bool TableReader::has(std::string_view key) const { return get(key) != nullptr; }

void TableReader::error(const base::SourceLoc& l, std::string message) {
  diags_.error(l, std::move(message));
}

void TableReader::warning(const base::SourceLoc& l, std::string message) {
  diags_.warning(l, std::move(message));
}

const toml::node* TableReader::get(std::string_view key) const {
  CG_CHECK(std::find(keys_.begin(), keys_.end(), key) != keys_.end());
  return t_.get(key);
}

void TableReader::wrong_type(std::string_view key, const toml::node& n, std::string_view expected) {
  error(to_loc(n.source(), file_),
        quoted(key) + " must be " + std::string(expected) + ", not " + std::string(type_name(n)));
}

bool TableReader::require(std::string_view key) {
  if (has(key)) return true;
  error(loc(), "missing required key " + quoted(key) + " in " + label_);
  return false;
}

bool TableReader::check_visible(std::string_view key, const toml::node& n, Tabs tabs) {
  auto problem = hidden_text_problem(n.as_string()->get(), tabs);
  if (!problem) return true;
  error(to_loc(n.source(), file_), quoted(key) + ": " + *problem + " is not allowed");
  return false;
}

std::optional<LocatedString> TableReader::string_of(std::string_view key, Tabs tabs) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_string()) {
    wrong_type(key, *n, "a string");
    return std::nullopt;
  }
  if (!check_visible(key, *n, tabs)) return std::nullopt;
  return LocatedString{n->as_string()->get(), to_loc(n->source(), file_)};
}

std::optional<LocatedString> TableReader::string(std::string_view key) {
  return string_of(key, Tabs::refused);
}

std::optional<LocatedString> TableReader::command(std::string_view key) {
  return string_of(key, Tabs::allowed);
}

std::optional<std::int64_t> TableReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_integer()) {
    wrong_type(key, *n, "an integer");
    return std::nullopt;
  }
  const std::int64_t v = n->as_integer()->get();
  if (v < min || v > max) {
    error(to_loc(n->source(), file_), quoted(key) + " must be between " + std::to_string(min) +
                                          " and " + std::to_string(max) + ", not " +
                                          std::to_string(v));
    return std::nullopt;
  }
  return v;
}

std::optional<bool> TableReader::boolean(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_boolean()) {
    wrong_type(key, *n, "true or false");
    return std::nullopt;
  }
  return n->as_boolean()->get();
}

std::optional<std::vector<LocatedString>> TableReader::strings(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  if (!n->is_array()) {
    wrong_type(key, *n, "an array of strings");
    return std::nullopt;
  }
  std::vector<LocatedString> out;
  bool ok = true;
  for (const toml::node& item : *n->as_array()) {
    if (!item.is_string()) {
      error(to_loc(item.source(), file_),
            "items of " + quoted(key) + " must be strings, not " + std::string(type_name(item)));
      ok = false;
      continue;
    }
    if (!check_visible(key, item, Tabs::refused)) {
      ok = false;
      continue;
    }
    out.push_back({item.as_string()->get(), to_loc(item.source(), file_)});
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<std::chrono::seconds> TableReader::duration(std::string_view key) {
  auto s = string(key);
  if (!s) return std::nullopt;
  auto d = base::parse_duration(s->value);
  if (!d) {
    error(s->loc, quoted(key) + ": " + d.error().message);
    return std::nullopt;
  }
  return *d;
}

std::optional<base::Instant> TableReader::instant(std::string_view key, BareDate bare_date) {
  const toml::node* n = get(key);
  if (!n) return std::nullopt;
  const base::SourceLoc l = to_loc(n->source(), file_);
  const std::string_view date_hint = bare_date == BareDate::end_of_day ? " or a date" : "";
  Result<base::Instant> t = make_error(Errc::invalid, "");
  if (n->is_string()) {
    if (!check_visible(key, *n, Tabs::refused)) return std::nullopt;
    const std::string& s = n->as_string()->get();
    t = (bare_date == BareDate::end_of_day && s.size() == 10) ? base::parse_date(s)
                                                              : base::parse_rfc3339(s);
    if (t && s.size() == 10) t = *t + std::chrono::seconds(86399);
  } else if (n->is_date_time()) {
    const toml::date_time& dt = n->as_date_time()->get();
    if (!dt.offset) {
      error(l, quoted(key) + ": a date-time needs a UTC offset (\"Z\" or \"+02:00\")");
      return std::nullopt;
    }
    t = base::make_instant(dt.date.year, dt.date.month, dt.date.day, dt.time.hour, dt.time.minute,
                           dt.time.second, dt.offset->minutes);
  } else if (n->is_date() && bare_date == BareDate::end_of_day) {
    const toml::date& d = n->as_date()->get();
    t = base::make_instant(d.year, d.month, d.day, 23, 59, 59, 0);
  } else {
    wrong_type(key, *n, "an RFC 3339 date-time" + std::string(date_hint));
    return std::nullopt;
  }
  if (!t) {
    error(l, quoted(key) + ": " + t.error().message);
    return std::nullopt;
  }
  return *t;
}

const toml::table* TableReader::table(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  if (!n->is_table()) {
    wrong_type(key, *n, "a table ([" + std::string(key) + "])");
    return nullptr;
  }
  return n->as_table();
}

const toml::array* TableReader::array_of_tables(std::string_view key) {
  const toml::node* n = get(key);
  if (!n) return nullptr;
  // An empty array has no element type; `device = []` means "no devices".
  const bool empty_array = n->is_array() && n->as_array()->empty();
  if (!n->is_array_of_tables() && !empty_array) {
    wrong_type(key, *n, "an array of tables ([[" + std::string(key) + "]])");
    return nullptr;
  }
  return n->as_array();
}

void TableReader::report_unknown_keys() {
  for (auto&& [k, v] : t_) {
    const std::string_view name = k.str();
    if (std::find(keys_.begin(), keys_.end(), name) != keys_.end()) continue;
    // A quoted key can hold anything; name it without echoing what would reach the terminal.
    if (auto hidden = hidden_text_problem(name)) {
      error(to_loc(k.source(), file_), "unknown key with a " + *hidden + " in " + label_);
      continue;
    }
    std::string message = "unknown key " + quoted(name) + " in " + label_;
    if (auto near = base::closest_match(name, keys_)) {
      message += "; did you mean " + quoted(*near) + "?";
    }
    error(to_loc(k.source(), file_), std::move(message));
  }
}

}  // namespace certgate::desired
