// The trainer API over HTTP (docs/server.md): an in-process server on a free
// loopback port, real requests with cpp-httplib's client. Every wait is
// bounded; runs that would take long are cancelled.
#include <httplib.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "groundswell/server/server.hpp"

namespace groundswell::server {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

/// A server on 127.0.0.1 and a free port, serving on a thread of its own.
class TestServer {
 public:
  explicit TestServer(Limits limits = {}) {
    ServeOptions options;
    options.port = 0;
    options.limits = limits;
    server_ = std::make_unique<Server>(options);
    port_ = server_->bind();
    thread_ = std::thread([this] { server_->run(); });
  }
  ~TestServer() {
    server_->stop();
    thread_.join();
  }
  httplib::Client client() const {
    httplib::Client c("127.0.0.1", port_);
    c.set_connection_timeout(5);
    c.set_read_timeout(10);
    c.set_url_encode(false);  // send paths exactly as written
    return c;
  }
  Server& server() { return *server_; }
  int port() const { return port_; }

 private:
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

json body_of(const httplib::Result& r) {
  REQUIRE(r);
  return json::parse(r->body);
}

httplib::Result post_run(httplib::Client& c, const std::string& body) {
  return c.Post("/api/runs", body, "application/json");
}

/// Polls a run until it is finished (at most `seconds`); returns its last status.
json wait_for(httplib::Client& c, const std::string& id, double seconds = 30) {
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  json status;
  while (Clock::now() < end) {
    status = body_of(c.Get(("/api/runs/" + id).c_str()));
    const std::string s = status["status"];
    if (s == "done" || s == "failed" || s == "cancelled") return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  FAIL("run " << id << " did not finish in " << seconds << " s; last status " << status.dump().substr(0, 300));
  return status;
}

/// A run that takes many seconds unless cancelled.
const char* const kLongRun =
    R"({"strategy": {"preset": "hybrid"}, "organization": {"size": 5000}, "trials": 500, "steps": 260, "animate": false})";

}  // namespace

TEST_CASE("the page is served from the binary, and nothing else", "[unit][server]") {
  TestServer t;
  auto c = t.client();
  auto index = c.Get("/");
  REQUIRE(index);
  CHECK(index->status == 200);
  CHECK(index->get_header_value("Content-Type") == "text/html; charset=utf-8");
  CHECK_THAT(index->get_header_value("Content-Security-Policy"), Catch::Contains("default-src 'self'"));
  CHECK_THAT(index->body, Catch::Contains("<script type=\"module\" src=\"/app.js\">"));
  auto js = c.Get("/app.js");
  REQUIRE(js);
  CHECK(js->status == 200);
  CHECK(js->get_header_value("Content-Type") == "text/javascript; charset=utf-8");
  CHECK(c.Get("/style.css")->status == 200);
  CHECK(c.Get("/index.html")->status == 200);
  // The page loads nothing from elsewhere: no absolute URLs in its files.
  for (const char* path : {"/", "/app.js", "/style.css"}) {
    const std::string text = c.Get(path)->body;
    CHECK(text.find("https://") == std::string::npos);
    CHECK(text.find("//cdn") == std::string::npos);
  }

  for (const char* path :
       {"/../CMakeLists.txt", "/..%2f..%2fCMakeLists.txt", "/%2e%2e/%2e%2e/etc/passwd", "/web/app.js", "/app.js/",
        "/app.js%00.html", "//etc/passwd", "/etc/passwd", "/api/../../README.md", "/README.md", "/.git/config"}) {
    auto r = c.Get(path);
    REQUIRE(r);
    INFO(path);
    CHECK(r->status == 404);
    CHECK_THAT(r->body, Catch::Contains("\"error\""));
    CHECK(r->body.find("root:") == std::string::npos);
    CHECK(r->body.find("cmake_minimum_required") == std::string::npos);
  }
}

TEST_CASE("a run returns curves as they arrive and one trial step by step", "[unit][server]") {
  TestServer t;
  auto c = t.client();
  auto presets = body_of(c.Get("/api/presets"));
  REQUIRE(presets["presets"].size() == 6);
  CHECK(presets["presets"][0]["id"] == "top_down");
  CHECK(presets["limits"]["max_trials"] == 500);
  CHECK(presets["defaults"]["organization"]["size"] == 400);

  auto posted = post_run(c, R"({"strategy": {"preset": "distributed"}, "trials": 40, "steps": 30, "seed": 5})");
  REQUIRE(posted);
  REQUIRE(posted->status == 202);
  const json accepted = json::parse(posted->body);
  const std::string id = accepted["id"];
  CHECK(posted->get_header_value("Location") == "/api/runs/" + id);
  const json done = wait_for(c, id);
  REQUIRE(done["status"] == "done");
  CHECK(done["trials_done"] == 40);
  CHECK(done["request"]["strategy"]["champions"]["count"] == 8);
  CHECK_THAT(done["scenario"].get<std::string>(), Catch::Contains("selection = \"distributed\""));
  const json& curves = done["curves"];
  CHECK(curves["trials"] == 40);
  for (const char* s : {"N", "C", "A", "R"}) {
    INFO(s);
    REQUIRE(curves[s]["median"].size() == 31);
    for (std::size_t t_ = 0; t_ <= 30; ++t_) {
      CHECK(curves[s]["low"][t_].get<double>() <= curves[s]["median"][t_].get<double>());
      CHECK(curves[s]["median"][t_].get<double>() <= curves[s]["high"][t_].get<double>());
    }
  }
  CHECK(curves["C"]["high"][30] == 0.0);                              // nobody complies without a mandate
  CHECK(curves["A"]["median"][0] == Approx(8.0 / 400).margin(1e-4));  // the champions
  CHECK_THAT(done["caption"].get<std::string>(), Catch::Contains("(Median of 40 runs.)"));
  CHECK(done["summary"]["final_adopted"]["mean"].get<double>() > 0.02);
  // Who drove the adoption: shares of the peer credit by role, and of the entries into A by cause.
  const json& drivers = done["attribution"];
  CHECK(drivers["credit_trials"] == 40);
  CHECK(drivers["entry_trials"] == 40);
  double roles = 0;
  for (const char* r : {"formal_leaders", "champions", "others"}) {
    INFO(r);
    CHECK(drivers["credit"][r].get<double>() >= 0.0);
    roles += drivers["credit"][r].get<double>();
  }
  CHECK(roles == Approx(1.0).margin(1e-3));
  CHECK(drivers["credit"]["champions"].get<double>() > 0.0);
  double causes = 0;
  for (const auto& [cause, share] : drivers["entries"].items()) causes += share.get<double>();
  CHECK(causes == Approx(1.0).margin(1e-3));
  CHECK(drivers["entries"]["issuer"] == 0.0);               // no mandate
  CHECK(drivers["entries"]["seeded"].get<double>() > 0.0);  // the champions at week 0

  auto trial_response = c.Get(("/api/runs/" + id + "/trial").c_str());
  REQUIRE(trial_response);
  REQUIRE(trial_response->status == 200);
  const json trial = json::parse(trial_response->body);
  CHECK(trial["size"] == 400);
  CHECK(trial["departments"] == 7);
  REQUIRE(trial["states"].size() == 31);
  for (const auto& row : trial["states"]) {
    REQUIRE(row.get<std::string>().size() == 400);
    CHECK(row.get<std::string>().find_first_not_of("NCAR") == std::string::npos);
  }
  CHECK(trial["manager"][0] == -1);
  CHECK(trial["manager"][8] == 1);
  REQUIRE(trial["champions"].size() == 8);
  for (const auto& champion : trial["champions"])
    CHECK(trial["states"][30].get<std::string>()[champion.get<std::size_t>()] == 'A');
  CHECK(trial["ties"].size() % 2 == 0);
  CHECK(trial["ties"].size() > 400);
  CHECK(trial["issuers"].empty());

  // Same request, same seed: the same animated trial (common random numbers).
  auto again =
      json::parse(post_run(c, R"({"strategy": {"preset": "distributed"}, "trials": 1, "steps": 30, "seed": 5})")->body);
  wait_for(c, again["id"]);
  CHECK(c.Get(("/api/runs/" + again["id"].get<std::string>() + "/trial").c_str())->body == trial_response->body);

  // A top-down run marks the issuer, and people comply.
  auto top = json::parse(post_run(c, R"({"strategy": {"preset": "top_down"}, "trials": 4, "steps": 12})")->body);
  const json top_done = wait_for(c, top["id"]);
  const json top_trial = body_of(c.Get(("/api/runs/" + top["id"].get<std::string>() + "/trial").c_str()));
  CHECK(top_trial["issuers"] == json::array({0}));
  CHECK(top_done["curves"]["C"]["median"][12].get<double>() > 0.1);

  // Without animation there is no trial to fetch.
  auto plain =
      json::parse(post_run(c, R"({"strategy": {"preset": "none"}, "trials": 2, "steps": 5, "animate": false})")->body);
  wait_for(c, plain["id"]);
  auto none = c.Get(("/api/runs/" + plain["id"].get<std::string>() + "/trial").c_str());
  CHECK(none->status == 404);
  CHECK_THAT(none->body, Catch::Contains("animate"));

  // A deleted run is gone.
  CHECK(c.Delete(("/api/runs/" + id).c_str())->status == 204);
  CHECK(c.Get(("/api/runs/" + id).c_str())->status == 404);
}

TEST_CASE("bad and hostile requests get a 4xx with a message", "[unit][server]") {
  Limits limits;
  limits.max_body_bytes = 4096;
  TestServer t(limits);
  auto c = t.client();
  auto expect = [&](const httplib::Result& r, int status, const std::string& words) {
    REQUIRE(r);
    CHECK(r->status == status);
    CHECK(r->get_header_value("Content-Type") == "application/json; charset=utf-8");
    const json j = json::parse(r->body);
    CHECK_THAT(j["error"].get<std::string>(), Catch::Contains(words));
  };
  expect(post_run(c, "{\"strategy\": "), 400, "malformed JSON");
  expect(post_run(c, "not json at all"), 400, "malformed JSON");
  expect(post_run(c, R"({"strategy": {"preset": "top_down"}, "colour": "red"})"), 400, "unknown parameter 'colour'");
  expect(post_run(c, R"({"strategy": {"preset": "top_down"}, "trials": 100000})"), 400, "allowed 1 to 500");
  expect(post_run(c, R"({"strategy": {"preset": "top_down"}, "steps": 1000})"), 400, "allowed 1 to 260");
  expect(post_run(c, R"({"strategy": {"preset": "top_down"}, "organization": {"size": 100000000}})"), 400,
         "allowed 10 to 5000");
  expect(post_run(c, R"({"strategy": {"mandate": {"intensity": 1e9}}})"), 400, "out of range");
  expect(c.Post("/api/runs", R"({"strategy": {"preset": "top_down"}})", "text/plain"), 415, "application/json");
  expect(c.Post("/api/runs", R"({"strategy": {"preset": "top_down"}})", "application/x-www-form-urlencoded"), 415,
         "application/json");
  expect(post_run(c, "{\"strategy\": \"" + std::string(8000, 'x') + "\"}"), 413, "too large");
  expect(c.Get("/api/runs/0123456789abcdef"), 404, "no run");
  expect(c.Get("/api/runs/0123456789abcdef/trial"), 404, "no run");
  expect(c.Delete("/api/runs/0123456789abcdef"), 404, "no run");
  expect(c.Get("/api/runs/..%2f..%2fetc"), 404, "not found");
  expect(c.Get("/api/nothing"), 404, "not found");
  expect(c.Put("/api/runs", "{}", "application/json"), 405, "use POST");
  expect(c.Get("/api/runs"), 405, "use POST");
  expect(c.Post("/api/presets", "{}", "application/json"), 405, "use GET");
  expect(c.Delete("/index.html"), 405, "use GET");
  // A page elsewhere that reaches the loopback server through its own name (DNS rebinding) is refused.
  expect(c.Get("/api/presets", {{"Host", "attacker.example:8080"}}), 403, "127.0.0.1, localhost or [::1]");
  expect(post_run(c, "{}"), 400, "'strategy' is required");
  CHECK(c.Get("/api/presets", {{"Host", "localhost:8080"}})->status == 200);
  // Still serving after all that.
  CHECK(body_of(c.Get("/api/health"))["ok"] == true);
}

TEST_CASE("runs are bounded: the queue refuses with 429 and the server stays responsive", "[unit][server]") {
  Limits limits;
  limits.running_runs = 1;
  limits.queued_runs = 1;
  TestServer t(limits);
  auto c = t.client();
  auto first = post_run(c, kLongRun);
  auto second = post_run(c, kLongRun);
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(first->status == 202);
  REQUIRE(second->status == 202);
  auto third = post_run(c, kLongRun);
  REQUIRE(third);
  CHECK(third->status == 429);
  CHECK(third->get_header_value("Retry-After") == "2");
  CHECK_THAT(json::parse(third->body)["error"].get<std::string>(), Catch::Contains("busy"));

  // While a run fills the engine's threads, other requests are answered at once.
  const std::string first_id = json::parse(first->body)["id"];
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  CHECK(body_of(c.Get(("/api/runs/" + first_id).c_str()))["status"] == "running");
  for (int k = 0; k < 5; ++k) {
    const auto start = Clock::now();
    auto health = c.Get("/api/health");
    REQUIRE(health);
    CHECK(health->status == 200);
    CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 1.0);
    CHECK(c.Get("/app.js")->status == 200);
  }

  // Cancelling frees the places at once.
  const auto start = Clock::now();
  CHECK(c.Delete(("/api/runs/" + first_id).c_str())->status == 204);
  CHECK(c.Delete(("/api/runs/" + json::parse(second->body)["id"].get<std::string>()).c_str())->status == 204);
  int status = 0;
  std::string accepted;
  while (status != 202 && Clock::now() - start < std::chrono::seconds(10)) {
    auto next = post_run(c, R"({"strategy": {"preset": "top_down"}, "trials": 2, "steps": 5})");
    REQUIRE(next);
    status = next->status;
    accepted = next->body;
    if (status != 202) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  REQUIRE(status == 202);
  CHECK(wait_for(c, json::parse(accepted)["id"], 10)["status"] == "done");
}

TEST_CASE("stopping the server cancels a long run promptly", "[unit][server]") {
  const auto start = Clock::now();
  {
    TestServer t;
    auto c = t.client();
    REQUIRE(post_run(c, kLongRun)->status == 202);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }  // stop() and join here
  CHECK(std::chrono::duration<double>(Clock::now() - start).count() < 5.0);
}

TEST_CASE("a port in use is an input error", "[unit][server]") {
  TestServer t;
  ServeOptions options;
  options.port = t.port();
  Server second(options);
  CHECK_THROWS_AS(second.bind(), InputError);
  CHECK(t.server().url() == "http://127.0.0.1:" + std::to_string(t.port()) + "/");
}

}  // namespace groundswell::server
