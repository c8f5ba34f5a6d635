// certgate: nginx client-certificate access, kept in git. See cli/cli.h.
#include <cstdio>
#include <exception>

#include "cli/cli.h"

int main(int argc, char** argv) {
  try {
    return certgate::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // Last resort: no exception is meant to get here (../shared/STYLE.md section 3).
    std::fprintf(stderr, "certgate: internal error: %s\n", e.what());
    return 1;
  }
}
