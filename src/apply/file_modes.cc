#include "apply/file_modes.h"

#include "render/pickup_conf.h"

namespace certgate::apply {

bool is_private(const std::string& rel) {
  return rel.starts_with(std::string(render::kPickupDir) + "/");
}

Result<void> write_target_file(sys::Filesystem& fs, const std::string& group,
                               const std::string& path, const std::string& rel,
                               const std::string& bytes, bool live) {
  if (!is_private(rel)) return fs.write_deferred(path, bytes, kFileMode);
  const std::string tmp = live
                              ? sys::join_path(sys::parent_path(path),
                                               ".certgate-restore." + rel.substr(rel.find('/') + 1))
                              : path;
  if (auto r = fs.write_deferred(tmp, bytes, kPrivateMode); !r) return r;
  if (!group.empty()) {
    if (auto r = fs.set_group(tmp, group); !r) {
      if (live) (void)fs.remove(tmp);
      return r;
    }
  }
  return live ? fs.rename(tmp, path) : Result<void>();
}

}  // namespace certgate::apply
