#include "cli/stop_signal.hpp"

#include <csignal>

#include "cli/commands.hpp"

namespace groundswell::cli {
namespace {

std::atomic<bool> g_stop{false};
volatile std::sig_atomic_t g_signal = 0;

extern "C" void on_stop_signal(int sig) {
  g_signal = sig;
  g_stop.store(true);
}

}  // namespace

const std::atomic<bool>* catch_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
  return &g_stop;
}

int stop_signal() { return g_signal; }

const char* stop_signal_name() { return g_signal == SIGTERM ? "SIGTERM" : "SIGINT"; }

int stopped_exit_status() { return g_signal == SIGTERM ? kTerminated : kInterrupted; }

}  // namespace groundswell::cli
