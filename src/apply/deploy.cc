#include "apply/deploy.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <optional>
#include <set>

#include "apply/file_modes.h"
#include "apply/nginx_commands.h"
#include "observed/deployed.h"
#include "observed/manifest.h"
#include "pki/random.h"
#include "render/pickup_conf.h"

namespace certgate::apply {
namespace {

using sys::join_path;

constexpr const char* kManifest = "MANIFEST";
// The folders of DIR whose files certgate alone writes: a file not wanted there goes.
constexpr const char* kManaged[] = {"sites", render::kPickupDir};

Result<void> write_file(sys::Filesystem& fs, const DeployRequest& req, const std::string& path,
                        const std::string& rel, const std::string& bytes, bool live) {
  return write_target_file(fs, req.group, path, rel, bytes, live);
}

// rel -> replacement bytes, or nullopt to remove the file.
using Changes = std::map<std::string, std::optional<std::string>>;
// rel -> whether the file existed before the deploy (its bytes wait in .certgate-previous/).
using Manifest = std::map<std::string, bool>;

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

// Copies the current version of every file about to change into DIR/.certgate-previous/,
// unless an interrupted deploy already saved an older one (that one is what nginx last
// accepted). Not flushed: deploy() flushes the copies with the staged files, then writes the
// manifest that names them (write_manifest).
Result<Manifest> save_previous(sys::Filesystem& fs, const DeployRequest& req,
                               const Changes& changes) {
  const std::string prev = previous_dir(req);
  auto manifest = read_manifest(fs, prev);
  if (!manifest) return manifest.error();
  for (const char* folder : kManaged) {
    if (auto r = fs.make_dirs(join_path(prev, folder), 0700); !r) return r.error();
  }
  for (const auto& [rel, bytes] : changes) {
    auto old = fs.read(join_path(req.dir, rel));
    if (!old && old.error().code != Errc::not_found) return old.error();
    if (auto it = req.expected.find(rel); it != req.expected.end()) {
      const std::string now = old ? pki::sha256_hex(*old) : "";
      if (now != it->second)
        return make_error(Errc::stale, join_path(req.dir, rel) +
                                           " changed since the plan was made; nothing was "
                                           "deployed here (the next run plans again)");
    }
    if (manifest->contains(rel)) continue;
    (*manifest)[rel] = old.has_value();
    if (old) {
      auto r = fs.write_deferred(join_path(prev, rel), *old, is_private(rel) ? 0600 : kFileMode);
      if (!r) return r.error();
    }
  }
  return manifest;
}

Result<void> write_manifest(sys::Filesystem& fs, const DeployRequest& req,
                            const Manifest& manifest) {
  std::string text;
  for (const auto& [rel, present] : manifest)
    text += (present ? "present " : "absent ") + rel + "\n";
  return fs.write_atomic(join_path(previous_dir(req), kManifest), text, 0600);
}

// Removes the files of `dir` and of its managed folders, then the folders (what does not exist
// is gone).
Result<void> remove_folder(sys::Filesystem& fs, const std::string& dir) {
  for (const std::string& d : {join_path(dir, kManaged[0]), join_path(dir, kManaged[1]), dir}) {
    auto names = fs.list(d);
    if (!names) {
      if (names.error().code == Errc::not_found) continue;
      return names.error();
    }
    for (const std::string& name : *names) {
      const std::string path = join_path(d, name);
      if (auto info = fs.stat(path); info && info->kind == sys::FileKind::directory) continue;
      if (auto r = fs.remove(path); !r) return r;
    }
  }
  for (const char* folder : kManaged) {
    if (auto r = fs.remove(join_path(dir, folder)); !r) return r;
  }
  return fs.remove(dir);
}

// Removes the manifest first (the deploy is then over), then every saved copy: also copies a
// deploy killed before writing its manifest left behind, which no manifest names.
Result<void> forget_previous(sys::Filesystem& fs, const DeployRequest& req) {
  const std::string prev = previous_dir(req);
  if (auto r = fs.remove(join_path(prev, kManifest)); !r) return r;
  return remove_folder(fs, prev);
}

// Puts back what the manifest saved, byte for byte, then forgets it: every file after a crash
// (`changed` null: which ones changed is not known), else only those the failed deploy changed,
// so a full disk does not stop the restoring of files that never changed. A failure says which
// file it stopped at, which were put back before it, and which still hold the deploy's bytes.
Result<void> restore_previous(sys::Filesystem& fs, const DeployRequest& req,
                              const Manifest& manifest, const std::set<std::string>* changed) {
  const std::string prev = previous_dir(req);
  std::vector<std::string> todo, done;
  for (const auto& [rel, present] : manifest)
    if (!changed || changed->contains(rel)) todo.push_back(rel);
  for (const std::string& rel : todo) {
    const std::string path = join_path(req.dir, rel);
    Result<void> r = Result<void>();
    if (!manifest.at(rel)) {
      r = fs.remove(path);
    } else {
      auto bytes = fs.read(join_path(prev, rel));
      r = bytes ? write_file(fs, req, path, rel, *bytes, true) : Result<void>(bytes.error());
    }
    if (!r) {
      std::string left;
      for (size_t i = done.size(); i < todo.size(); ++i)
        left += (left.empty() ? "" : ", ") + todo[i];
      std::string put_back;
      for (const std::string& d : done) put_back += (put_back.empty() ? "" : ", ") + d;
      return make_error(r.error().code,
                        "restoring " + rel + " failed (" + r.error().message + "); " +
                            (put_back.empty() ? "" : "restored: " + put_back + "; ") +
                            "still the new bytes: " + left + "; the saved copies stay in " + prev +
                            " and the next apply puts them back");
    }
    done.push_back(rel);
  }
  if (auto r = fs.sync(); !r) return r;
  return forget_previous(fs, req);
}

// PEM files first and http.conf last, so that a reader never sees a site include naming a
// variable the http.conf on disk does not define yet (nginx reads them all at once anyway); the
// manifest, which names them all, after them.
int install_rank(const std::string& rel) {
  if (rel.ends_with(".pem")) return 0;
  if (rel == observed::kManifestFile) return 3;
  return rel == "http.conf" ? 2 : 1;
}

// PEM files first and http.conf last (see install_rank).
std::vector<std::string> install_order(const Changes& changes) {
  std::vector<std::string> order;
  for (const auto& [rel, bytes] : changes) order.push_back(rel);
  std::stable_sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    return install_rank(a) < install_rank(b);
  });
  return order;
}

// Writes every new file into DIR/.certgate-staging/ (on a remote host this is the upload, the
// part that can be cut off half way), without flushing. No live file changes.
Result<void> stage(sys::Filesystem& fs, const DeployRequest& req, const Changes& changes) {
  const std::string staging = join_path(req.dir, observed::kStagingDir);
  if (auto r = remove_folder(fs, staging); !r) return r;
  for (const char* folder : kManaged) {
    if (auto r = fs.make_dirs(join_path(staging, folder), 0700); !r) return r;
  }
  for (const auto& [rel, bytes] : changes) {
    if (!bytes) continue;
    if (auto r = write_file(fs, req, join_path(staging, rel), rel, *bytes, false); !r) return r;
  }
  return {};
}

// Renames each staged file into place (rename(2): atomic per file), removes the files no longer
// wanted, and flushes. A deploy cut off among the renames leaves whole files only, and its
// journal finishes the job on the next run.
Result<void> swap_in(sys::Filesystem& fs, const DeployRequest& req, const Changes& changes,
                     DeployResult& result) {
  const std::string staging = join_path(req.dir, observed::kStagingDir);
  if (auto r = fs.make_dirs(join_path(req.dir, "sites"), kDirMode); !r) return r;
  if (std::any_of(changes.begin(), changes.end(), [](auto& c) { return is_private(c.first); })) {
    const std::string pickup = join_path(req.dir, render::kPickupDir);
    if (auto r = fs.make_dirs(pickup, kPrivateDirMode); !r) return r;
    if (!req.group.empty()) {
      if (auto r = fs.set_group(pickup, req.group); !r) return r;
    }
  }
  for (const std::string& rel : install_order(changes)) {
    const auto& bytes = changes.at(rel);
    // A new inode for every file: nginx >= 1.27.4 reuses a cached CRL whose inode and mtime
    // did not change (DESIGN.md section 7).
    auto r = bytes ? fs.rename(join_path(staging, rel), join_path(req.dir, rel))
                   : fs.remove(join_path(req.dir, rel));
    if (!r) return r;
    (bytes ? result.written : result.removed).push_back(rel);
  }
  // Durable before nginx reads them: a reload must never load files a crash could undo.
  if (auto r = fs.sync(); !r) return r;
  std::sort(result.written.begin(), result.written.end());
  return remove_folder(fs, staging);
}

// The live files a deploy has replaced or removed so far, for messages: "http.conf, crl.pem".
std::string changed_so_far(const DeployResult& result) {
  std::string out;
  for (const auto* list : {&result.written, &result.removed})
    for (const std::string& rel : *list) out += (out.empty() ? "" : ", ") + rel;
  return out;
}

// No nginx runs to reload: `nginx -t` accepted the new files, so they are what nginx runs when it
// starts. They stay (a rollback would leave nginx nothing it can start with on a first run).
Result<void> not_running(targets::Target& target, const DeployRequest& req, DeployResult& result,
                         const Error& reload) {
  spdlog::warn("nginx is not running, the new files stay in place target={} error={}",
               target.name(), reload.message);
  result.nginx_not_running = true;
  return forget_previous(target.fs(), req);
}

// A deploy that did not finish left its journal. Its manifest may have been written and some or
// all of its files renamed into place, and its reload may even have run (a connection lost
// before the exit status came back). Whatever happened, the live files are whole: test them and
// reload; if nginx accepts them they are the new baseline, else the saved versions (what nginx
// last accepted) come back. Without a manifest no live file changed, or the deploy had already
// reloaded (the manifest is removed first): only copies to forget.
Result<void> finish_interrupted(targets::Target& target, const DeployRequest& req,
                                DeployResult& result) {
  sys::Filesystem& fs = target.fs();
  const std::string prev = previous_dir(req);
  // Staged files the interrupted deploy did not rename (or remove) are of no use now.
  if (auto r = remove_folder(fs, join_path(req.dir, observed::kStagingDir)); !r) return r;
  auto has_manifest = fs.stat(join_path(prev, kManifest));
  if (!has_manifest) {
    if (has_manifest.error().code != Errc::not_found) return has_manifest.error();
    return forget_previous(fs, req);
  }
  auto manifest = read_manifest(fs, prev);
  if (!manifest) return manifest.error();
  spdlog::warn("finishing an interrupted deploy target={} dir={}", target.name(), req.dir);
  NginxRun run;
  if (auto done = test_and_reload(target, req, result, run); !done) {
    if (run.not_running && req.first_deploy && (!req.serves || !req.serves()))
      return not_running(target, req, result, done.error());
    spdlog::warn("the interrupted deploy's files fail, restoring the saved ones target={} error={}",
                 target.name(), done.error().message);
    if (auto r = restore_previous(fs, req, *manifest, nullptr); !r) return r;
    // Restored and, when nginx may have loaded the failing files, reloaded with the restored
    // ones: this deploy goes on from there.
    if (run.reload_ran) {
      if (auto again = reload_restored(target, req); !again)
        return make_error(again.error().code,
                          "the interrupted deploy's files fail (" + done.error().message +
                              ") and reloading nginx with the restored files failed too: " +
                              again.error().message);
    }
    return {};
  }
  return forget_previous(fs, req);
}

}  // namespace

Result<DeployResult> deploy(targets::Target& target, const DeployRequest& req) {
  sys::Filesystem& fs = target.fs();
  DeployResult result;
  auto interrupted = fs.stat(previous_dir(req));
  if (interrupted) {
    if (auto r = finish_interrupted(target, req, result); !r) return r.error();
  } else if (interrupted.error().code != Errc::not_found) {
    return interrupted.error();
  }
  const Changes* todo = &req.changes;
  if (todo->empty()) return result;
  auto unchanged = [](const Error& e) {
    return make_error(e.code, e.message + "; no live file was changed");
  };
  if (auto r = fs.make_dirs(req.dir, kDirMode); !r) return unchanged(r.error());
  // The copies of what changes and the staged new files, flushed together; then the manifest
  // that names the copies, durably; only then does any live file change.
  auto manifest = save_previous(fs, req, *todo);
  if (!manifest) return unchanged(manifest.error());
  Result<void> outcome = stage(fs, req, *todo);
  if (outcome) outcome = fs.sync();
  if (outcome) outcome = write_manifest(fs, req, *manifest);
  if (!outcome) {
    // No live file changed yet (a failed upload or chgrp): only the copies and staging go.
    spdlog::warn("deploy failed before any file changed target={} dir={}", target.name(), req.dir);
    (void)remove_folder(fs, join_path(req.dir, observed::kStagingDir));
    (void)forget_previous(fs, req);
    return unchanged(outcome.error());
  }
  outcome = swap_in(fs, req, *todo, result);
  NginxRun run;
  if (outcome) outcome = test_and_reload(target, req, result, run);
  if (!outcome && run.not_running) {
    const bool serving = req.first_deploy && req.serves && req.serves();
    if (req.first_deploy && !serving) {
      if (auto r = not_running(target, req, result, outcome.error()); !r) return r.error();
      return result;
    }
    outcome = make_error(
        outcome.error().code,
        outcome.error().message +
            (serving ? "\nbut a site's probe answers: a server this [nginx] config does not "
                       "control (another nginx, another pid file) serves it; the previous files "
                       "are restored"
                     : "\ncertgate deployed to this target before, so the nginx that ran those "
                       "files may still run, reached by other means than the reload; the "
                       "previous files are restored (start nginx, or check its pid file)"));
  }
  if (!outcome) {
    spdlog::warn("deploy failed, restoring previous files target={} dir={}", target.name(),
                 req.dir);
    const std::string touched = changed_so_far(result);
    std::set<std::string> changed(result.written.begin(), result.written.end());
    changed.insert(result.removed.begin(), result.removed.end());
    if (auto r = restore_previous(fs, req, *manifest, &changed); !r)
      return make_error(outcome.error().code,
                        outcome.error().message + "\n" +
                            (touched.empty() ? "no live file had changed, but clearing the "
                                               "saved copies failed: "
                                             : "the deploy had changed " + touched + "; ") +
                            r.error().message);
    if (run.reload_ran) return with_reload_restored(target, req, outcome.error());
    return outcome.error();
  }
  if (auto r = forget_previous(fs, req); !r)
    return make_error(r.error().code,
                      "the new files are in place and nginx runs them (" + changed_so_far(result) +
                          "), but clearing the saved copies in " + previous_dir(req) + " failed (" +
                          r.error().message + "); the next apply clears them");
  spdlog::info("deployed target={} written={} removed={} reloaded={}", target.name(),
               result.written.size(), result.removed.size(), result.reloaded);
  return result;
}

}  // namespace certgate::apply
