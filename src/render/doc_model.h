// The command line as data, for the documents generated from it (render/man_page.h,
// render/completion.h): cli/doc_model.cc reads it off the very CLI11 application `certgate`
// parses with, so a man page or a completion cannot name an option the binary lacks. PURE.
#pragma once

#include <string>
#include <vector>

namespace certgate::render {

struct OptionDoc {
  std::vector<std::string> names;  // "--source", "-v", "--verbose"; a positional: "DIR"
  bool positional = false;
  bool takes_value = false;          // false for a flag
  std::string value = "";            // its value's name: TEXT, INT, ...
  std::vector<std::string> choices;  // from a {a,b} validator: completion offers them
  std::string env = "";              // CERTGATE_SOURCE
  std::string default_value = "";
  std::string description = "";
};

struct CommandDoc {
  std::string name;  // "certgate", "plan", "init" under "root"
  std::string description;
  std::vector<OptionDoc> options;  // --help left out
  std::vector<CommandDoc> subcommands;
};

}  // namespace certgate::render
