// targets::Watchdog: bounds a blocking network call. libssh 0.10's SFTP may wait for a reply
// without a deadline, and TCP keepalives do not help when the host's kernel answers but its
// sftp-server hangs: a stuck host would hold its batch, and the agent's tick, forever. A call
// that runs past its deadline gets its socket shut down, which fails the call (and the session).
// One thread serves the whole process.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace certgate::targets {

class Watchdog {
 public:
  // Whether the call has run out of time: set by the watchdog when it shuts the socket, or seen
  // by the call's own error path (the library's own timeout may end the call first).
  struct Late {
    std::atomic<bool> fired{false};
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

    bool now() const { return fired || std::chrono::steady_clock::now() >= deadline; }
  };

  // Watches socket `fd` for `limit` from now, until destroyed. Guards may nest.
  Watchdog(int fd, std::chrono::steady_clock::duration limit, Late* late = nullptr);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::uint64_t id_ = 0;
  Late* late_ = nullptr;
  std::chrono::steady_clock::time_point previous_;
};

}  // namespace certgate::targets
