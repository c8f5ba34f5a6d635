// The one doctest main of certgate_unit; every *_test.cc links into it. apply/ logs through
// spdlog; unit tests assert on effects, so the log stays quiet unless CERTGATE_TEST_LOG is set.
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

int main(int argc, char** argv) {
  if (std::getenv("CERTGATE_TEST_LOG") == nullptr) spdlog::set_level(spdlog::level::off);
  return doctest::Context(argc, argv).run();
}
