#pragma once
// The one trial loop (STYLE.md 2): a simulation advanced step by step, a
// recorder that reads the run state at t = 0 and after every step, and a stop
// request polled at each step boundary. The model is the spec and setup, what
// runs is the TrialSimulation, what is kept is the recorder's (curves,
// adoption times, snapshots: engine/recorder.hpp).
#include <atomic>
#include <initializer_list>
#include <vector>

#include "groundswell/engine/trial.hpp"

namespace groundswell::engine {

/// Turns a running trial into what is kept of it. run_trial calls begin once,
/// then record at t = 0 and after every step: one virtual call per step, none
/// per agent. A recorder keeps its own scratch, sized in begin.
class Recorder {
 public:
  virtual ~Recorder() = default;
  /// Before the first record: sizes outputs and scratch for a trial of
  /// `steps` steps (the only place a recorder allocates).
  /// @param trial the simulation about to run, at t = 0
  /// @param steps the steps it will run unless stopped
  virtual void begin(const TrialSimulation& trial, Step steps) = 0;
  /// At t = 0 and after every step; trial.state().time is the step just
  /// completed. Reads the state; must not allocate or do I/O.
  virtual void record(const TrialSimulation& trial) = 0;
};

/// Several recorders as one, called in the order given (e.g. curves and an
/// attribution). Holds pointers: the recorders must outlive it.
class Recorders final : public Recorder {
 public:
  Recorders(std::initializer_list<Recorder*> recorders) : list_(recorders) {}
  void begin(const TrialSimulation& trial, Step steps) override {
    for (Recorder* r : list_) r->begin(trial, steps);
  }
  void record(const TrialSimulation& trial) override {
    for (Recorder* r : list_) r->record(trial);
  }

 private:
  std::vector<Recorder*> list_;
};

/// A request to stop, polled by run_trial before each step: set when the
/// flag it watches is true (e.g. set by a signal handler or a cancel button).
/// Default-constructed or from nullptr: never.
class StopToken {
 public:
  StopToken() noexcept = default;
  /// Implicit, so that a stop flag (or nullptr) can be passed where a token is expected.
  StopToken(const std::atomic<bool>* flag) noexcept : flag_(flag) {}  // NOLINT(google-explicit-constructor)
  bool stop_requested() const noexcept { return flag_ && flag_->load(std::memory_order_relaxed); }

 private:
  const std::atomic<bool>* flag_ = nullptr;
};

/// Runs `trial` (at t = 0) for `steps` steps: recorder.begin,
/// recorder.record at the start, then step and record until `steps` steps
/// have run. Returns false if `stop` was requested (checked before each step)
/// before the end; the recorder then holds the steps done so far.
/// @param trial a simulation at t = 0 (fresh from its constructor)
/// @param steps steps to run (MODEL.md's T)
/// @param recorder what to keep; see engine/recorder.hpp
/// @param stop polled before each step
bool run_trial(TrialSimulation& trial, Step steps, Recorder& recorder, StopToken stop = {});

}  // namespace groundswell::engine
