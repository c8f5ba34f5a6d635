#include "targets/watchdog.h"

#include <sys/socket.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace certgate::targets {
namespace {

using Clock = std::chrono::steady_clock;

struct Entry {
  int fd;
  Clock::time_point deadline;
  std::atomic<bool>* fired;
};

struct Registry {
  std::mutex mutex;
  std::condition_variable wake;
  std::map<std::uint64_t, Entry> entries;
  std::uint64_t next_id = 0;
};

void watch(Registry& r) {
  std::unique_lock lock(r.mutex);
  for (;;) {
    auto next = Clock::time_point::max();
    const auto now = Clock::now();
    for (auto& [id, e] : r.entries) {
      if (e.fd >= 0 && e.deadline <= now) {
        if (e.fired) *e.fired = true;  // first: the call wakes up as soon as the socket shuts
        ::shutdown(e.fd, SHUT_RDWR);
        e.fd = -1;
      } else if (e.fd >= 0) {
        next = std::min(next, e.deadline);
      }
    }
    if (next == Clock::time_point::max())
      r.wake.wait(lock);
    else
      r.wake.wait_until(lock, next);
  }
}

// Started on first use and never destroyed: the thread may still wait while static destructors
// run at exit.
Registry& registry() {
  static Registry* r = [] {
    auto* reg = new Registry;
    std::thread([reg] { watch(*reg); }).detach();
    return reg;
  }();
  return *r;
}

}  // namespace

Watchdog::Watchdog(int fd, Clock::duration limit, Late* late) : late_(late) {
  const auto deadline = Clock::now() + limit;
  if (late_) {
    previous_ = late_->deadline;
    // A small margin: the library's own timeout, started just before, may end the call first.
    late_->deadline = std::min(previous_, deadline - std::chrono::milliseconds{200});
  }
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  id_ = ++r.next_id;
  r.entries[id_] = {fd, deadline, late ? &late->fired : nullptr};
  r.wake.notify_one();
}

Watchdog::~Watchdog() {
  if (late_) late_->deadline = previous_;
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.entries.erase(id_);
}

}  // namespace certgate::targets
