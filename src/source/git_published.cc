#include "source/git_published.h"

#include "base/names.h"
#include "source/git_mirror.h"
#include "sys/filesystem.h"

namespace certgate::source {
namespace {

// Only the publish branch: the edge has no use for the other branches or tags of the
// repository, and fetching them would let their size slow every tick.
Result<void> fetch_branch(git_remote* remote, const PublishedFetch& f) {
  git_fetch_options opts = GIT_FETCH_OPTIONS_INIT;
  SshContext ctx = ssh_context(f.url, f.ssh);
  use_ssh_checks(opts.callbacks, ctx);
  opts.prune = GIT_FETCH_PRUNE;
  opts.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_NONE;
  std::string spec = "+refs/heads/" + f.branch + ":refs/remotes/origin/" + f.branch;
  char* specs[] = {spec.data()};
  git_strarray refspecs = {specs, 1};
  if (git_remote_fetch(remote, &refspecs, &opts, "certgate edge fetch") != 0)
    return remote_error(ctx, "fetch " + f.url + " (branch " + f.branch + ")");
  return {};
}

Result<CommitPtr> tip(git_repository* repo, const PublishedFetch& f) {
  const std::string ref = "refs/remotes/origin/" + f.branch;
  git_oid id;
  if (git_reference_name_to_id(&id, repo, ref.c_str()) != 0)
    return make_error(Errc::not_found,
                      "branch " + f.branch + " is not in " + f.url + " (nothing published yet?)");
  git_commit* raw = nullptr;
  if (git_commit_lookup(&raw, repo, &id) != 0)
    return last_git_error(Errc::io, "read the tip of " + f.branch);
  return CommitPtr(raw);
}

Result<void> read_signature(git_repository* repo, const git_oid* id, PublishedTree& out) {
  git_buf sig = GIT_BUF_INIT;
  git_buf data = GIT_BUF_INIT;
  const int r = git_commit_extract_signature(&sig, &data, repo, const_cast<git_oid*>(id), nullptr);
  if (r == GIT_ENOTFOUND) return {};
  if (r != 0) return last_git_error(Errc::io, "read the commit's signature");
  out.signature = std::string(sig.ptr, sig.size);
  out.signed_data = std::string(data.ptr, data.size);
  git_buf_dispose(&sig);
  git_buf_dispose(&data);
  return {};
}

struct Walk {
  git_repository* repo = nullptr;
  PublishedTree* out = nullptr;
  std::size_t entries = 0;
  std::optional<Error> error;
};

int visit(const char* root, const git_tree_entry* entry, void* payload) {
  auto& w = *static_cast<Walk*>(payload);
  const std::string rel = std::string(root) + git_tree_entry_name(entry);
  if (++w.entries > kMaxPublishedEntries) {
    w.error = make_error(Errc::invalid, "more than " + std::to_string(kMaxPublishedEntries) +
                                            " entries in the host's folder");
    return -1;
  }
  switch (git_tree_entry_filemode(entry)) {
    case GIT_FILEMODE_TREE:
      return 0;
    case GIT_FILEMODE_BLOB:
    case GIT_FILEMODE_BLOB_EXECUTABLE:
      break;
    case GIT_FILEMODE_LINK:
      w.out->not_regular.push_back(rel + " (a symlink)");
      return 0;
    case GIT_FILEMODE_COMMIT:
      w.out->not_regular.push_back(rel + " (a submodule)");
      return 0;
    default:
      w.out->not_regular.push_back(rel + " (not a regular file)");
      return 0;
  }
  git_blob* raw = nullptr;
  if (git_blob_lookup(&raw, w.repo, git_tree_entry_id(entry)) != 0) {
    w.error = last_git_error(Errc::io, "read " + rel);
    return -1;
  }
  BlobPtr blob(raw);
  const auto size = static_cast<std::uint64_t>(git_blob_rawsize(blob.get()));
  if (size > kMaxPublishedFileSize) {
    w.error = sys::too_large_error(rel, kMaxPublishedFileSize);
    return -1;
  }
  w.out->files[rel] = std::string(static_cast<const char*>(git_blob_rawcontent(blob.get())),
                                  static_cast<std::size_t>(size));
  return 0;
}

Result<void> read_host_folder(git_repository* repo, git_commit* commit, const PublishedFetch& f,
                              PublishedTree& out) {
  git_tree* raw_tree = nullptr;
  if (git_commit_tree(&raw_tree, commit) != 0) return last_git_error(Errc::io, "commit tree");
  TreePtr tree(raw_tree);
  const std::string where = "commit " + out.commit.substr(0, 7) + " of " + f.url;
  git_tree_entry* raw_entry = nullptr;
  if (git_tree_entry_bypath(&raw_entry, tree.get(), f.host.c_str()) != 0)
    return make_error(Errc::not_found,
                      where + " has no folder " + f.host + "/ (nothing published for this host)");
  EntryPtr entry(raw_entry);
  if (git_tree_entry_type(entry.get()) != GIT_OBJECT_TREE)
    return make_error(Errc::invalid, where + ": " + f.host + " is not a folder");
  git_object* raw_host = nullptr;
  if (git_tree_entry_to_object(&raw_host, repo, entry.get()) != 0)
    return last_git_error(Errc::io, "read " + f.host + "/");
  ObjectPtr host_tree(raw_host);
  Walk walk{repo, &out, 0, std::nullopt};
  const int r =
      git_tree_walk(reinterpret_cast<git_tree*>(host_tree.get()), GIT_TREEWALK_PRE, visit, &walk);
  if (walk.error)
    return make_error(walk.error->code, where + ": " + f.host + "/" + walk.error->message);
  if (r != 0) return last_git_error(Errc::io, "read " + f.host + "/");
  return {};
}

}  // namespace

Result<PublishedTree> fetch_published(const PublishedFetch& f) {
  if (git_reference_is_valid_name(("refs/heads/" + f.branch).c_str()) != 1)
    return make_error(Errc::invalid, "--branch " + f.branch + ": not a valid branch name");
  if (!base::is_valid_name(f.host))
    return make_error(Errc::invalid, "--host " + f.host + ": not a valid host name");
  auto mirror = open_mirror(f.mirror_dir);
  if (!mirror) return mirror.error();
  auto remote = origin(mirror->get(), f.url);
  if (!remote) return remote.error();
  if (auto r = fetch_branch(remote->get(), f); !r) return r.error();
  auto commit = tip(mirror->get(), f);
  if (!commit) return commit.error();
  PublishedTree out;
  out.commit = oid_hex(git_commit_id(commit->get()));
  out.commit_time = static_cast<long long>(git_commit_time(commit->get()));
  if (auto r = read_signature(mirror->get(), git_commit_id(commit->get()), out); !r)
    return r.error();
  if (auto r = read_host_folder(mirror->get(), commit->get(), f, out); !r) return r.error();
  return out;
}

}  // namespace certgate::source
