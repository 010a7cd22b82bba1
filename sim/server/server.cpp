// The HTTP side of trainer mode: routes of the JSON API (docs/server.md), the
// embedded page, and the guards against bad or hostile requests.
#include "groundswell/server/server.hpp"

#include <httplib.h>
#include <sys/socket.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <regex>
#include <string_view>
#include <thread>
#include <vector>

#include "groundswell/version.hpp"
#include "server/assets.hpp"
#include "server/request.hpp"
#include "server/runs.hpp"

namespace groundswell::server {
namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;

const char* const kRunId = "([0-9a-f]{16})";
/// Connections the kernel accepts before the server takes them (docs/server.md).
constexpr int kListenBacklog = 128;

void send_json(Response& res, int status, const json& body) {
  res.status = status;
  res.set_header("Cache-Control", "no-store");
  // A message may quote what the client sent (a path, a JSON token): bytes that
  // are not UTF-8 become U+FFFD rather than an exception.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json; charset=utf-8");
}

void send_error(Response& res, int status, const std::string& message) {
  send_json(res, status, {{"error", message}, {"status", status}});
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// Whether a Host header is exactly `name` (as written in a URL, IPv6 in
/// brackets), ignoring case, with an optional ":port" of 1 to 5 digits.
bool host_is(std::string_view header, std::string_view name) {
  if (header.size() < name.size() || !iequals(header.substr(0, name.size()), name)) return false;
  const std::string_view port = header.substr(name.size());
  if (port.empty()) return true;
  return port[0] == ':' && port.size() >= 2 && port.size() <= 6 &&
         std::all_of(port.begin() + 1, port.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// The names a Host header may give: the loopback ones and the bound address;
/// empty for a wildcard address (0.0.0.0, ::), which any name may reach.
std::vector<std::string> allowed_hosts(const std::string& bound) {
  if (bound.empty() || bound == "0.0.0.0" || bound == "::" || bound == "[::]") return {};
  std::vector<std::string> names = {"127.0.0.1", "localhost", "[::1]"};
  const std::string shown = bound.find(':') != std::string::npos && bound[0] != '[' ? "[" + bound + "]" : bound;
  if (std::none_of(names.begin(), names.end(), [&](const std::string& n) { return iequals(n, shown); }))
    names.push_back(shown);
  return names;
}

/// Reads a request body of at most `max` bytes, whatever its transfer
/// encoding (Content-Length or chunked) and after decompression. A request
/// with neither header has no body (RFC 9112 6.3; the library would read up
/// to the end of the connection). Throws RequestError 413 beyond `max` (the
/// rest is not read), or the library's status (400 for a malformed chunked
/// body, 415 for an unknown Content-Encoding).
std::string read_body(const Request& req, const httplib::ContentReader& reader, Response& res, std::size_t max) {
  if (!req.has_header("Content-Length") && !req.has_header("Transfer-Encoding")) return "";
  std::string body;
  bool over = false;
  const bool read = reader([&](const char* data, std::size_t length) {
    if (length > max - body.size()) {
      over = true;
      return false;
    }
    body.append(data, length);
    return true;
  });
  if (read) return body;
  res.set_header("Connection", "close");
  if (over || res.status == 413)
    throw RequestError(413, "request body too large: at most " + std::to_string(max) + " bytes");
  if (res.status == 415)
    throw RequestError(415, "unsupported Content-Encoding: send the body uncompressed, gzip or br");
  throw RequestError(400, "the request body could not be read: it ended early or its chunked encoding is malformed");
}

/// The methods a path answers, for 405; empty for no such path.
std::string allowed_methods(const std::string& path) {
  static const std::regex run("/api/runs/[0-9a-f]{16}"), trial("/api/runs/[0-9a-f]{16}/trial");
  if (path == "/api/runs") return "POST";
  if (std::regex_match(path, run)) return "GET, DELETE";
  if (std::regex_match(path, trial) || path == "/api/presets" || path == "/api/health") return "GET";
  if (detail::find_asset(path)) return "GET, HEAD";
  return "";
}

}  // namespace

struct Server::Impl {
  explicit Impl(ServeOptions o) : options(std::move(o)), runs(options.limits) {}

  ServeOptions options;
  httplib::Server http;
  RunQueue runs;
  int port = -1;
  socket_t listen_socket = -1;  ///< the library's listening socket, for its backlog
  std::atomic<bool> stopped{false}, entered{false}, returned{false};

  void routes();
  json presets_json() const;
};

json Server::Impl::presets_json() const {
  const RunRequest defaults;
  json list = json::array();
  for (const auto& p : presets())
    list.push_back({{"id", p.id},
                    {"label", p.label},
                    {"description", p.description},
                    {"strategy", to_json(preset_strategy(p.id, defaults.size))}});
  json d = to_json(defaults);
  d.erase("strategy");
  return {{"presets", list}, {"defaults", d}, {"limits", limits_json(options.limits)}, {"band", {kBandLow, kBandHigh}}};
}

void Server::Impl::routes() {
  // SO_REUSEADDR only: the library's default, SO_REUSEPORT, would let a second
  // server bind the same port and silently share its requests.
  http.set_socket_options([this](socket_t sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
    listen_socket = sock;
  });
  // Bodies are read through read_body(), which bounds every transfer encoding;
  // this bounds the library's own reading (a Content-Length beyond it is 413).
  http.set_payload_max_length(options.limits.max_body_bytes);
  // Each connection holds an HTTP thread while it is open (cpp-httplib 0.11
  // has no total deadline for the headers): a receive that waits longer than
  // the read timeout closes the connection, and the pool is large enough that
  // many stalled connections leave threads for everyone else (docs/server.md).
  http.set_read_timeout(5, 0);
  http.set_write_timeout(5, 0);
  // One request per connection: an answer given before the whole body was
  // read (413 of a chunked body) leaves the rest on the connection, and
  // cpp-httplib 0.11 reads it as the next request (a second answer, or a
  // request hidden in a body). Loopback connections are cheap.
  http.set_keep_alive_max_count(1);
  http.set_keep_alive_timeout(2);  // also: a connection that sends nothing closes after 2 s
  const unsigned threads = std::max(4u, options.http_threads);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_default_headers({{"X-Content-Type-Options", "nosniff"}, {"Referrer-Policy", "no-referrer"}});

  // A page on another site must not reach the server through a name of its
  // own that resolves to this address (DNS rebinding): the Host must be
  // exactly a loopback name or the address given with --host.
  http.set_pre_routing_handler([hosts = allowed_hosts(options.host)](const Request& req, Response& res) {
    if (!hosts.empty()) {
      const std::string host = req.get_header_value("Host");
      const bool one = req.get_header_value_count("Host") == 1;
      if (!one || std::none_of(hosts.begin(), hosts.end(), [&](const std::string& h) { return host_is(host, h); })) {
        std::string names;
        for (std::size_t k = 0; k < hosts.size(); ++k)
          names += (k == 0 ? "" : k + 1 == hosts.size() ? " or " : ", ") + hosts[k];
        res.set_header("Connection", "close");
        send_error(res, 403,
                   std::string(one            ? ""
                               : host.empty() ? "no Host header; "
                                              : "more than one Host header; ") +
                       "this server answers only requests addressed to " + names + " (with an optional :port)");
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    // Methods with a body that no route reads (PRI) would be read without a bound.
    static const std::vector<std::string> methods = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};
    if (std::find(methods.begin(), methods.end(), req.method) == methods.end()) {
      res.set_header("Connection", "close");
      send_error(res, 405, "method not allowed");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });

  http.Get("/api/health", [this](const Request&, Response& res) {
    send_json(res, 200, {{"ok", true}, {"version", kVersion}, {"runs", runs.counts_json()}});
  });

  http.Get("/api/presets", [this](const Request&, Response& res) { send_json(res, 200, presets_json()); });

  http.Post("/api/runs", [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
    try {
      const std::string type = req.get_header_value("Content-Type");
      if (type.rfind("application/json", 0) != 0) {
        res.set_header("Connection", "close");  // the body is not read
        throw RequestError(415, "send the run as JSON with Content-Type: application/json");
      }
      const std::string body = read_body(req, reader, res, options.limits.max_body_bytes);
      RunRequest request = parse_run_request(body, options.limits);
      model::ExperimentSpec experiment = to_experiment(request);
      auto run = runs.submit(std::move(request), std::move(experiment));
      res.set_header("Location", "/api/runs/" + run->id());
      send_json(res, 202, run->status_json());
    } catch (const RequestError& e) {
      if (e.status() == 429 || e.status() == 503) res.set_header("Retry-After", "2");
      send_error(res, e.status(), e.what());
    }
  });

  http.Get(std::string("/api/runs/") + kRunId, [this](const Request& req, Response& res) {
    auto run = runs.find(req.matches[1]);
    if (!run)
      return send_error(res, 404, "no run " + std::string(req.matches[1]) + " (finished runs are kept for 30 minutes)");
    send_json(res, 200, run->status_json());
  });

  http.Get(std::string("/api/runs/") + kRunId + "/trial", [this](const Request& req, Response& res) {
    auto run = runs.find(req.matches[1]);
    if (!run) return send_error(res, 404, "no run " + std::string(req.matches[1]));
    auto trial = run->trial_json();
    if (!trial) {
      const json status = run->status_json();
      if (!status["request"]["animate"].get<bool>())
        return send_error(res, 404, "this run has no animated trial: it was started with \"animate\": false");
      return send_error(res, 409,
                        "the animated trial is not ready yet; status: " + status["status"].get<std::string>());
    }
    res.set_header("Cache-Control", "no-store");
    res.set_content(*trial, "application/json; charset=utf-8");
  });

  http.Delete(std::string("/api/runs/") + kRunId,
              [this](const Request& req, Response& res, const httplib::ContentReader& reader) {
                try {
                  read_body(req, reader, res, options.limits.max_body_bytes);  // a body is allowed, and ignored
                } catch (const RequestError& e) {
                  return send_error(res, e.status(), e.what());
                }
                if (!runs.remove(req.matches[1])) return send_error(res, 404, "no run " + std::string(req.matches[1]));
                res.status = 204;
              });

  // The page: only the embedded files, looked up by their exact path.
  http.Get("/.*", [](const Request& req, Response& res) {
    const detail::Asset* asset = detail::find_asset(req.path);
    if (!asset) {
      const std::string allowed = allowed_methods(req.path);
      if (!allowed.empty()) {
        res.set_header("Allow", allowed);
        return send_error(res, 405, "GET is not allowed on " + req.path + "; use " + allowed);
      }
      return send_error(res, 404, "not found: " + req.path.substr(0, 100) + " (the page is at /)");
    }
    res.set_header("Cache-Control", "no-cache");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; "
                   "form-action 'none'; frame-ancestors 'none'");
    res.set_content(reinterpret_cast<const char*>(asset->data), asset->size, asset->content_type);
  });

  // Every other method on any path: 405 naming the allowed ones, or 404. A
  // body is read (within the limit) and ignored, so that it cannot be taken
  // for the next request on the connection.
  auto other = [](const Request& req, Response& res) {
    const std::string allowed = allowed_methods(req.path);
    if (allowed.empty()) return send_error(res, 404, "not found: " + req.path.substr(0, 100));
    res.set_header("Allow", allowed);
    send_error(res, 405, req.method + " is not allowed on " + req.path + "; use " + allowed);
  };
  auto other_with_body = [this, other](const Request& req, Response& res, const httplib::ContentReader& reader) {
    try {
      read_body(req, reader, res, options.limits.max_body_bytes);
    } catch (const RequestError&) {
      // answered all the same; read_body asked to close the connection
    }
    other(req, res);
  };
  // OPTIONS bodies are not read by the library: close after the answer.
  auto options_handler = [other](const Request& req, Response& res) {
    if (req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0"))
      res.set_header("Connection", "close");
    other(req, res);
  };
  http.Post("/.*", other_with_body);
  http.Put("/.*", other_with_body);
  http.Patch("/.*", other_with_body);
  http.Delete("/.*", other_with_body);
  http.Options("/.*", options_handler);

  // Errors that no handler wrote (unknown paths, 413 for big bodies, ...) get a JSON message too.
  http.set_error_handler(httplib::Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
    const int status = res.status;
    const char* message = status == 404   ? "not found"
                          : status == 413 ? "request body too large"
                          : status == 414 ? "request URI too long"
                          : status == 416 ? "range not satisfiable"
                          : status < 500  ? "bad request"
                                          : "internal error";
    send_error(res, status, message);
    return httplib::Server::HandlerResponse::Handled;
  }));
  http.set_exception_handler([](const Request&, Response& res, const std::exception_ptr& ep) {
    std::string what = "unknown error";
    try {
      if (ep) std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    send_error(res, 500, "internal error: " + what);
  });
}

Server::Server(ServeOptions options) : impl_(std::make_unique<Impl>(std::move(options))) { impl_->routes(); }

Server::~Server() { stop(); }

int Server::bind() {
  auto& i = *impl_;
  if (i.options.port < 0 || i.options.port > 65535)
    throw InputError("--port " + std::to_string(i.options.port) +
                     " is out of range: allowed 0 (any free port) to 65535");
  if (i.options.port == 0) {
    i.port = i.http.bind_to_any_port(i.options.host);
  } else if (i.http.bind_to_port(i.options.host, i.options.port)) {
    i.port = i.options.port;
  }
  if (i.port <= 0 && i.options.port == 0)
    throw InputError("cannot listen on " + i.options.host +
                     ": the address is not this machine's; choose another --host");
  if (i.port <= 0)
    throw InputError("cannot listen on " + i.options.host + " port " + std::to_string(i.options.port) +
                     ": the port is in use or the address is not this machine's; choose another --port or --host");
  // cpp-httplib 0.11 listens with a backlog of 5: a burst of connections
  // beyond that has its SYNs dropped and retried a second or more later.
  // listen() again only enlarges the queue of the bound socket.
  if (i.listen_socket >= 0) ::listen(i.listen_socket, kListenBacklog);
  return i.port;
}

void Server::run() {
  auto& i = *impl_;
  i.entered = true;
  if (!i.stopped) i.http.listen_after_bind();
  i.returned = true;
}

void Server::stop() {
  auto& i = *impl_;
  i.stopped = true;
  // run() may have been entered without listening yet: wait until it listens or returns.
  if (i.entered)
    for (int k = 0; k < 2000 && !i.http.is_running() && !i.returned; ++k)
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
  i.http.stop();
  i.runs.shutdown();
}

std::string Server::url() const {
  const auto& host = impl_->options.host;
  const std::string shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return "http://" + shown + ":" + std::to_string(impl_->port) + "/";
}

}  // namespace groundswell::server
