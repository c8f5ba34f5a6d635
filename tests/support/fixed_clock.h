// FixedClock: a sys::Clock that says what the test tells it.
#pragma once

#include "sys/clock.h"

namespace certgate::testing {

class FixedClock final : public sys::Clock {
 public:
  explicit FixedClock(base::Instant t) : t_(t) {}
  base::Instant now() const override { return t_; }
  void advance(std::chrono::seconds d) { t_ += d; }

 private:
  base::Instant t_;
};

}  // namespace certgate::testing
