#include "sys/recording_filesystem.h"

#include <algorithm>

namespace certgate::sys {

namespace {

std::string error_print(const Error& e) {
  return "error:" + std::to_string(static_cast<int>(e.code));
}

std::string kind_name(FileKind k) {
  switch (k) {
    case FileKind::file:
      return "file";
    case FileKind::directory:
      return "dir";
    case FileKind::other:
      return "other";
  }
  return "other";
}

std::string content_print(const Result<std::string>& r, const Hasher& hash) {
  return r ? "sha256:" + hash(*r) : error_print(r.error());
}

std::string stat_print(const Result<FileInfo>& r) {
  if (!r) return error_print(r.error());
  return kind_name(r->kind) + " " + std::to_string(r->mode) + " " + std::to_string(r->size);
}

std::string list_print(const Result<std::vector<std::string>>& r, const Hasher& hash) {
  if (!r) return error_print(r.error());
  std::string names;
  for (const std::string& n : *r) names += n + '\n';
  return "names:" + hash(names);
}

}  // namespace

std::string fingerprint_now(Filesystem& fs, const TraceEntry& e, const Hasher& hash) {
  switch (e.op) {
    case TraceOp::read:
      return content_print(fs.read(e.path), hash);
    case TraceOp::stat:
      return stat_print(fs.stat(e.path));
    case TraceOp::list:
      return list_print(fs.list(e.path), hash);
    case TraceOp::read_inside: {
      const size_t cut = e.path.find('\n');
      return content_print(fs.read_inside(e.path.substr(0, cut), e.path.substr(cut + 1), e.limit),
                           hash);
    }
  }
  return "";
}

bool trace_holds(Filesystem& fs, const Trace& trace, const Hasher& hash) {
  if (!trace.complete) return false;
  return std::all_of(trace.entries.begin(), trace.entries.end(), [&](const TraceEntry& e) {
    return fingerprint_now(fs, e, hash) == e.fingerprint;
  });
}

void RecordingFilesystem::keep(TraceOp op, const std::string& path, std::uint64_t limit,
                               std::string fingerprint) {
  for (const TraceEntry& e : trace_.entries) {
    if (e.op != op || e.path != path || e.limit != limit) continue;
    // The same path read twice otherwise in one run (someone changed it meanwhile): what the
    // run decided rests on both, which no single fingerprint describes.
    if (e.fingerprint != fingerprint) trace_.complete = false;
    return;
  }
  trace_.entries.push_back({op, path, limit, std::move(fingerprint)});
}

// After a change of `path`, the entries that read it or its folder describe what is there now.
void RecordingFilesystem::wrote(const std::string& path) {
  const std::string parent = parent_path(path);
  for (TraceEntry& e : trace_.entries) {
    const std::string target =
        e.op == TraceOp::read_inside ? e.path.substr(0, e.path.find('\n')) : e.path;
    if (e.op == TraceOp::read_inside || target == path ||
        (e.op == TraceOp::list && target == parent))
      e.fingerprint = fingerprint_now(inner_, e, hash_);
  }
}

Result<std::string> RecordingFilesystem::read(const std::string& path) {
  auto r = inner_.read(path);
  keep(TraceOp::read, path, 0, content_print(r, hash_));
  return r;
}

Result<void> RecordingFilesystem::write_atomic(const std::string& path, const std::string& bytes,
                                               std::uint32_t mode) {
  auto r = inner_.write_atomic(path, bytes, mode);
  wrote(path);
  return r;
}

Result<void> RecordingFilesystem::write_deferred(const std::string& path, const std::string& bytes,
                                                 std::uint32_t mode) {
  auto r = inner_.write_deferred(path, bytes, mode);
  wrote(path);
  return r;
}

Result<void> RecordingFilesystem::rename(const std::string& from, const std::string& to) {
  auto r = inner_.rename(from, to);
  wrote(from);
  wrote(to);
  return r;
}

Result<std::vector<std::string>> RecordingFilesystem::list(const std::string& path) {
  auto r = inner_.list(path);
  keep(TraceOp::list, path, 0, list_print(r, hash_));
  return r;
}

Result<void> RecordingFilesystem::remove(const std::string& path) {
  auto r = inner_.remove(path);
  wrote(path);
  return r;
}

Result<FileInfo> RecordingFilesystem::stat(const std::string& path) {
  auto r = inner_.stat(path);
  keep(TraceOp::stat, path, 0, stat_print(r));
  return r;
}

Result<void> RecordingFilesystem::make_dirs(const std::string& path, std::uint32_t mode) {
  auto r = inner_.make_dirs(path, mode);
  // Parents it made are named in their own parents' listings: look again at every folder on
  // the way.
  for (std::string p = path; !p.empty() && p != "/" && p != "."; p = parent_path(p)) wrote(p);
  return r;
}

Result<std::string> RecordingFilesystem::read_inside(const std::string& root,
                                                     const std::string& relative,
                                                     std::uint64_t max_size) {
  auto r = inner_.read_inside(root, relative, max_size);
  keep(TraceOp::read_inside, root + '\n' + relative, max_size, content_print(r, hash_));
  return r;
}

Result<void> RecordingFilesystem::set_group(const std::string& path, const std::string& group) {
  trace_.complete = false;
  return inner_.set_group(path, group);
}

}  // namespace certgate::sys
