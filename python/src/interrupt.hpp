#pragma once
// Long work from Python (docs/python.md): the engine on a thread of its own
// with the GIL released, while the calling thread wakes every 50 ms to let
// Python handle signals. Ctrl-C (or Jupyter's interrupt) then sets the stop
// flag the work was given, the flag the commands' own SIGINT handling sets
// (RunOptions::stop, recommend::Options::stop), and the work stops at its next
// safe point.
#include <atomic>
#include <functional>
#include <string>

namespace groundswell::python {

/// Runs `work(stop)` on a new thread with the GIL released and waits for it.
/// Must be called with the GIL held.
/// @param work the engine's work; it must return soon after `stop` becomes true
/// @param poll called with the GIL held at each wake-up (e.g. a progress
///        callback); an exception from it stops the work and is rethrown
/// @throws pybind11::error_already_set for a signal (KeyboardInterrupt) or
///         from `poll`, after the work has stopped; else what `work` threw
void run_interruptible(const std::function<void(const std::atomic<bool>& stop)>& work,
                       const std::function<void()>& poll = {});

/// A line of progress, said by the engine's thread.
using Say = std::function<void(const std::string& line)>;

/// run_interruptible() for work that reports progress lines (calibrate,
/// recommend): `work` is given `say`, which queues a line from its thread;
/// `deliver` gets the queued lines in order with the GIL held, at each wake-up
/// and once after the work.
/// @throws as run_interruptible()
void run_interruptible_with_lines(const std::function<void(const std::atomic<bool>& stop, const Say& say)>& work,
                                  const std::function<void(const std::string& line)>& deliver);

}  // namespace groundswell::python
