// Shell completion for bash and zsh, generated from the command line the binary parses with
// (render/doc_model.h): commands, options, the values of options with a fixed set of them
// (--profile, --log-format, ...), files for the other options, and device and site names for
// DEVICE and SITE arguments, which the scripts ask of `certgate __complete device|site` (read
// from the desired state that --source and --file name). PURE.
#pragma once

#include <string>

#include "render/doc_model.h"

namespace certgate::render {

std::string bash_completion(const CommandDoc& app);
std::string zsh_completion(const CommandDoc& app);

}  // namespace certgate::render
