// The one trial loop (engine/run.hpp).
#include "groundswell/engine/run.hpp"

namespace groundswell::engine {

bool run_trial(TrialSimulation& trial, Step steps, Recorder& recorder, StopToken stop) {
  recorder.begin(trial, steps);
  recorder.record(trial);
  for (Step t = 1; t <= steps; ++t) {
    if (stop.stop_requested()) return false;
    trial.step();
    recorder.record(trial);
  }
  return true;
}

}  // namespace groundswell::engine
