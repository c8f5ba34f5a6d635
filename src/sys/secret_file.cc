#include "sys/secret_file.h"

#include <cstdio>

namespace certgate::sys {

Result<void> check_private(Filesystem& fs, const std::string& path) {
  auto info = fs.stat(path);
  if (!info) return info.error().code == Errc::not_found ? Result<void>() : info.error();
  if ((info->mode & 077) == 0) return {};
  char mode[16];
  std::snprintf(mode, sizeof mode, "%04o", info->mode);
  const bool folder = info->kind == FileKind::directory;
  return make_error(Errc::refused, "refusing to use " + path + ": its mode is " + mode +
                                       ", open to others; it holds secrets: run chmod " +
                                       (folder ? "700" : "600") +
                                       " on it and check who has seen them");
}

Result<void> prepare_private_dir(Filesystem& fs, const std::string& dir) {
  if (!fs.stat(dir)) return fs.make_dirs(dir, 0700);
  return check_private(fs, dir);
}

Result<std::string> read_secret(Filesystem& fs, const std::string& path) {
  if (auto r = check_private(fs, path); !r) return r.error();
  return fs.read(path);
}

}  // namespace certgate::sys
