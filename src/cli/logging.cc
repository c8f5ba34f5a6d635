#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <memory>
#include <nlohmann/json.hpp>

namespace certgate::cli {
namespace {

// %* in the pattern: the message as a JSON string, escaped, so every line parses as JSON.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string quoted =
        nlohmann::json(std::string(msg.payload.data(), msg.payload.size())).dump();
    dest.append(quoted.data(), quoted.data() + quoted.size());
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonMessageFlag>();
  }
};

spdlog::level::level_enum level_for(int verbosity) {
  if (verbosity >= 2) return spdlog::level::trace;
  if (verbosity == 1) return spdlog::level::debug;
  if (verbosity == 0) return spdlog::level::info;
  if (verbosity == -1) return spdlog::level::warn;
  return spdlog::level::err;
}

}  // namespace

void setup_logging(const std::string& format, int verbosity) {
  auto logger = std::make_shared<spdlog::logger>("certgate",
                                                 std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","msg":%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  logger->set_level(level_for(verbosity));
  spdlog::set_default_logger(std::move(logger));
}

}  // namespace certgate::cli
