#pragma once
// SIGINT and SIGTERM (Ctrl-C, a scheduler's time limit) ask the running
// command to stop at its next safe point instead of killing it, so that no
// half-written output is left (docs/errors.md). One handler for every command.
#include <atomic>

namespace groundswell::cli {

/// Installs the handlers; returns the flag they set, for RunOptions::stop and the like.
const std::atomic<bool>* catch_stop_signals();

/// The signal received (SIGINT or SIGTERM), 0 if none.
int stop_signal();

/// "SIGINT" or "SIGTERM".
const char* stop_signal_name();

/// The exit status for a command stopped by it: kInterrupted or kTerminated.
int stopped_exit_status();

}  // namespace groundswell::cli
