// [publish] and the rules of pull hosts (DESIGN.md section 3): where the files of the hosts with
// mode = "pull" are committed, and what may never go there.
#include <string_view>

#include "base/names.h"
#include "desired/parse_internal.h"

namespace certgate::desired {
namespace {

// file://, ssh://, scp-like (user@host:path) or a local path: what source/git_publish.h pushes
// to with the SSH access certgate has. https:// would need credentials certgate does not hold.
std::optional<std::string> repo_problem(const std::string& repo) {
  const std::string expected =
      "\"repo\" \"" + repo +
      "\": expected a file:// or ssh:// URL, user@host:path, or a local path of a git repository";
  if (repo.find_first_not_of(" \t") == std::string::npos) return expected;
  if (repo.front() == '-') return "\"repo\" \"" + repo + "\" must not start with '-'";
  const size_t scheme = repo.find("://");
  if (scheme == std::string::npos) return std::nullopt;
  const std::string_view name = std::string_view(repo).substr(0, scheme);
  if ((name == "file" || name == "ssh") && repo.size() > scheme + 3) return std::nullopt;
  return expected;
}

}  // namespace

void parse_publish(TableReader& r, ParseContext& ctx) {
  ctx.has_publish_table = true;
  Publish p;
  p.loc = r.loc();
  bool ok = r.require("repo") & r.require("signing_key");
  if (auto repo = r.string("repo")) {
    auto problem = base::too_long("\"repo\"", repo->value, base::kMaxUrl);
    if (!problem) problem = repo_problem(repo->value);
    if (problem) {
      r.error(repo->loc, *problem);
      ok = false;
    }
    p.repo = repo->value;
  }
  if (auto branch = r.string("branch")) {
    if (auto problem = base::branch_name_problem(branch->value)) {
      r.error(branch->loc, *problem);
      ok = false;
    }
    p.branch = branch->value;
  }
  if (auto key = r.string("signing_key")) {
    // Absolute: a relative path would read as a file of the source, where no key may be.
    if (auto why = base::too_long("\"signing_key\"", key->value, base::kMaxAbsolutePath)) {
      r.error(key->loc, *why);
      ok = false;
    } else if (!key->value.starts_with('/')) {
      r.error(key->loc, "\"signing_key\" \"" + key->value +
                            "\" must be the absolute path of an SSH private key on the CA host");
      ok = false;
    }
    p.signing_key = key->value;
  }
  r.report_unknown_keys();
  if (ok && !p.repo.empty() && !p.signing_key.empty()) ctx.state.publish = std::move(p);
}

void check_pull_hosts(ParseContext& ctx) {
  const std::string* enroll_site = ctx.state.enroll ? &ctx.state.enroll->site : nullptr;
  for (const Host& h : ctx.state.hosts) {
    auto at = ctx.pull_mode_locs.find(h.name);
    if (!h.is_pull() || at == ctx.pull_mode_locs.end()) continue;
    const std::string what = "host \"" + h.name + "\" has mode = \"pull\"";
    if (!ctx.has_publish_table)
      ctx.diags.error(at->second, what +
                                      " but there is no [publish] table to commit its files to "
                                      "(repo, signing_key)");
    if (enroll_site && std::find(h.sites.begin(), h.sites.end(), *enroll_site) != h.sites.end())
      ctx.diags.error(at->second, what + " and serves the [enroll] site \"" + *enroll_site +
                                      "\": its pickup files hold bundles and link tokens, "
                                      "secrets that must never go into git; leave \"" +
                                      *enroll_site + "\" out of its sites or push to it over SSH");
  }
}

}  // namespace certgate::desired
