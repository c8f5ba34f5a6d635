// The man pages, generated so that they cannot drift from what they describe: certgate(1)
// from the command line the binary parses with (render/doc_model.h), certgate.toml(5) from
// schemas/certgate.schema.json, whose keys desired/schema_test.cc holds equal to
// desired/keys.cc. `certgate __doc man1|man5` prints them; the build writes them. PURE.
#pragma once

#include <string>

#include "base/result.h"
#include "render/doc_model.h"

namespace certgate::render {

// certgate(1): synopsis, every global option, every command with its options and arguments,
// environment, files, exit status.
std::string man_page_certgate(const CommandDoc& app, const std::string& version);

// certgate.toml(5): every table and key of the schema with its type, values and meaning.
// Errc::invalid when `schema_json` is not the schema's shape.
Result<std::string> man_page_certgate_toml(const std::string& schema_json,
                                           const std::string& version);

// The pieces both pages use: the .TH line (no date: reproducible builds), text escaped for roff
// (backslashes, a leading '.' or '\'', '-' as \-), bold and italic words, and lines of text
// without the blank ones (a blank line is a warning to groff -ww).
std::string man_header(const char* name, int section, const std::string& version);
std::string roff_escape(const std::string& text);
std::string bold(const std::string& text);
std::string italic(const std::string& text);
std::string paragraph(const std::string& text);
// Text lines of `doc` longer than 78 bytes broken at spaces (mandoc's style); requests kept.
std::string wrap_lines(const std::string& doc);

}  // namespace certgate::render
