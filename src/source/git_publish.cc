#include "source/git_publish.h"

#include <optional>

#include "source/git_mirror.h"
#include "source/source.h"

namespace certgate::source {
namespace {

using BuilderPtr = std::unique_ptr<git_treebuilder, base::FreeWith<git_treebuilder_free>>;
using SignaturePtr = std::unique_ptr<git_signature, base::FreeWith<git_signature_free>>;
using ReferencePtr = std::unique_ptr<git_reference, base::FreeWith<git_reference_free>>;

// A folder of the tree to commit: its files and its subfolders, by name.
struct Folder {
  std::map<std::string, const std::string*> files;
  std::map<std::string, Folder> folders;
};

Result<void> check_request(const PublishRequest& req) {
  int valid = 0;
  if (git_reference_name_is_valid(&valid, ("refs/heads/" + req.branch).c_str()) != 0 || !valid)
    return make_error(Errc::invalid, "publish to " + req.url + ": \"" + req.branch +
                                         "\" is not a valid branch name");
  for (const auto& [path, bytes] : req.files) {
    if (!is_safe_relative_path(path))
      return make_error(Errc::invalid, "publish \"" + path +
                                           "\": not a relative path inside the tree "
                                           "(no leading '/', no \".\" or \"..\")");
    // Paths inside the folder `path` sort together, from the first one at or after "path/".
    auto next = req.files.lower_bound(path + "/");
    if (next != req.files.end() && next->first.starts_with(path + "/"))
      return make_error(Errc::invalid,
                        "publish \"" + path + "\": also the folder of \"" + next->first + "\"");
  }
  return {};
}

// `files` as nested folders; the bytes stay owned by `files`.
Folder folder_tree(const std::map<std::string, std::string>& files) {
  Folder root;
  for (const auto& [path, bytes] : files) {
    Folder* at = &root;
    size_t begin = 0;
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', begin)) {
      at = &at->folders[path.substr(begin, slash - begin)];
      begin = slash + 1;
    }
    at->files[path.substr(begin)] = &bytes;
  }
  return root;
}

// Writes `folder` (blobs, subtrees, then the tree itself) into the repository's objects.
Result<git_oid> write_tree(git_repository* repo, const Folder& folder) {
  git_treebuilder* raw = nullptr;
  if (git_treebuilder_new(&raw, repo, nullptr) != 0) return last_git_error(Errc::io, "git tree");
  BuilderPtr builder(raw);
  for (const auto& [name, bytes] : folder.files) {
    git_oid blob;
    if (git_blob_create_from_buffer(&blob, repo, bytes->data(), bytes->size()) != 0 ||
        git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &blob, GIT_FILEMODE_BLOB) != 0)
      return last_git_error(Errc::io, "write " + name + " into the tree");
  }
  for (const auto& [name, sub] : folder.folders) {
    auto tree = write_tree(repo, sub);
    if (!tree) return tree.error();
    if (git_treebuilder_insert(nullptr, builder.get(), name.c_str(), &*tree, GIT_FILEMODE_TREE))
      return last_git_error(Errc::io, "write folder " + name + " into the tree");
  }
  git_oid id;
  if (git_treebuilder_write(&id, builder.get()) != 0) return last_git_error(Errc::io, "git tree");
  return id;
}

// The tip's bytes of `path` when it is a regular file there.
std::optional<std::string> published_bytes(git_repository* repo, const git_tree* tree,
                                           const std::string& path) {
  git_tree_entry* raw = nullptr;
  if (git_tree_entry_bypath(&raw, tree, path.c_str()) != 0) return std::nullopt;
  EntryPtr entry(raw);
  const git_filemode_t mode = git_tree_entry_filemode(entry.get());
  if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) return std::nullopt;
  git_blob* blob = nullptr;
  if (git_blob_lookup(&blob, repo, git_tree_entry_id(entry.get())) != 0) return std::nullopt;
  BlobPtr owned(blob);
  const char* bytes = static_cast<const char*>(git_blob_rawcontent(blob));
  return std::string(bytes, static_cast<size_t>(git_blob_rawsize(blob)));
}

// req.files, with the tip's bytes kept wherever req.unchanged says they may stand for the new.
std::map<std::string, std::string> files_to_commit(git_repository* repo, const git_tree* tip,
                                                   const PublishRequest& req) {
  std::map<std::string, std::string> files = req.files;
  if (!tip || !req.unchanged) return files;
  for (auto& [path, bytes] : files) {
    auto published = published_bytes(repo, tip, path);
    if (published && *published != bytes && req.unchanged(path, *published, bytes))
      bytes = std::move(*published);
  }
  return files;
}

// The commit of req.files on top of `tip`, written into `repo`; nullopt when its tree is the
// tip's (nothing to publish). No reference is changed.
Result<std::optional<git_oid>> next_commit(git_repository* repo, const std::optional<git_oid>& tip,
                                           const PublishRequest& req) {
  CommitPtr parent;
  TreePtr parent_tree;
  if (tip) {
    git_commit* raw = nullptr;
    git_tree* raw_tree = nullptr;
    if (git_commit_lookup(&raw, repo, &*tip) != 0)
      return last_git_error(Errc::io, "read the tip of " + req.branch);
    parent.reset(raw);
    if (git_commit_tree(&raw_tree, raw) != 0)
      return last_git_error(Errc::io, "read the tree of " + req.branch);
    parent_tree.reset(raw_tree);
  }
  const auto files = files_to_commit(repo, parent_tree.get(), req);
  auto tree_id = write_tree(repo, folder_tree(files));
  if (!tree_id) return tree_id.error();
  if (parent_tree && git_oid_equal(&*tree_id, git_tree_id(parent_tree.get())))
    return std::optional<git_oid>();
  git_tree* raw_tree = nullptr;
  if (git_tree_lookup(&raw_tree, repo, &*tree_id) != 0) return last_git_error(Errc::io, "git tree");
  TreePtr tree(raw_tree);
  git_signature* raw_sig = nullptr;
  if (git_signature_now(&raw_sig, req.author_name.c_str(), req.author_email.c_str()) != 0)
    return last_git_error(Errc::invalid, "commit author " + req.author_name);
  SignaturePtr sig(raw_sig);
  const git_commit* parents[] = {parent.get()};
  git_oid id;
  if (git_commit_create(&id, repo, nullptr, sig.get(), sig.get(), nullptr, req.message.c_str(),
                        tree.get(), parent ? 1 : 0, parents) != 0)
    return last_git_error(Errc::io, "commit to " + req.branch);
  return std::optional<git_oid>(id);
}

// Where the branch lives: what its tip is now, and how it is moved.
class Branch {
 public:
  virtual ~Branch() = default;
  // The repository commits are written into.
  virtual git_repository* repo() = 0;
  // The branch's current tip (fetched first where it is remote); nullopt when it does not exist.
  virtual Result<std::optional<git_oid>> tip() = 0;
  // Moves the branch from `tip` to `next`, a descendant of it. Returns "" when it moved, else
  // why it was rejected (the branch no longer is at `tip`, or the server said no).
  virtual Result<std::string> update(const git_oid& next, const std::optional<git_oid>& tip) = 0;
};

// A branch of a remote: fetched into, and pushed from, a bare clone.
class RemoteBranch final : public Branch {
 public:
  RemoteBranch(const PublishRequest& req, RepoPtr mirror, RemotePtr remote)
      : req_(req), mirror_(std::move(mirror)), remote_(std::move(remote)) {}

  git_repository* repo() override { return mirror_.get(); }

  Result<std::optional<git_oid>> tip() override {
    git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
    SshContext ctx = ssh_context(req_.url, req_.ssh);
    use_ssh_checks(opts.callbacks, ctx);
    opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
    std::string spec = "+" + head() + ":refs/remotes/origin/" + req_.branch;
    char* specs[] = {spec.data()};
    git_strarray refspecs = {specs, 1};
    if (git_remote_fetch(remote_.get(), &refspecs, &opts, "certgate publish fetch") != 0)
      return remote_error(ctx, "fetch " + req_.branch + " of " + req_.url);
    // The advertised refs stay readable after the fetch disconnects; they, not a tracking ref
    // left from an earlier run, say whether the branch exists now.
    const git_remote_head** heads = nullptr;
    size_t count = 0;
    if (git_remote_ls(&heads, &count, remote_.get()) != 0)
      return last_git_error(Errc::io, "list the branches of " + req_.url);
    for (size_t i = 0; i < count; ++i)
      if (head() == heads[i]->name) return std::optional<git_oid>(heads[i]->oid);
    return std::optional<git_oid>();
  }

  Result<std::string> update(const git_oid& next, const std::optional<git_oid>&) override {
    // libgit2 pushes from a reference, not an id: the clone's own branch of that name.
    git_reference* raw = nullptr;
    if (git_reference_create(&raw, mirror_.get(), head().c_str(), &next, 1, "certgate publish"))
      return last_git_error(Errc::io, "git branch " + req_.branch);
    ReferencePtr ref(raw);
    SshContext ctx = ssh_context(req_.url, req_.ssh);
    git_push_options opts = GIT_PUSH_OPTIONS_INIT;
    use_ssh_checks(opts.callbacks, ctx);
    std::string spec = head() + ":" + head();  // no '+': fast-forward only
    char* specs[] = {spec.data()};
    git_strarray refspecs = {specs, 1};
    const int r = git_remote_push(remote_.get(), &refspecs, &opts);
    // libgit2 refuses a push that is not a fast-forward of the tip the remote advertises, or
    // whose tip it does not have; a server refuses when the tip moved after it advertised it.
    if (r == GIT_ENONFASTFORWARD) return std::string("the branch moved");
    if (r != 0) return remote_error(ctx, "push " + req_.branch + " to " + req_.url);
    return ctx.push_rejection;
  }

 private:
  std::string head() const { return "refs/heads/" + req_.branch; }

  const PublishRequest& req_;
  RepoPtr mirror_;
  RemotePtr remote_;
};

// A branch of a local non-bare repository, moved in place with a compare-and-swap.
class LocalBranch final : public Branch {
 public:
  LocalBranch(const PublishRequest& req, RepoPtr repo) : req_(req), repo_(std::move(repo)) {}

  git_repository* repo() override { return repo_.get(); }

  Result<std::optional<git_oid>> tip() override {
    git_oid id;
    const int r = git_reference_name_to_id(&id, repo_.get(), head().c_str());
    if (r == GIT_ENOTFOUND) return std::optional<git_oid>();
    if (r != 0) return last_git_error(Errc::io, "read " + req_.branch + " of " + req_.url);
    return std::optional<git_oid>(id);
  }

  Result<std::string> update(const git_oid& next, const std::optional<git_oid>& tip) override {
    git_reference* raw = nullptr;
    const int r =
        tip ? git_reference_create_matching(&raw, repo_.get(), head().c_str(), &next, 1, &*tip,
                                            "certgate publish")
            : git_reference_create(&raw, repo_.get(), head().c_str(), &next, 0, "certgate publish");
    ReferencePtr ref(raw);
    if (r == GIT_EMODIFIED || r == GIT_EEXISTS) return std::string("the branch moved");
    if (r != 0) return last_git_error(Errc::io, "update " + req_.branch + " of " + req_.url);
    return std::string();
  }

 private:
  std::string head() const { return "refs/heads/" + req_.branch; }

  const PublishRequest& req_;
  RepoPtr repo_;
};

// The repository path of a local path or file:// URL; nullopt for any other URL.
std::optional<std::string> local_path(const std::string& url) {
  if (url.starts_with("file://")) return url.substr(7);
  if (url.find("://") != std::string::npos) return std::nullopt;
  const size_t colon = url.find(':');
  if (colon != std::string::npos && colon < url.find('/')) return std::nullopt;  // scp-like
  return url;
}

Result<std::unique_ptr<Branch>> open_branch(const PublishRequest& req) {
  if (auto path = local_path(req.url)) {
    git_repository* raw = nullptr;
    if (git_repository_open_ext(&raw, path->c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr))
      return last_git_error(Errc::not_found, "publish to " + req.url + ": no git repository");
    RepoPtr repo(raw);
    if (!git_repository_is_bare(raw)) {
      git_reference* head = nullptr;
      if (git_reference_lookup(&head, raw, "HEAD") == 0) {
        ReferencePtr owned(head);
        const char* target = git_reference_symbolic_target(head);
        if (target && target == "refs/heads/" + req.branch)
          return make_error(Errc::refused,
                            "publish to " + req.url + ": " + req.branch + " is checked out there");
      }
      return std::unique_ptr<Branch>(std::make_unique<LocalBranch>(req, std::move(repo)));
    }
  }
  auto mirror = open_mirror(req.work_dir);
  if (!mirror) return mirror.error();
  auto remote = origin(mirror->get(), req.url);
  if (!remote) return remote.error();
  return std::unique_ptr<Branch>(
      std::make_unique<RemoteBranch>(req, std::move(*mirror), std::move(*remote)));
}

}  // namespace

Result<std::string> publish_files(const PublishRequest& req) {
  if (auto r = check_request(req); !r) return r.error();
  auto branch = open_branch(req);
  if (!branch) return branch.error();
  std::string rejection;
  for (int attempt = 0; attempt < 2; ++attempt) {
    auto tip = (*branch)->tip();
    if (!tip) return tip.error();
    auto next = next_commit((*branch)->repo(), *tip, req);
    if (!next) return next.error();
    if (!*next) return oid_hex(&**tip);  // the tree is the tip's: nothing to publish
    auto rejected = (*branch)->update(**next, *tip);
    if (!rejected) return rejected.error();
    if (rejected->empty()) return oid_hex(&**next);
    rejection = std::move(*rejected);
  }
  return make_error(Errc::stale, "publish " + req.branch + " to " + req.url +
                                     ": rejected again after fetching it once more (" + rejection +
                                     ")");
}

}  // namespace certgate::source
