// The CLI11 application of `certgate` as a render::CommandDoc (render/doc_model.h).
#pragma once

#include <CLI/CLI.hpp>

#include "render/doc_model.h"

namespace certgate::cli {

// Every visible subcommand and option of `app`, in the order they were added. Hidden
// subcommands (an empty group) are left out.
render::CommandDoc describe_app(const CLI::App& app);

}  // namespace certgate::cli
