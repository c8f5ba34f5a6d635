// certgate: nginx client-certificate access, kept in git. See cli/cli.h.
#include <malloc.h>

#include <cstdio>
#include <exception>

#include "cli/cli.h"

int main(int argc, char** argv) {
  // Large buffers (a 10,000-device http.conf is a megabyte, read, rendered and hashed several
  // times per run) come from the heap and are reused, instead of fresh mmap()s whose every page
  // faults on first touch: a fifth of a no-change plan's time on a VM, in the profile.
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  try {
    return certgate::cli::run(argc, argv);
  } catch (const std::exception& e) {
    // Last resort: no exception is meant to get here (../shared/STYLE.md section 3).
    std::fprintf(stderr, "certgate: internal error: %s\n", e.what());
    return 1;
  }
}
