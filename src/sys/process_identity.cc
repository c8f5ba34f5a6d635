#include "sys/process_identity.h"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>

namespace certgate::sys {

std::string process_identity() {
  struct stat st {};
  if (::stat("/proc/self/exe", &st) != 0) return "";
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) return "";
  const long long mtime_ns =
      static_cast<long long>(st.st_mtim.tv_sec) * 1000000000LL + st.st_mtim.tv_nsec;
  return "exe=" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" +
         std::to_string(st.st_size) + ":" + std::to_string(mtime_ns) + " cwd=" + cwd +
         " uid=" + std::to_string(::geteuid()) + " tty=" + (::isatty(STDOUT_FILENO) ? "1" : "0");
}

}  // namespace certgate::sys
