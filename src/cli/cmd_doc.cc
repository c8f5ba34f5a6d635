// Hidden commands for what ships with certgate, so that it is made from the binary itself:
//   certgate __doc man1|man5|bash|zsh [--schema FILE]   the man pages and completion scripts
//   certgate __complete device|site                     names for the completion scripts
#include <cstdio>

#include "cli/commands.h"
#include "cli/doc_model.h"
#include "cli/load.h"
#include "desired/entry_names.h"
#include "render/completion.h"
#include "render/man_page.h"
#include "sys/real_filesystem.h"

namespace certgate::cli {
namespace {

struct DocFlags {
  std::string what;
  std::string schema = "schemas/certgate.schema.json";
};

int run_doc(const CLI::App& app, const DocFlags& f) {
  const render::CommandDoc doc = describe_app(app);
  std::string out;
  if (f.what == "man1") {
    out = render::man_page_certgate(doc, CERTGATE_VERSION);
  } else if (f.what == "bash") {
    out = render::bash_completion(doc);
  } else if (f.what == "zsh") {
    out = render::zsh_completion(doc);
  } else {
    sys::RealFilesystem fs;
    auto text = fs.read(f.schema);
    if (!text) return fail("__doc man5: " + f.schema + ": " + text.error().message);
    auto page = render::man_page_certgate_toml(*text, CERTGATE_VERSION);
    if (!page) return fail("__doc man5: " + page.error().message);
    out = *page;
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

// Quiet and quick: a completion must never print an error into the command line, nor reach
// the network (a URL source prints nothing).
int run_complete(const GlobalOptions& g, const std::string& kind) {
  if (g.source.source.find("://") != std::string::npos) return 0;
  sys::RealFilesystem fs;
  source::SourceOptions options = source_options(g);
  auto snap = source::load(options, fs);
  if (!snap) return 0;
  for (const std::string& name : desired::entry_names(snap->text, kind))
    std::printf("%s\n", name.c_str());
  return 0;
}

}  // namespace

void add_doc_commands(CLI::App& app, GlobalOptions& g, CommandTable& commands) {
  auto flags = std::make_shared<DocFlags>();
  CLI::App* doc = app.add_subcommand("__doc", "Print a man page or a completion script");
  doc->group("");
  doc->add_option("WHAT", flags->what, "man1, man5, bash or zsh")
      ->required()
      ->check(CLI::IsMember({"man1", "man5", "bash", "zsh"}));
  doc->add_option("--schema", flags->schema, "schemas/certgate.schema.json, for man5");
  commands[doc] = [&app, flags] { return run_doc(app, *flags); };
  auto kind = std::make_shared<std::string>();
  CLI::App* complete = app.add_subcommand("__complete", "Print device or site names");
  complete->group("");
  complete->add_option("KIND", *kind, "device or site")
      ->required()
      ->check(CLI::IsMember({"device", "site"}));
  commands[complete] = [&g, kind] { return run_complete(g, *kind); };
}

}  // namespace certgate::cli
