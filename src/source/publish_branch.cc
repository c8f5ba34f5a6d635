#include "source/publish_branch.h"

namespace certgate::source {
namespace {

using ReferencePtr = std::unique_ptr<git_reference, base::FreeWith<git_reference_free>>;

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

}  // namespace

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

}  // namespace certgate::source
