#pragma once
// Trainer mode: `groundswell serve`, a small HTTP server that runs leadership
// strategies on the engine and serves the page that animates them
// (docs/server.md). The HTTP library stays behind this header.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "groundswell/types.hpp"

namespace groundswell::server {

/// What one request may ask for, so that nobody can make the server
/// allocate or compute without bound. Requests beyond a limit get a 400.
struct Limits {
  std::uint32_t max_size = 5000;           ///< agents in the organization of a run
  std::uint32_t max_animated_size = 1000;  ///< agents in a run that returns an animated trial
  TrialIndex max_trials = 500;             ///< Monte Carlo trials of a run
  Step max_steps = 260;                    ///< weeks of a run
  unsigned running_runs = 2;               ///< runs simulated at once (each on the engine's thread pool)
  unsigned queued_runs = 8;                ///< runs waiting beyond those; more get 429
  std::size_t stored_runs = 64;            ///< finished runs kept for the page to read
  std::size_t max_body_bytes = 16384;      ///< request bodies beyond this (16 KiB) get 413
};

struct ServeOptions {
  std::string host = "127.0.0.1";  ///< loopback by default
  int port = 8080;                 ///< 0 = any free port
  unsigned http_threads = 128;     ///< threads answering HTTP requests: each open connection holds one
  Limits limits;
};

/// The server: binds, then answers requests on its own threads until stop().
class Server {
 public:
  explicit Server(ServeOptions options);
  ~Server();  ///< stops, cancels the runs and joins every thread
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds the address. Returns the port (the chosen one with port 0).
  /// Throws InputError when the address cannot be bound.
  int bind();
  /// Serves until stop() is called from another thread. Precondition: bind().
  void run();
  /// Stops accepting requests, cancels the runs; thread-safe, idempotent.
  void stop();
  /// The address to open, e.g. http://127.0.0.1:8080/
  std::string url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace groundswell::server
