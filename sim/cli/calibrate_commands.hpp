#pragma once
// The `groundswell calibrate` subcommand (docs/calibration.md).
#include <string>
#include <vector>

#include "cli/outputs.hpp"
#include "groundswell/calibrate/calibration.hpp"

namespace groundswell::cli {

struct CalibrateArgs {
  std::string calibration_file, output;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  unsigned threads = 0;
  bool force = false, quiet = false;
};
int calibrate_command(const CalibrateArgs& args);

/// Reads a calibration file with `--set` texts applied to its scenario part
/// before the file's own checks (so that, say, `--set rule=threshold` meets
/// "has no effect under rule"), refusing a free parameter (its prior says its
/// values) unless `allow_free_parameters` (to simulate the scenario at given
/// values: the Python module's adoption_times). `observed.unrecorded=VALUE`
/// is the one key outside the scenario a --set may change (docs/calibration.md).
/// Shared with the Python module.
/// @throws InputError naming the file or the --set, and the fix
calibrate::CalibrationSpec load_calibration_with_sets(const std::string& file, const std::vector<std::string>& sets,
                                                      bool allow_free_parameters = false);

/// The files a calibration reads (the calibration file `file`, the
/// organization's, the observed table), which its output may not be.
std::vector<Input> calibration_inputs(const calibrate::CalibrationSpec& spec, const std::string& file);

}  // namespace groundswell::cli
