// `groundswell serve`: the trainer's entry point. Signals are taken by one
// thread with sigwait, which stops the server cleanly.
#include "cli/serve_command.hpp"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <csignal>
#include <iostream>
#include <thread>

#include "groundswell/server/server.hpp"

namespace groundswell::cli {

int serve_command(const server::ServeOptions& options) {
  std::signal(SIGPIPE, SIG_IGN);  // a browser that goes away must not end the server
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  // Blocked before any thread starts, so that every thread inherits the mask
  // and only the waiter below receives them.
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  server::Server server(options);
  server.bind();
  std::cout << "Groundswell trainer mode: open " << server.url() << " in a browser\n";
  if (options.host != "127.0.0.1" && options.host != "localhost" && options.host != "::1")
    std::cout << "(listening on " << options.host << ": anyone who can reach this address can use it)\n";
  std::cout << "Press Ctrl+C to stop." << std::endl;

  std::atomic<bool> done{false};
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    if (!done) std::cout << "\nstopping" << std::endl;
    server.stop();
  });
  server.run();
  done = true;
  // Wakes the waiter if run() ended on its own. SIGTERM is blocked in every
  // thread and taken only by sigwait, so it ends nothing.
  pthread_kill(waiter.native_handle(), SIGTERM);  // NOLINT(bugprone-bad-signal-to-kill-thread)
  waiter.join();
  return 0;
}

}  // namespace groundswell::cli
