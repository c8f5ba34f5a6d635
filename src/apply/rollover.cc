#include "apply/rollover.h"

#include <spdlog/spdlog.h>

#include "apply/ca_key.h"
#include "pki/ca_database.h"
#include "pki/ca_generations.h"

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

}  // namespace

Result<void> start_rollover(const desired::DesiredState& desired, ApplyContext& ctx) {
  sys::Filesystem& fs = ctx.fs;
  const std::string ca = in_state(ctx.state_dir, pki::kCaDir);
  const std::string next = in_state(ctx.state_dir, pki::kNextCaDir);
  const std::string previous = in_state(ctx.state_dir, pki::kPreviousCaDir);
  for (const std::string& path : {next, previous}) {
    auto there = exists(fs, path);
    if (!there) return there.error();
    if (*there)
      return make_error(Errc::stale, path +
                                         " exists: a rollover is under way; run certgate plan "
                                         "again");
  }
  pki::CaDatabase next_db(fs, ctx.state_dir, pki::kNextCaDir);
  if (auto r = create_ca_files(desired, ctx, next_db, false); !r) return r;
  if (auto r = move(fs, ca, previous); !r) return r;
  if (auto r = move(fs, next, ca); !r) return r;  // the commit point
  if (auto r = pki::CaDatabase(fs, ctx.state_dir).write_config(); !r) return r;
  if (auto r = refresh_previous_config(fs, ctx.state_dir); !r) return r;
  spdlog::info("CA rollover: the new CA is in {}, the previous one in {}", ca, previous);
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
      if (auto r = refresh_previous_config(fs, state_dir); !r) return r.error();
      out.finished_swap = true;
    } else if (*has_ca) {
      if (auto r = fs.make_dirs(retired, kDirMode); !r) return r.error();
      std::string to;
      for (int n = 1;; ++n) {
        to = sys::join_path(retired, "ca-next-interrupted-" + std::to_string(n));
        auto taken = exists(fs, to);
        if (!taken) return taken.error();
        if (!*taken) break;
      }
      if (auto r = move(fs, next, to); !r) return r.error();
      out.set_aside_next = true;
    } else {
      return make_error(Errc::invalid, next + " is there without " + ca + " or " + previous +
                                           ": a damaged rollover, for a human to repair");
    }
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
