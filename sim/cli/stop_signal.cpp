#include "cli/stop_signal.hpp"

#include <semaphore.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <thread>

#include "cli/commands.hpp"
#include "safe_write.hpp"

namespace groundswell::cli {
namespace {

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;
sem_t g_wake;  // posted by the handler (sem_post is async-signal-safe), awaited by the watchdog

extern "C" void on_stop_signal(int sig) {
  if (g_signal == 0) g_signal = sig;
  g_stop.store(true);
  sem_post(&g_wake);
}

/// How long a command has, from the signal, to stop by itself at its next
/// safe point (a step, a batch, a point) before the watchdog ends it.
constexpr auto kGrace = std::chrono::milliseconds(900);

/// Waits for a stop signal, gives the command kGrace to stop cleanly, then
/// ends the process: the temporaries of its outputs removed (so nothing is
/// left, as after a clean stop), one line on stderr, status 130 or 143. This
/// bounds the stop of every command (an organization being generated, a long
/// step, input read from a slow pipe) to about a second.
void watchdog() {
  while (sem_wait(&g_wake) != 0) {
  }
  std::this_thread::sleep_for(kGrace);
  abandon_pending_files();
  const char* name = g_signal == SIGTERM ? "SIGTERM" : "SIGINT";
  char line[128];
  std::snprintf(line, sizeof line, "groundswell: stopped by %s; no output written\n", name);
  if (::write(STDERR_FILENO, line, std::strlen(line)) < 0) { /* nothing more to do */
  }
  ::_exit(g_signal == SIGTERM ? kTerminated : kInterrupted);
}

}  // namespace

const std::atomic<bool>* catch_stop_signals() {
  static std::once_flag once;
  std::call_once(once, [] {
    sem_init(&g_wake, 0, 0);
    std::thread(watchdog).detach();
    struct sigaction action {};
    action.sa_handler = on_stop_signal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;  // reads restart; the watchdog ends a command blocked in one
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
  });
  return &g_stop;
}

int stop_signal() { return g_signal; }

const char* stop_signal_name() { return g_signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

int stopped_exit_status() { return g_signal == SIGTERM ? kTerminated : kInterrupted; }

}  // namespace groundswell::cli
