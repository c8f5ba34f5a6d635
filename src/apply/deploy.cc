#include "apply/deploy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <optional>

#include "pki/inspect.h"
#include "pki/random.h"
#include "plan/deploy.h"
#include "render/nginx_files.h"

namespace certgate::apply {
namespace {

using sys::join_path;

constexpr std::uint32_t kFileMode = 0644;  // nginx's workers read these; nothing secret in them
constexpr std::uint32_t kDirMode = 0755;
constexpr const char* kManifest = "MANIFEST";

// rel -> replacement bytes, or nullopt to remove the file.
using Changes = std::map<std::string, std::optional<std::string>>;
// rel -> whether the file existed before the deploy (its bytes wait in .certgate-previous/).
using Manifest = std::map<std::string, bool>;

Result<Changes> changes(sys::Filesystem& fs, const DeployRequest& req) {
  Changes out;
  for (const auto& [rel, bytes] : req.files) {
    auto now = fs.read(join_path(req.dir, rel));
    if (now && *now == bytes) continue;
    if (!now && now.error().code != Errc::not_found) return now.error();
    out[rel] = bytes;
  }
  auto names = fs.list(join_path(req.dir, "sites"));
  if (!names) return names.error().code == Errc::not_found ? Result<Changes>(out) : names.error();
  for (const std::string& name : *names) {
    const std::string rel = "sites/" + name;
    if (req.files.contains(rel)) continue;
    auto bytes = fs.read(join_path(req.dir, rel));
    if (bytes && bytes->starts_with(observed::kGeneratedHeader)) out[rel] = std::nullopt;
  }
  return out;
}

std::string previous_dir(const DeployRequest& req) {
  return join_path(req.dir, observed::kPreviousDir);
}

Result<Manifest> read_manifest(sys::Filesystem& fs, const std::string& prev) {
  Manifest m;
  auto text = fs.read(join_path(prev, kManifest));
  if (!text) return text.error().code == Errc::not_found ? Result<Manifest>(m) : text.error();
  size_t pos = 0;
  while (pos < text->size()) {
    size_t nl = text->find('\n', pos);
    std::string line = text->substr(pos, nl - pos);
    pos = nl == std::string::npos ? text->size() : nl + 1;
    if (line.starts_with("present ")) m[line.substr(8)] = true;
    if (line.starts_with("absent ")) m[line.substr(7)] = false;
  }
  return m;
}

// Saves the current version of every file about to change, unless an interrupted deploy already
// saved an older one (that one is what nginx last accepted). The manifest is written last.
Result<Manifest> save_previous(sys::Filesystem& fs, const DeployRequest& req,
                               const Changes& changes) {
  const std::string prev = previous_dir(req);
  auto manifest = read_manifest(fs, prev);
  if (!manifest) return manifest.error();
  if (auto r = fs.make_dirs(join_path(prev, "sites"), 0700); !r) return r.error();
  for (const auto& [rel, bytes] : changes) {
    if (manifest->contains(rel)) continue;
    auto old = fs.read(join_path(req.dir, rel));
    if (!old && old.error().code != Errc::not_found) return old.error();
    (*manifest)[rel] = old.has_value();
    if (old) {
      if (auto r = fs.write_deferred(join_path(prev, rel), *old, kFileMode); !r) return r.error();
    }
  }
  // One flush for all the copies (a revocation rewrites every file of a target: 43 with 20
  // sites), then the manifest that names them, durably.
  if (auto r = fs.sync(); !r) return r.error();
  std::string text;
  for (const auto& [rel, present] : *manifest)
    text += (present ? "present " : "absent ") + rel + "\n";
  if (auto r = fs.write_atomic(join_path(prev, kManifest), text, 0600); !r) return r.error();
  return manifest;
}

// Removes the manifest first (the deploy is then over), then every saved copy: also copies a
// deploy killed before writing its manifest left behind, which no manifest names.
Result<void> forget_previous(sys::Filesystem& fs, const DeployRequest& req) {
  const std::string prev = previous_dir(req);
  if (auto r = fs.remove(join_path(prev, kManifest)); !r) return r;
  for (const std::string& dir : {join_path(prev, "sites"), prev}) {
    auto names = fs.list(dir);
    if (!names) {
      if (names.error().code == Errc::not_found) continue;
      return names.error();
    }
    for (const std::string& name : *names) {
      const std::string path = join_path(dir, name);
      if (auto info = fs.stat(path); info && info->kind == sys::FileKind::directory) continue;
      if (auto r = fs.remove(path); !r) return r;
    }
  }
  if (auto r = fs.remove(join_path(prev, "sites")); !r) return r;
  return fs.remove(prev);
}

// Puts back what the manifest saved, byte for byte, then forgets it.
Result<void> restore_previous(sys::Filesystem& fs, const DeployRequest& req,
                              const Manifest& manifest) {
  const std::string prev = previous_dir(req);
  for (const auto& [rel, present] : manifest) {
    const std::string path = join_path(req.dir, rel);
    if (!present) {
      if (auto r = fs.remove(path); !r) return r;
      continue;
    }
    auto bytes = fs.read(join_path(prev, rel));
    if (!bytes) return bytes.error();
    if (auto r = fs.write_deferred(path, *bytes, kFileMode); !r) return r;
  }
  if (auto r = fs.sync(); !r) return r;
  return forget_previous(fs, req);
}

// PEM files first and http.conf last, so that a reader never sees a site include naming a
// variable the http.conf on disk does not define yet (nginx reads them all at once anyway).
int install_rank(const std::string& rel) {
  if (rel.ends_with(".pem")) return 0;
  return rel == "http.conf" ? 2 : 1;
}

Result<std::vector<std::string>> install(sys::Filesystem& fs, const DeployRequest& req,
                                         const Changes& changes, DeployResult& result) {
  if (auto r = fs.make_dirs(join_path(req.dir, "sites"), kDirMode); !r) return r.error();
  std::vector<std::string> order;
  for (const auto& [rel, bytes] : changes) order.push_back(rel);
  std::stable_sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    return install_rank(a) < install_rank(b);
  });
  for (const std::string& rel : order) {
    const auto& bytes = changes.at(rel);
    // A new inode for every file: nginx >= 1.27.4 reuses a cached CRL whose inode and mtime
    // did not change (DESIGN.md section 7).
    auto r = bytes ? fs.write_deferred(join_path(req.dir, rel), *bytes, kFileMode)
                   : fs.remove(join_path(req.dir, rel));
    if (!r) return r.error();
    (bytes ? result.written : result.removed).push_back(rel);
  }
  // Durable before nginx reads them: a reload must never load files a crash could undo.
  if (auto r = fs.sync(); !r) return r.error();
  std::sort(result.written.begin(), result.written.end());
  return order;
}

Error command_error(const std::string& what, const sys::Command& c, const sys::CommandOutput& o,
                    const std::string& after) {
  std::string text = o.err + o.out;
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return make_error(Errc::command_failed, what + " `" + c.shell + "` failed (" +
                                              sys::describe_end(o, c) + "); " + after +
                                              (text.empty() ? "" : ":\n" + text));
}

// Runs test, then reload; the error carries the failing command's output.
Result<void> test_and_reload(targets::Target& target, const DeployRequest& req,
                             DeployResult& result) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  sys::Command test{req.test, req.command_timeout};
  auto t = target.runner().run(test);
  if (!t) return t.error();
  if (!t->succeeded())
    return command_error("nginx test", test, *t,
                         "the previous files are restored and nginx was not reloaded");
  const auto t1 = Clock::now();
  sys::Command reload{req.reload, req.command_timeout};
  auto r = target.runner().run(reload);
  if (!r) return r.error();
  if (!r->succeeded())
    return command_error("nginx reload", reload, *r, "the previous files are restored");
  result.reloaded = true;
  using ms = std::chrono::duration<double, std::milli>;
  spdlog::debug("timing target={} nginx_test_ms={:.1f} nginx_reload_ms={:.1f}", target.name(),
                ms(t1 - t0).count(), ms(Clock::now() - t1).count());
  return {};
}

}  // namespace

Result<DeployResult> deploy(targets::Target& target, const DeployRequest& req) {
  sys::Filesystem& fs = target.fs();
  DeployResult result;
  for (const auto& [rel, bytes] : req.files) result.deployed[rel] = pki::sha256_hex(bytes);
  auto todo = changes(fs, req);
  if (!todo) return todo.error();
  const bool interrupted = fs.stat(previous_dir(req)).has_value();
  if (todo->empty() && !interrupted) return result;
  if (auto r = fs.make_dirs(req.dir, kDirMode); !r) return r.error();
  auto manifest = save_previous(fs, req, *todo);
  if (!manifest) return manifest.error();
  auto installed = install(fs, req, *todo, result);
  Result<void> outcome = installed ? test_and_reload(target, req, result) : installed.error();
  if (!outcome) {
    spdlog::warn("deploy failed, restoring previous files target={} dir={}", target.name(),
                 req.dir);
    if (auto r = restore_previous(fs, req, *manifest); !r)
      return make_error(outcome.error().code,
                        outcome.error().message +
                            "\nrestoring the previous files failed too: " + r.error().message);
    return outcome.error();
  }
  if (auto r = forget_previous(fs, req); !r) return r.error();
  spdlog::info("deployed target={} written={} removed={} reloaded={}", target.name(),
               result.written.size(), result.removed.size(), result.reloaded);
  return result;
}

Result<std::map<std::string, std::string>> target_files(
    const desired::DesiredState& desired, const std::vector<std::string>& sites,
    const std::string& dir, const observed::ObservedState& observed, const std::string& ca_pem,
    const std::string& crl_pem, const std::string& generated_from, base::Instant now) {
  auto crl = pki::inspect_crl(crl_pem, ca_pem);
  if (!crl) return make_error(Errc::invalid, "the CRL is not deployable: " + crl.error().message);
  if (!crl->is_signed_by_ca)
    return make_error(Errc::invalid, "the CRL is not signed by the CA; not deploying it");
  if (crl->next_update < now + std::chrono::hours{1})
    return make_error(Errc::invalid, "the CRL's nextUpdate " +
                                         base::format_rfc3339(crl->next_update) +
                                         " is less than an hour ahead; not deploying it "
                                         "(nginx would soon refuse every client)");
  render::NginxInputs in;
  in.dir = dir;
  in.generated_from = generated_from;
  in.crl_number = crl->number;
  in.now = now;
  for (auto& [device, serial] : plan::live_certs_after(plan::Plan{}, observed, now))
    in.certs.push_back({device, serial});
  in.ca_pem = ca_pem;
  in.crl_pem = crl_pem;
  return render::nginx_files(desired, sites, in);
}

}  // namespace certgate::apply
