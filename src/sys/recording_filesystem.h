// RecordingFilesystem: a Filesystem that passes every call through to another one and keeps a
// trace of what was read, so that a later run can tell, by reading the same paths again,
// whether anything it depends on changed (a build system's verifying trace, as in Shake or
// ninja's depfiles). cli/run_cache.h uses it to answer a plan with no changes without
// computing it again.
//
// Each read is kept as (operation, path, fingerprint): a read's content hash or its error, a
// stat's kind, mode and size, a listing's names. A write through this filesystem replaces the
// fingerprint of what the path now holds (the trace describes the files after the run); an
// operation whose result the trace cannot describe (a change of group) marks it incomplete.
// read_tail is passed through and not kept: it reads logs that grow all the time, and a caller that
// depends on them must not rely on the trace.
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "sys/filesystem.h"

namespace certgate::sys {

enum class TraceOp { read, stat, list, read_inside };

struct TraceEntry {
  TraceOp op = TraceOp::read;
  std::string path;         // for read_inside: root + '\n' + relative
  std::uint64_t limit = 0;  // read_inside's max_size
  std::string fingerprint;  // "sha256:HEX", "kind mode size", "names:HEX" or "error:CODE"

  bool operator==(const TraceEntry&) const = default;
};

struct Trace {
  std::vector<TraceEntry> entries;
  bool complete = true;  // false after an operation the trace cannot describe
};

// The fingerprint of some bytes (cli/ passes pki::sha256_hex: sys/ holds no OpenSSL).
using Hasher = std::function<std::string(std::string_view)>;

class RecordingFilesystem final : public Filesystem {
 public:
  // `inner` must outlive this.
  RecordingFilesystem(Filesystem& inner, Hasher hash) : inner_(inner), hash_(std::move(hash)) {}

  // The trace so far, its contents hashed now (reads keep their bytes until then, so a run that
  // turns out not to be cached pays no hashing).
  Trace trace() const;

  // From now on only passes calls through; the trace is incomplete. For a run that will not be
  // cached after all (it changes things): its writes are not worth following.
  void stop() {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }

  Result<std::string> read(const std::string& path) override;
  Result<void> write_atomic(const std::string& path, const std::string& bytes,
                            std::uint32_t mode) override;
  Result<void> write_deferred(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override;
  Result<void> sync() override { return inner_.sync(); }
  Result<void> rename(const std::string& from, const std::string& to) override;
  Result<std::vector<std::string>> list(const std::string& path) override;
  Result<void> remove(const std::string& path) override;
  Result<FileInfo> stat(const std::string& path) override;
  Result<void> make_dirs(const std::string& path, std::uint32_t mode) override;
  Result<std::string> read_inside(const std::string& root, const std::string& relative,
                                  std::uint64_t max_size) override;
  Result<void> set_group(const std::string& path, const std::string& group) override;
  Result<void> append_durable(const std::string& path, const std::string& bytes,
                              std::uint32_t mode) override {
    auto r = inner_.append_durable(path, bytes, mode);
    wrote(path);
    return r;
  }
  Result<FileTail> read_tail(const std::string& path, std::uint64_t max_bytes) override {
    return inner_.read_tail(path, max_bytes);
  }

 private:
  // An entry as kept during the run: `print` is the fingerprint, or the bytes read when
  // `is_bytes` (hashed by trace()).
  struct Kept {
    TraceEntry entry;
    bool is_bytes = false;
  };
  using Key = std::tuple<TraceOp, std::string, std::uint64_t>;

  void keep(TraceOp op, const std::string& path, std::uint64_t limit, std::string print,
            bool is_bytes);
  void keep_content(TraceOp op, const std::string& path, std::uint64_t limit,
                    const Result<std::string>& r);
  void refresh(TraceOp op, const std::string& path);
  void wrote(const std::string& path);

  Filesystem& inner_;
  Hasher hash_;
  mutable std::mutex mu_;  // guards everything below
  std::vector<Kept> kept_;
  std::map<Key, size_t> index_;
  std::vector<size_t> inside_;  // the read_inside entries
  bool complete_ = true;
  bool stopped_ = false;
};

// True when every entry of `trace` reads the same from `fs` now. Stops at the first difference.
bool trace_holds(Filesystem& fs, const Trace& trace, const Hasher& hash);

// The fingerprint `op` on `path` gives on `fs` now (what RecordingFilesystem keeps).
std::string fingerprint_now(Filesystem& fs, const TraceEntry& entry, const Hasher& hash);

}  // namespace certgate::sys
