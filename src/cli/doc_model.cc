#include "cli/doc_model.h"

namespace certgate::cli {
namespace {

// "TEXT:{compat,modern}" -> {"compat", "modern"}.
std::vector<std::string> choices_of(const std::string& type_name) {
  const size_t open = type_name.find('{');
  const size_t close = type_name.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  std::vector<std::string> out;
  std::string item;
  for (char c : type_name.substr(open + 1, close - open - 1)) {
    if (c == ',') {
      out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

render::OptionDoc describe_option(const CLI::Option& o) {
  render::OptionDoc d;
  d.positional = !o.nonpositional();
  if (d.positional) {
    d.names.push_back(o.get_name(true));
  } else {
    for (const std::string& s : o.get_snames()) d.names.push_back("-" + s);
    for (const std::string& l : o.get_lnames()) d.names.push_back("--" + l);
  }
  d.takes_value = o.get_expected_max() > 0;
  const std::string type = o.get_type_name();
  d.value = type.substr(0, type.find(':'));
  d.choices = choices_of(type);
  d.env = o.get_envname();
  if (d.takes_value) d.default_value = o.get_default_str();
  d.description = o.get_description();
  return d;
}

}  // namespace

render::CommandDoc describe_app(const CLI::App& app) {
  render::CommandDoc doc{app.get_name(), app.get_description(), {}, {}};
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_lnames() == std::vector<std::string>{"help"}) continue;
    doc.options.push_back(describe_option(*o));
  }
  for (const CLI::App* sub :
       app.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
    doc.subcommands.push_back(describe_app(*sub));
  return doc;
}

}  // namespace certgate::cli
