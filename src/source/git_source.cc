#include "source/git_source.h"

#include <filesystem>
#include <memory>

#include "source/git_mirror.h"
#include "sys/filesystem.h"

namespace certgate::source {
namespace {

Result<void> fetch(git_remote* remote, const std::string& url, const SshAccess& ssh) {
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  SshContext ctx = ssh_context(url, ssh);
  use_ssh_checks(opts.callbacks, ctx);
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  char heads[] = "+refs/heads/*:refs/remotes/origin/*";
  char tags[] = "+refs/tags/*:refs/tags/*";
  char* specs[] = {heads, tags};
  git_strarray refspecs = {specs, 2};
  if (git_remote_fetch(remote, &refspecs, &opts, "certgate fetch") != 0)
    return remote_error(ctx, "fetch " + url);
  return {};
}

// --ref as a branch of the remote, a tag, or a commit id (full or abbreviated).
Result<CommitPtr> resolve(git_repository* repo, const std::string& ref) {
  git_object* raw = nullptr;
  for (const std::string& name : {"refs/remotes/origin/" + ref, "refs/tags/" + ref, ref}) {
    if (git_revparse_single(&raw, repo, name.c_str()) != 0) continue;
    ObjectPtr obj(raw);
    git_object* peeled = nullptr;
    if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0) continue;
    return CommitPtr(reinterpret_cast<git_commit*>(peeled));
  }
  return make_error(Errc::not_found, "--ref " + ref + ": no such branch, tag or commit");
}

// The bytes of the blob `entry`, at most `max_size` (checked before copying).
Result<std::string> blob_text(git_repository* repo, const git_tree_entry* entry,
                              const std::string& shown, std::uint64_t max_size) {
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry)) != 0)
    return last_git_error(Errc::io, "read " + shown);
  BlobPtr owned(blob);
  if (static_cast<std::uint64_t>(git_blob_rawsize(blob)) > max_size)
    return sys::too_large_error(shown, max_size);
  const char* bytes = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::string(bytes, static_cast<size_t>(git_blob_rawsize(blob)));
}

// The entry `dir`/`relative` of the commit, reached through trees only: a symlink (on the way
// or at the end) is refused as sys::Filesystem::read_inside refuses one in a directory, so a
// work tree and its commit read the same. `relative` is how messages name it.
Result<EntryPtr> regular_entry(git_repository* repo, const git_tree* tree, const std::string& dir,
                               const std::string& relative) {
  for (size_t end = relative.find('/');; end = relative.find('/', end + 1)) {
    const std::string shown = relative.substr(0, end);
    const std::string path = dir.empty() ? shown : dir + "/" + shown;
    git_tree_entry* raw = nullptr;
    if (git_tree_entry_bypath(&raw, tree, path.c_str()) != 0)
      return make_error(Errc::not_found, relative + ": not in the commit");
    EntryPtr entry(raw);
    const git_filemode_t mode = git_tree_entry_filemode(entry.get());
    if (mode == GIT_FILEMODE_LINK) {
      auto target = blob_text(repo, entry.get(), shown, 4096);  // PATH_MAX
      if (!target) return target.error();
      return sys::symlink_error(shown, *target);
    }
    if (end == std::string::npos) {
      if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE)
        return sys::not_regular_error(relative);
      return entry;
    }
    if (mode != GIT_FILEMODE_TREE)
      return make_error(Errc::not_found, relative + ": not in the commit");
  }
}

// The bytes of a regular file of the commit, at most `max_size`.
Result<std::string> read_blob(git_repository* repo, const git_tree* tree, const std::string& dir,
                              const std::string& relative, std::uint64_t max_size) {
  auto entry = regular_entry(repo, tree, dir, relative);
  if (!entry) return entry.error();
  return blob_text(repo, entry->get(), relative, max_size);
}

// CSR files beside the desired-state file, read from the same commit.
class GitTree final : public SourceTree {
 public:
  GitTree(std::shared_ptr<git_repository> repo, TreePtr tree, std::string dir)
      : repo_(std::move(repo)), tree_(std::move(tree)), dir_(std::move(dir)) {}

  Result<std::string> read(const std::string& relative) const override {
    if (!is_safe_relative_path(relative))
      return make_error(Errc::invalid, "\"" + relative +
                                           "\" must be a relative path inside the source "
                                           "(no leading '/', no \"..\")");
    return read_blob(repo_.get(), tree_.get(), dir_, relative, kMaxSourceFileSize);
  }

 private:
  std::shared_ptr<git_repository> repo_;
  TreePtr tree_;
  std::string dir_;
};

// `git commit -S` stores the signature in the "gpgsig" header (also for SSH signatures).
Result<void> read_signature(git_repository* repo, const git_oid* id, SourceSnapshot& snap) {
  git_buf sig = GIT_BUF_INIT;
  git_buf data = GIT_BUF_INIT;
  const int r = git_commit_extract_signature(&sig, &data, repo, const_cast<git_oid*>(id), nullptr);
  if (r == GIT_ENOTFOUND) return {};
  if (r != 0) return last_git_error(Errc::io, "read the commit's signature");
  snap.signature = std::string(sig.ptr, sig.size);
  snap.signed_data = std::string(data.ptr, data.size);
  git_buf_dispose(&sig);
  git_buf_dispose(&data);
  return {};
}

// The snapshot of `file` (relative to the repository root) and its CSR tree at `commit` of
// `repo`, which the snapshot's tree keeps open. Messages say "commit 1a2b3c4 of WHERE: ...".
Result<SourceSnapshot> snapshot_at(std::shared_ptr<git_repository> repo, git_commit* commit,
                                   const std::string& ref, const std::string& file,
                                   const std::string& where) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return last_git_error(Errc::io, "commit tree");
  TreePtr tree(raw_tree);
  const std::string id = oid_hex(git_commit_id(commit));
  auto text = read_blob(repo.get(), tree.get(), "", file, kMaxDesiredStateRead);
  if (!text)
    return make_error(text.error().code,
                      "commit " + id.substr(0, 7) + " of " + where + ": " + text.error().message);
  SourceSnapshot snap;
  snap.kind = "git";
  snap.description = "git " + id.substr(0, 7) + " (" + ref + ")";
  snap.file_path = id.substr(0, 7) + ":" + file;
  snap.text = std::move(*text);
  snap.commit = id;
  snap.commit_time = static_cast<long long>(git_commit_time(commit));
  if (const git_signature* a = git_commit_author(commit); a && a->name)
    snap.author = std::string(a->name) + " <" + (a->email ? a->email : "") + ">";
  if (auto r = read_signature(repo.get(), git_commit_id(commit), snap); !r) return r.error();
  const size_t slash = file.rfind('/');
  snap.tree = std::make_shared<GitTree>(std::move(repo), std::move(tree),
                                        slash == std::string::npos ? "" : file.substr(0, slash));
  return snap;
}

// The repository holding `path` (found upwards from it, as git does), opened for reading only.
struct LocalRepository {
  RepoPtr repo;
  std::string root;    // the work tree, or the repository itself when bare; for messages
  std::string prefix;  // where `path` sits in the work tree: "" or "infra/certgate/"
  std::string file;    // `path` names the desired-state file itself: its name, else ""
};

Result<LocalRepository> local_repository(const std::string& path, const std::string& ref) {
  namespace fs = std::filesystem;
  std::error_code ec;
  LocalRepository out;
  fs::path dir = path;
  if (fs::is_regular_file(dir, ec)) {
    out.file = dir.filename().string();
    dir = dir.has_parent_path() ? dir.parent_path() : fs::path(".");
  }
  git_repository* raw = nullptr;
  if (git_repository_open_ext(&raw, dir.c_str(), 0, nullptr) != 0)
    return last_git_error(Errc::not_found, "--base " + ref + ": no git repository at " + path);
  out.repo = RepoPtr(raw);
  const char* workdir = git_repository_workdir(raw);
  out.root = workdir ? workdir : git_repository_path(raw);
  if (out.root.size() > 1 && out.root.back() == '/') out.root.pop_back();
  if (workdir == nullptr) return out;
  std::error_code ec_root;
  const fs::path rel = fs::canonical(dir, ec).lexically_relative(fs::canonical(out.root, ec_root));
  if (!ec && !ec_root && !rel.empty() && rel != "." && !rel.string().starts_with(".."))
    out.prefix = rel.generic_string() + "/";
  return out;
}

}  // namespace

GitLibrary::GitLibrary() { git_libgit2_init(); }
GitLibrary::~GitLibrary() { git_libgit2_shutdown(); }

Result<SourceSnapshot> load_git(const SourceOptions& options, const std::string& url,
                                const SshAccess& ssh) {
  auto mirror = open_mirror(options.mirror_dir);
  if (!mirror) return mirror.error();
  std::shared_ptr<git_repository> repo(mirror->release(), git_repository_free);
  auto remote = origin(repo.get(), url);
  if (!remote) return remote.error();
  if (auto r = fetch(remote->get(), url, ssh); !r) return r.error();
  auto commit = resolve(repo.get(), options.ref);
  if (!commit) return commit.error();
  return snapshot_at(repo, commit->get(), options.ref, options.file,
                     url + " (" + options.ref + ")");
}

Result<SourceSnapshot> load_local_ref(const std::string& path, const std::string& ref,
                                      const std::string& file) {
  auto at = local_repository(path, ref);
  if (!at) return at.error();
  std::shared_ptr<git_repository> repo(at->repo.release(), git_repository_free);
  git_object* raw = nullptr;
  if (git_revparse_single(&raw, repo.get(), ref.c_str()) != 0) {
    // Only the ref is wrong here; a CI checkout often lacks the base branch (fetch-depth 1).
    const std::string branch = ref.starts_with("origin/") ? ref.substr(7) : ref;
    return make_error(Errc::not_found, "--base " + ref + ": no such branch, tag or commit in " +
                                           at->root + " (a shallow CI checkout needs `git fetch " +
                                           "origin " + branch + "`)");
  }
  ObjectPtr obj(raw);
  git_object* peeled = nullptr;
  if (git_object_peel(&peeled, obj.get(), GIT_OBJECT_COMMIT) != 0)
    return make_error(Errc::not_found, "--base " + ref + ": not a commit in " + at->root);
  CommitPtr commit(reinterpret_cast<git_commit*>(peeled));
  const std::string name = at->file.empty() ? file : at->file;
  return snapshot_at(repo, commit.get(), ref, at->prefix + name,
                     at->root + " (--base " + ref + ")");
}

Result<bool> is_descendant(const std::string& mirror_dir, const std::string& commit,
                           const std::string& ancestor) {
  auto repo = open_mirror(mirror_dir);
  if (!repo) return repo.error();
  git_oid a, b;
  if (git_oid_fromstr(&a, commit.c_str()) != 0 || git_oid_fromstr(&b, ancestor.c_str()) != 0)
    return make_error(Errc::invalid, "not a commit id: " + commit + " / " + ancestor);
  if (commit == ancestor) return true;
  int r = git_graph_descendant_of(repo->get(), &a, &b);
  if (r < 0)
    return last_git_error(Errc::not_found, "compare commits " + commit + " and " + ancestor);
  return r == 1;
}

}  // namespace certgate::source
