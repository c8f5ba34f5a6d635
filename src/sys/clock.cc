#include "sys/clock.h"

#include <chrono>

namespace certgate::sys {

base::Instant RealClock::now() const {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

}  // namespace certgate::sys
