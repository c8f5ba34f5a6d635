#include "apply/rollover.h"

#include <spdlog/spdlog.h>

#include "apply/ca_key.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"
#include "plan/rollover.h"

namespace certgate::apply {

namespace {

constexpr std::uint32_t kDirMode = 0700;

std::string in_state(const std::string& state_dir, const char* name) {
  return sys::join_path(state_dir, name);
}

// Whether `path` exists, on certain knowledge: an I/O error is an error.
Result<bool> exists(sys::Filesystem& fs, const std::string& path) {
  auto info = fs.stat(path);
  if (info) return true;
  if (info.error().code == Errc::not_found) return false;
  return info.error();
}

// One durable rename of a directory of STATE.
Result<void> move(sys::Filesystem& fs, const std::string& from, const std::string& to) {
  if (auto r = fs.rename(from, to); !r) return r;
  return fs.sync();
}

// The outgoing CA's openssl.cnf names the folder it was made in.
Result<void> refresh_previous_config(sys::Filesystem& fs, const std::string& state_dir) {
  return pki::CaDatabase(fs, state_dir, pki::kPreviousCaDir).write_config();
}

// Moves STATE/ca-next, which never took effect, to STATE/retired/ca-next-interrupted-N.
Result<void> set_aside_next(sys::Filesystem& fs, const std::string& state_dir) {
  const std::string retired = in_state(state_dir, pki::kRetiredDir);
  if (auto r = fs.make_dirs(retired, kDirMode); !r) return r;
  for (int n = 1;; ++n) {
    const std::string to = sys::join_path(retired, "ca-next-interrupted-" + std::to_string(n));
    auto taken = exists(fs, to);
    if (!taken) return taken.error();
    if (!*taken) return move(fs, in_state(state_dir, pki::kNextCaDir), to);
  }
}

// Whether STATE/ca-next holds a two-tier rollover's next intermediate (pki::is_next_intermediate,
// as observe decides): what cannot be read is not one, and is set aside.
bool has_next_intermediate(sys::Filesystem& fs, const std::string& state_dir) {
  auto files = pki::CaDatabase(fs, state_dir, pki::kNextCaDir).read();
  return files && pki::is_next_intermediate(*files);
}

Result<void> stale(const std::string& path, const char* what) {
  return make_error(Errc::stale, path + what + "; run certgate plan again");
}

// A new self-signed CA, or the next intermediate's certificate the root signed (with the root's
// certificate and the root CRL nginx has now) beside its key.
Result<void> make_next_files(const desired::DesiredState& desired, ApplyContext& ctx) {
  sys::Filesystem& fs = ctx.fs;
  const std::string next = in_state(ctx.state_dir, pki::kNextCaDir);
  auto there = exists(fs, next);
  if (!there) return there.error();
  pki::CaDatabase next_db(fs, ctx.state_dir, pki::kNextCaDir);
  if (!desired.ca.is_intermediate()) {
    // Left by a two-tier rollover [ca] mode no longer asks for.
    if (*there) {
      if (auto r = set_aside_next(fs, ctx.state_dir); !r) return r;
    }
    return create_ca_files(desired, ctx, next_db, false);
  }
  if (!*there) return stale(next, " is missing: there is no next intermediate to install");
  if (!has_next_intermediate(fs, ctx.state_dir))
    return stale(next, " is not a next intermediate waiting for the root");
  const desired::CaSpec& ca = desired.ca;
  auto root_crl = fs.read(pki::CaDatabase(fs, ctx.state_dir).root_crl_path());
  if (!root_crl && root_crl.error().code != Errc::not_found) return root_crl.error();
  if (auto r = next_db.install_intermediate(ca.intermediate_cert.pem, ca.root_cert.pem,
                                            root_crl ? *root_crl : ca.root_crl.pem);
      !r)
    return r;
  return fs.sync();
}

// STATE/ca-next made whole, its CRL numbers going on from STATE/ca's (its first CRL may come
// from an apply after a cut, which knows only STATE/ca-next's crlnumber).
Result<void> make_next(const desired::DesiredState& desired, ApplyContext& ctx) {
  auto current = pki::CaDatabase(ctx.fs, ctx.state_dir).read();
  if (!current) return current.error();
  if (auto r = make_next_files(desired, ctx); !r) return r;
  pki::CaDatabase next_db(ctx.fs, ctx.state_dir, pki::kNextCaDir);
  if (auto r = next_db.write_next_crl_number(current->next_crl_number); !r) return r;
  return ctx.fs.sync();
}

}  // namespace

Result<void> request_next_intermediate(const desired::DesiredState& desired, ApplyContext& ctx,
                                       const std::string& generation) {
  const std::string next = in_state(ctx.state_dir, pki::kNextCaDir);
  auto there = exists(ctx.fs, next);
  if (!there) return there.error();
  if (*there) return stale(next, " exists: a rollover is under way");
  pki::CaDatabase next_db(ctx.fs, ctx.state_dir, pki::kNextCaDir);
  if (auto r = create_ca_files(desired, ctx, next_db, false, generation); !r) return r;
  return ctx.fs.sync();
}

Result<void> start_rollover(const desired::DesiredState& desired, ApplyContext& ctx) {
  sys::Filesystem& fs = ctx.fs;
  const std::string ca = in_state(ctx.state_dir, pki::kCaDir);
  const std::string next = in_state(ctx.state_dir, pki::kNextCaDir);
  const std::string previous = in_state(ctx.state_dir, pki::kPreviousCaDir);
  auto there = exists(fs, previous);
  if (!there) return there.error();
  if (*there) return stale(previous, " exists: a rollover is under way");
  if (auto r = make_next(desired, ctx); !r) return r;
  if (auto r = move(fs, ca, previous); !r) return r;
  if (auto r = move(fs, next, ca); !r) return r;  // the commit point
  if (auto r = pki::CaDatabase(fs, ctx.state_dir).write_config(); !r) return r;
  if (auto r = refresh_previous_config(fs, ctx.state_dir); !r) return r;
  spdlog::info("CA rollover: the new CA is in {}, the previous one in {}", ca, previous);
  return {};
}

Result<void> roll_over(const plan::Plan& plan, const desired::DesiredState& desired,
                       const observed::ObservedState& observed, ApplyContext& ctx,
                       ApplyReport& report) {
  if (plan::requests_next_intermediate(plan)) {
    if (auto r = request_next_intermediate(desired, ctx, plan::next_generation(observed.ca)); !r)
      return r;
    report.requested_next_ca = true;
  }
  if (plan::starts_rollover(plan)) {
    if (auto r = start_rollover(desired, ctx); !r) return r;
    report.rolled_over = true;
  }
  return {};
}

Result<void> retire_previous_ca(ApplyContext& ctx, const std::string& serial) {
  sys::Filesystem& fs = ctx.fs;
  const std::string retired = in_state(ctx.state_dir, pki::kRetiredDir);
  if (auto r = fs.make_dirs(retired, kDirMode); !r) return r;
  const std::string to = sys::join_path(retired, "ca-" + serial);
  if (auto r = move(fs, in_state(ctx.state_dir, pki::kPreviousCaDir), to); !r) return r;
  if (auto r = fs.remove(sys::join_path(to, "ca.key")); !r) return r;
  if (auto r = fs.sync(); !r) return r;
  spdlog::info("retired the previous CA serial={}: its database is in {}, its key destroyed",
               serial, to);
  return {};
}

Result<RolloverRecovery> recover_rollover(sys::Filesystem& fs, const std::string& state_dir) {
  RolloverRecovery out;
  const std::string ca = in_state(state_dir, pki::kCaDir);
  const std::string next = in_state(state_dir, pki::kNextCaDir);
  const std::string previous = in_state(state_dir, pki::kPreviousCaDir);
  const std::string retired = in_state(state_dir, pki::kRetiredDir);
  auto has_next = exists(fs, next);
  if (!has_next) return has_next.error();
  if (*has_next) {
    auto has_ca = exists(fs, ca);
    if (!has_ca) return has_ca.error();
    auto has_previous = exists(fs, previous);
    if (!has_previous) return has_previous.error();
    if (!*has_ca && *has_previous) {
      if (auto r = move(fs, next, ca); !r) return r.error();
      out.finished_swap = true;
    } else if (*has_ca) {
      // A next intermediate waits there for the root (or for its installation) by design.
      if (!has_next_intermediate(fs, state_dir)) {
        if (auto r = set_aside_next(fs, state_dir); !r) return r.error();
        out.set_aside_next = true;
      }
    } else {
      return make_error(Errc::invalid, next + " is there without " + ca + " or " + previous +
                                           ": a damaged rollover, for a human to repair");
    }
  }
  // A database moved by an interrupted rollover still names its old folder in openssl.cnf.
  for (const char* dir : {pki::kCaDir, pki::kPreviousCaDir}) {
    if (auto r = pki::CaDatabase(fs, state_dir, dir).refresh_config(); !r) return r.error();
  }
  auto names = fs.list(retired);
  if (!names) {
    if (names.error().code == Errc::not_found) return out;
    return names.error();
  }
  for (const std::string& name : *names) {
    if (!name.starts_with("ca-") || name.starts_with("ca-next-interrupted-")) continue;
    const std::string key = sys::join_path(sys::join_path(retired, name), "ca.key");
    auto there = exists(fs, key);
    if (!there) return there.error();
    if (!*there) continue;
    if (auto r = fs.remove(key); !r) return r.error();
    ++out.removed_keys;
  }
  if (out.removed_keys > 0) {
    if (auto r = fs.sync(); !r) return r.error();
  }
  return out;
}

}  // namespace certgate::apply
