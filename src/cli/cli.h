// cli/: the command line (DESIGN.md section 2), on top of the pipeline.
//
// run() builds the CLI11 application with the global options and one subcommand per file
// (cmd_*.cc), parses argv, and returns the process exit code. Only cli/ and agent/ build the
// real implementations of the effect interfaces and choose exit codes.
#pragma once

namespace certgate::cli {

// Parses argv and runs the chosen command. Returns 0, 1, or 2 (plan --detailed-exitcode).
int run(int argc, char** argv);

}  // namespace certgate::cli
