#include "cli/logging.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>

namespace certgate::cli {

TEST_CASE("logging: a JSON line carries the event and each key=value as a field") {
  auto j = nlohmann::json::parse("{" + json_log_fields("issued device=alice serial=4A01") + "}");
  CHECK(j["event"] == "issued");
  CHECK(j["device"] == "alice");
  CHECK(j["serial"] == "4A01");
  CHECK(j["msg"] == "issued device=alice serial=4A01");
  auto plain = nlohmann::json::parse("{" + json_log_fields("agent stopping \"quoted\"") + "}");
  CHECK(plain["event"] == "agent stopping \"quoted\"");
  // A key=value cannot overwrite the message itself.
  auto m = nlohmann::json::parse("{" + json_log_fields("x msg=forged") + "}");
  CHECK(m["msg"] == "x msg=forged");
}

}  // namespace certgate::cli
