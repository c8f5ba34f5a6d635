// sys::Clock: the one way certgate learns the time.
//
// cli/ and agent/ read it once per command or tick and pass the instant down as a value, so the
// planner stays pure and --now needs no special path. Tests use FixedClock (tests/support/).
#pragma once

#include "base/time.h"

namespace certgate::sys {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual base::Instant now() const = 0;
};

class RealClock final : public Clock {
 public:
  base::Instant now() const override;
};

}  // namespace certgate::sys
