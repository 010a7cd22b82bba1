#pragma once
// The `groundswell calibrate` subcommand (docs/calibration.md).
#include <string>
#include <vector>

namespace groundswell::cli {

struct CalibrateArgs {
  std::string calibration_file, output;
  std::vector<std::string> sets;  ///< --set KEY=VALUE
  unsigned threads = 0;
  bool force = false, quiet = false;
};
int calibrate_command(const CalibrateArgs& args);

}  // namespace groundswell::cli
