#include "observed/deployed.h"

#include "pki/random.h"

namespace certgate::observed {
namespace {

Result<void> read_into(sys::Filesystem& fs, const std::string& dir, const std::string& rel,
                       TargetFiles& out) {
  auto bytes = fs.read(sys::join_path(dir, rel));
  if (!bytes) {
    if (bytes.error().code == Errc::not_found) return {};
    return bytes.error();
  }
  DeployedFile f;
  f.sha256 = pki::sha256_hex(*bytes);
  f.is_generated = bytes->starts_with(kGeneratedHeader);
  if (rel.ends_with(".conf")) f.text = std::move(*bytes);
  out.files[rel] = std::move(f);
  return {};
}

}  // namespace

Result<TargetFiles> observe_deployed(targets::Target& target, const std::string& dir) {
  TargetFiles out;
  out.target = target.name();
  out.dir = dir;
  sys::Filesystem& fs = target.fs();
  if (auto info = fs.stat(dir); !info) {
    if (info.error().code == Errc::not_found) return out;
    return info.error();
  }
  for (const char* rel : {"ca.pem", "crl.pem", "http.conf"}) {
    if (auto r = read_into(fs, dir, rel, out); !r) return r.error();
  }
  if (auto names = fs.list(sys::join_path(dir, "sites"))) {
    for (const std::string& name : *names) {
      if (auto r = read_into(fs, dir, "sites/" + name, out); !r) return r.error();
    }
  } else if (names.error().code != Errc::not_found) {
    return names.error();
  }
  out.has_interrupted_deploy = fs.stat(sys::join_path(dir, kPreviousDir)).has_value();
  return out;
}

}  // namespace certgate::observed
