#include "observed/last_seen.h"

#include <doctest/doctest.h>

#include "support/mem_filesystem.h"

namespace certgate::observed {
namespace {

using namespace std::chrono;

std::string line(const std::string& time, const std::string& serial,
                 const std::string& verify = "SUCCESS", const std::string& device = "alice") {
  return "127.0.0.1 [" + time + "] \"GET / HTTP/1.1\" 200 verify=" + verify + " serial=" + serial +
         " device=" + device + "\n";
}

TEST_CASE("last seen: $time_local is read with its offset") {
  CHECK(parse_time_local("02/Dec/2026:05:33:12 +0000") ==
        base::Instant{sys_days{2026y / December / 2} + hours{5} + minutes{33} + seconds{12}});
  CHECK(parse_time_local("02/Dec/2026:06:33:12 +0100") ==
        parse_time_local("02/Dec/2026:05:33:12 +0000"));
  CHECK(parse_time_local("01/Dec/2026:23:03:12 -0630") ==
        parse_time_local("02/Dec/2026:05:33:12 +0000"));
  CHECK_FALSE(parse_time_local("02/Dek/2026:05:33:12 +0000"));
  CHECK_FALSE(parse_time_local("30/Feb/2026:05:33:12 +0000"));
  CHECK_FALSE(parse_time_local("02/Dec/2026:05:33:12"));
  CHECK_FALSE(parse_time_local("2026-12-02T05:33:12Z"));
  CHECK_FALSE(parse_time_local("02/Dec/2026:5:33:12 +00000"));
}

TEST_CASE("last seen: a line gives its serial, uppercased, and when") {
  auto l = parse_access_line(line("02/Dec/2026:05:33:12 +0000", "4a01ff"));
  REQUIRE(l);
  CHECK(l->serial == "4A01FF");
  CHECK(l->verify == "SUCCESS");
  CHECK(l->at == *parse_time_local("02/Dec/2026:05:33:12 +0000"));
  auto refused =
      parse_access_line(line("02/Dec/2026:05:33:12 +0000", "4B", "FAILED:certificate revoked", ""));
  REQUIRE(refused);
  CHECK(refused->verify == "FAILED:certificate revoked");
  // No certificate, garbage, another format.
  CHECK_FALSE(parse_access_line(line("02/Dec/2026:05:33:12 +0000", "-", "NONE", "")));
  CHECK_FALSE(parse_access_line(line("02/Dec/2026:05:33:12 +0000", "", "NONE", "")));
  CHECK_FALSE(parse_access_line("garbage"));
  CHECK_FALSE(parse_access_line(""));
  CHECK_FALSE(
      parse_access_line("127.0.0.1 - - [02/Dec/2026:05:33:12 +0000] \"GET / HTTP/1.1\" 200 "
                        "612 \"-\" \"curl/7.88\""));
  // What a client puts in its request cannot pose as the fields: nginx escapes '"' as \x22.
  CHECK_FALSE(parse_access_line(
      "127.0.0.1 [02/Dec/2026:05:33:12 +0000] \"GET /?\\x22 200 verify=SUCCESS serial=AA "
      "device=x HTTP/1.1\" 400 verify=NONE serial=- device=\n"));
}

TEST_CASE("last seen: the latest time per serial wins, a partial first line is skipped") {
  AccessLogSeen seen;
  const std::string text =
      "Dec/2026:01:00:00 +0000] \"GET / HTTP/1.1\" 200 verify=SUCCESS "
      "serial=CC device=carol\n" +
      line("02/Dec/2026:05:00:00 +0000", "AA") + line("02/Dec/2026:04:00:00 +0000", "AA") +
      "not a line at all\n" + line("02/Dec/2026:03:00:00 +0000", "BB") +
      "127.0.0.1 [02/Dec/2026:09:00:00 +0000] \"GET";  // half written
  add_access_lines(text, true, seen);
  CHECK(seen.lines == 3);
  CHECK(seen.serials.size() == 2);
  CHECK(seen.serials.at("AA").at == *parse_time_local("02/Dec/2026:05:00:00 +0000"));
  CHECK(seen.serials.at("BB").at == *parse_time_local("02/Dec/2026:03:00:00 +0000"));
}

TEST_CASE("last seen: only the tail of a large log is read, with the rotated one while it fits") {
  testing::MemFilesystem fs;
  std::string big;
  for (int i = 0; i < 1000; ++i) big += line("01/Dec/2026:00:00:00 +0000", "0A");
  big += line("02/Dec/2026:05:00:00 +0000", "0B");
  fs.put("/log/access.log", big);
  AccessLogSeen seen = read_access_log(fs, "local", "/log/access.log", 300);
  CHECK(seen.is_read());
  CHECK(seen.is_tail);
  CHECK(seen.bytes_read == 300);
  CHECK(seen.serials.contains("0B"));
  // A log rotated a moment ago: the budget left goes to access.log.1.
  fs.put("/log/new.log", line("02/Dec/2026:06:00:00 +0000", "0C"));
  fs.put("/log/new.log.1", line("01/Dec/2026:06:00:00 +0000", "0D"));
  seen = read_access_log(fs, "local", "/log/new.log");
  CHECK(seen.serials.size() == 2);
  CHECK_FALSE(seen.is_tail);
  // An absent log is no error: it says why.
  seen = read_access_log(fs, "local", "/log/none.log");
  CHECK_FALSE(seen.is_read());
  CHECK(seen.problem.find("/log/none.log") != std::string::npos);
}

TEST_CASE("last seen: serials map to devices, and an older certificate is told apart") {
  ObservedState o;
  Cert old;
  old.serial = "0A";
  old.device = "alice";
  old.not_before = sys_days{2025y / December / 1};
  old.not_after = sys_days{2026y / December / 20};
  Cert newest = old;
  newest.serial = "0B";
  newest.not_before = sys_days{2026y / November / 25};
  newest.not_after = sys_days{2027y / November / 25};
  Cert bob = newest;
  bob.serial = "0C";
  bob.device = "bob";
  o.certs = {old, newest, bob};
  AccessLogSeen log;
  add_access_lines(line("02/Dec/2026:05:00:00 +0000", "0B") +
                       line("02/Dec/2026:06:00:00 +0000", "0A") +
                       line("02/Dec/2026:07:00:00 +0000", "0C") +
                       line("02/Dec/2026:08:00:00 +0000", "FF"),  // not of this CA's database
                   false, log);
  const base::Instant now = sys_days{2026y / December / 3};
  auto seen = last_seen_by_device(o, {log}, now);
  REQUIRE(seen.size() == 2);
  CHECK(seen.at("alice").serial == "0A");
  CHECK_FALSE(seen.at("alice").is_newest);
  CHECK(seen.at("bob").is_newest);
  CHECK(last_seen_serial({log}, "0B")->at == *parse_time_local("02/Dec/2026:05:00:00 +0000"));
  CHECK_FALSE(last_seen_serial({log}, "0D"));
  // Old and new within the same second ($time_local's resolution): the new one is in use.
  AccessLogSeen same;
  add_access_lines(
      line("02/Dec/2026:06:00:00 +0000", "0A") + line("02/Dec/2026:06:00:00 +0000", "0B"), false,
      same);
  seen = last_seen_by_device(o, {same}, now);
  CHECK(seen.at("alice").serial == "0B");
  CHECK(seen.at("alice").is_newest);
}

TEST_CASE("last seen: only the local target's log is read, hosts' are not yet") {
  testing::MemFilesystem fs;
  fs.put("/log/access.log", line("02/Dec/2026:05:00:00 +0000", "0A"));
  desired::DesiredState d;
  CHECK(read_access_logs(fs, d).empty());  // no access_log
  d.nginx.access_log = "/log/access.log";
  auto logs = read_access_logs(fs, d);
  REQUIRE(logs.size() == 1);
  CHECK(logs[0].target == "local");
  CHECK(logs[0].serials.contains("0A"));
  d.hosts.push_back(desired::Host{});
  CHECK(read_access_logs(fs, d).empty());
}

}  // namespace
}  // namespace certgate::observed
