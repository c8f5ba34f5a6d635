#include "source/git_publish.h"

#include <algorithm>
#include <optional>

#include "source/publish_branch.h"
#include "source/source.h"

namespace certgate::source {
namespace {

using BuilderPtr = std::unique_ptr<git_treebuilder, base::FreeWith<git_treebuilder_free>>;
using SignaturePtr = std::unique_ptr<git_signature, base::FreeWith<git_signature_free>>;

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

// Writes the commit object (signed when req.sign is set) into `repo`; changes no reference.
Result<git_oid> write_commit(git_repository* repo, const PublishRequest& req,
                             const git_signature* who, const git_tree* tree,
                             const git_commit* parent) {
  const git_commit* parents[] = {parent};
  const size_t count = parent ? 1 : 0;
  git_oid id;
  if (!req.sign) {
    if (git_commit_create(&id, repo, nullptr, who, who, nullptr, req.message.c_str(), tree, count,
                          parents) != 0)
      return last_git_error(Errc::io, "commit to " + req.branch);
    return id;
  }
  // As `git commit -S` does: the commit object without a signature is what gets signed, and
  // the signature goes into its "gpgsig" header.
  git_buf raw = GIT_BUF_INIT;
  if (git_commit_create_buffer(&raw, repo, who, who, nullptr, req.message.c_str(), tree, count,
                               parents) != 0)
    return last_git_error(Errc::io, "commit to " + req.branch);
  const std::string buffer(raw.ptr, raw.size);
  git_buf_dispose(&raw);
  auto signature = req.sign(buffer);
  if (!signature) return signature.error();
  // libgit2 ends the header's last line itself; git writes an armor's final newline that way.
  std::string armor = *signature;
  while (armor.ends_with('\n')) armor.pop_back();
  if (git_commit_create_with_signature(&id, repo, buffer.c_str(), armor.c_str(), "gpgsig") != 0)
    return last_git_error(Errc::io, "signed commit to " + req.branch);
  return id;
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
  auto id = write_commit(repo, req, sig.get(), tree.get(), parent.get());
  if (!id) return id.error();
  return std::optional<git_oid>(*id);
}

// Adds every entry below `tree` to `out`, its path prefixed with `prefix`.
Result<void> read_tree(git_repository* repo, const git_tree* tree, const std::string& prefix,
                       PublishedFiles& out) {
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    const std::string path = prefix + git_tree_entry_name(entry);
    const git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      git_tree* raw = nullptr;
      if (git_tree_lookup(&raw, repo, git_tree_entry_id(entry)) != 0)
        return last_git_error(Errc::io, "read the published folder " + path);
      TreePtr sub(raw);
      if (auto r = read_tree(repo, sub.get(), path + "/", out); !r) return r;
    } else if (mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE) {
      git_blob* raw = nullptr;
      if (git_blob_lookup(&raw, repo, git_tree_entry_id(entry)) != 0)
        return last_git_error(Errc::io, "read the published file " + path);
      BlobPtr blob(raw);
      const auto size = static_cast<size_t>(git_blob_rawsize(raw));
      if (size > kMaxPublishedFile)
        return make_error(Errc::invalid, "read the published file " + path + ": larger than " +
                                             std::to_string(kMaxPublishedFile) + " bytes");
      out.files[path] = std::string(static_cast<const char*>(git_blob_rawcontent(raw)), size);
    } else {
      out.others.push_back(path);
    }
  }
  return {};
}

// The id of the entry `name` at the top of `commit`'s tree; nullopt when it has none.
std::optional<git_oid> entry_id(const git_commit* commit, const std::string& name) {
  git_tree* raw = nullptr;
  if (git_commit_tree(&raw, commit) != 0) return std::nullopt;
  TreePtr tree(raw);
  const git_tree_entry* entry = git_tree_entry_byname(tree.get(), name.c_str());
  if (!entry) return std::nullopt;
  return *git_tree_entry_id(entry);
}

// How far back folder_commits looks; older changes leave a folder out of folder_commits.
constexpr int kMaxFolderWalk = 10000;

// Fills out.folder_commits: for each folder at the top of `tip`'s tree, walking first parents,
// the newest commit whose parent had that folder otherwise (or not at all).
void find_folder_commits(const git_commit* tip, const git_tree* tree, PublishedFiles& out) {
  std::map<std::string, git_oid> open;  // folder -> its id at the tip, until its commit is found
  for (size_t i = 0; i < git_tree_entrycount(tree); ++i) {
    const git_tree_entry* entry = git_tree_entry_byindex(tree, i);
    if (git_tree_entry_filemode(entry) == GIT_FILEMODE_TREE)
      open.emplace(git_tree_entry_name(entry), *git_tree_entry_id(entry));
  }
  git_commit* raw = nullptr;
  if (git_commit_dup(&raw, const_cast<git_commit*>(tip)) != 0) return;
  CommitPtr at(raw);
  for (int depth = 0; !open.empty() && depth < kMaxFolderWalk; ++depth) {
    git_commit* raw_parent = nullptr;
    const bool has_parent =
        git_commit_parentcount(at.get()) > 0 && git_commit_parent(&raw_parent, at.get(), 0) == 0;
    CommitPtr parent(raw_parent);
    for (auto it = open.begin(); it != open.end();) {
      auto before = has_parent ? entry_id(parent.get(), it->first) : std::nullopt;
      if (before && git_oid_equal(&*before, &it->second)) {
        ++it;
        continue;
      }
      out.folder_commits[it->first] = oid_hex(git_commit_id(at.get()));
      it = open.erase(it);
    }
    if (!has_parent) break;
    at = std::move(parent);
  }
}

}  // namespace

Result<PublishedFiles> read_published_files(const PublishRequest& req) {
  if (auto r = check_request(req); !r) return r.error();
  auto branch = open_branch(req);
  if (!branch) return branch.error();
  auto tip = (*branch)->tip();
  if (!tip) return tip.error();
  PublishedFiles out;
  if (!*tip) return out;
  git_commit* raw = nullptr;
  git_tree* raw_tree = nullptr;
  if (git_commit_lookup(&raw, (*branch)->repo(), &**tip) != 0)
    return last_git_error(Errc::io, "read the tip of " + req.branch);
  CommitPtr commit(raw);
  if (git_commit_tree(&raw_tree, raw) != 0)
    return last_git_error(Errc::io, "read the tree of " + req.branch);
  TreePtr tree(raw_tree);
  out.commit = oid_hex(&**tip);
  if (auto r = read_tree((*branch)->repo(), tree.get(), "", out); !r) return r.error();
  std::sort(out.others.begin(), out.others.end());
  find_folder_commits(commit.get(), tree.get(), out);
  return out;
}

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
