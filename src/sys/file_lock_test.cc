#include "sys/file_lock.h"

#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

namespace certgate::sys {
namespace {

TEST_CASE("file_lock: one holder at a time, released when the holder goes") {
  const char* base = std::getenv("TMPDIR");
  std::string path =
      std::string(base ? base : "/tmp") + "/certgate-lock-test." + std::to_string(::getpid());
  {
    auto first = FileLock::acquire(path);
    REQUIRE(first);
    auto second = FileLock::acquire(path);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == Errc::refused);
  }
  CHECK(FileLock::acquire(path).has_value());
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace certgate::sys
