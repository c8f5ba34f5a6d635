#include "apply/reload_wait.h"

#include <doctest/doctest.h>

#include <deque>

namespace certgate::apply {
namespace {

desired::Site site() {
  desired::Site s;
  s.name = "admin";
  s.server_names = {"admin.example.com"};
  s.probe = desired::Probe{"https://127.0.0.1:8443/", "127.0.0.1", 8443, "/"};
  return s;
}

// The answers of successive connections: a generation ("" for no header), or "refused" for a
// connection that could not be made.
struct Answers {
  std::deque<std::string> queue;
  int sleeps = 0;

  GenerationWaitOptions options() {
    GenerationWaitOptions o;
    o.consecutive = 3;
    o.retry_interval = std::chrono::milliseconds(10);
    o.settle = std::chrono::milliseconds(200);  // 20 connections at most
    o.max_without_header = 5;
    o.sleep = [this](std::chrono::milliseconds) { ++sleeps; };
    o.probe = [this](const pki::ProbeRequest& req) -> Result<pki::ProbeResult> {
      CHECK(req.identity == nullptr);
      std::string next = queue.empty() ? "" : queue.front();
      if (!queue.empty()) queue.pop_front();
      if (next == "refused") return make_error(Errc::io, "connect 127.0.0.1:8443: refused");
      pki::ProbeResult r;
      r.http_status = 403;
      r.head = "HTTP/1.1 403 Forbidden\r\nServer: nginx\r\n";
      if (!next.empty()) r.head += "x-certgate-generation: " + next + "\r\n";
      return r;
    };
    return o;
  }
};

TEST_CASE("reload wait: old workers answer first, then the new generation on every connection") {
  Answers a{{"old", "new", "old", "new", "new", "new", "old"}};
  const GenerationWait w = wait_for_generation(site(), {"new"}, a.options());
  CHECK(w.outcome == GenerationOutcome::current);
  CHECK(w.connections == 6);
  CHECK(w.last_seen == "new");
}

TEST_CASE("reload wait: a configuration that never changes over is stale when settle runs out") {
  Answers a{{"new", "new", "old", "new", "new", "old"}};
  for (int i = 0; i < 30; ++i) a.queue.push_back(i % 2 ? "new" : "old");
  const GenerationWait w = wait_for_generation(site(), {"new"}, a.options());
  CHECK(w.outcome == GenerationOutcome::stale);
  CHECK(w.connections == 20);
}

TEST_CASE("reload wait: a server that names no generation does not include SITE.conf") {
  Answers a;
  const GenerationWait w = wait_for_generation(site(), {"new"}, a.options());
  CHECK(w.outcome == GenerationOutcome::not_included);
  CHECK(w.connections == 5);
}

TEST_CASE("reload wait: refused connections neither count nor break a run") {
  Answers a{{"refused", "new", "refused", "new", "new"}};
  const GenerationWait w = wait_for_generation(site(), {"new"}, a.options());
  CHECK(w.outcome == GenerationOutcome::current);
  CHECK(w.connections == 5);
  Answers none;
  for (int i = 0; i < 30; ++i) none.queue.push_back("refused");
  const GenerationWait n = wait_for_generation(site(), {"new"}, none.options());
  CHECK(n.outcome == GenerationOutcome::cannot_check);
  CHECK(n.detail == "connect 127.0.0.1:8443: refused");
}

TEST_CASE("reload wait: any generation deployed on one of the site's targets counts") {
  Answers a{{"h1", "h2", "h1"}};
  CHECK(wait_for_generation(site(), {"h1", "h2"}, a.options()).outcome ==
        GenerationOutcome::current);
}

}  // namespace
}  // namespace certgate::apply
