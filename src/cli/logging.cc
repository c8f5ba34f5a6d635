#include "cli/logging.h"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

namespace certgate::cli {
namespace {

std::atomic<long> warnings{0};
std::atomic<bool> json_format{false};

// Counts warnings and errors, whatever the verbosity lets through to stderr.
class WarningCounter final : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg&) override { ++warnings; }
  void flush_() override {}
};

// %* in the pattern: the message's JSON fields (json_log_fields), so every line parses as JSON.
class JsonMessageFlag final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    const std::string fields = json_log_fields({msg.payload.data(), msg.payload.size()});
    dest.append(fields.data(), fields.data() + fields.size());
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

bool is_key(std::string_view k) {
  return !k.empty() && k.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos;
}

}  // namespace

std::string json_log_fields(std::string_view message) {
  nlohmann::ordered_json j;
  j["msg"] = std::string(message);
  std::string event;
  size_t pos = 0;
  bool in_fields = false;
  while (pos < message.size()) {
    size_t end = message.find(' ', pos);
    if (end == std::string_view::npos) end = message.size();
    std::string_view word = message.substr(pos, end - pos);
    const size_t eq = word.find('=');
    if (eq != std::string_view::npos && is_key(word.substr(0, eq)) && word.substr(0, eq) != "msg") {
      j[std::string(word.substr(0, eq))] = std::string(word.substr(eq + 1));
      in_fields = true;
    } else if (!in_fields && !word.empty()) {
      event += (event.empty() ? "" : " ") + std::string(word);
    }
    pos = end + 1;
  }
  if (!event.empty()) j["event"] = event;
  const std::string doc = j.dump();
  return doc.substr(1, doc.size() - 2);  // the fields, without the braces
}

void setup_logging(const std::string& format, int verbosity) {
  auto stderr_sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  auto counter = std::make_shared<WarningCounter>();
  counter->set_level(spdlog::level::warn);
  auto logger =
      std::make_shared<spdlog::logger>("certgate", spdlog::sinks_init_list{stderr_sink, counter});
  json_format = format == "json";
  if (format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonMessageFlag>('*').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%*})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%^%l%$: %v");
  }
  stderr_sink->set_level(level_for(verbosity));
  logger->set_level(std::min(level_for(verbosity), spdlog::level::warn));
  spdlog::set_default_logger(std::move(logger));
}

long warnings_logged() { return warnings.load(); }

bool logging_json() { return json_format.load(); }

}  // namespace certgate::cli
