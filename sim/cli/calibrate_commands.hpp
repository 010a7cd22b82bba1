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

/// Applies `--set` texts to the calibration's experiment, refusing a free
/// parameter (its prior says its values). Shared with the Python module.
/// @throws InputError naming the --set and the fix
void apply_calibration_sets(calibrate::CalibrationSpec& spec, const std::vector<std::string>& sets);

/// The files a calibration reads (the calibration file `file`, the
/// organization's, the observed table), which its output may not be.
std::vector<Input> calibration_inputs(const calibrate::CalibrationSpec& spec, const std::string& file);

}  // namespace groundswell::cli
