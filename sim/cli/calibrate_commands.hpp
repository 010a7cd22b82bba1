#pragma once
// The `groundswell calibrate` subcommand (docs/calibration.md).
#include <string>

namespace groundswell::cli {

struct CalibrateArgs {
  std::string calibration_file, output;
  unsigned threads = 0;
  bool force = false, quiet = false;
};
int calibrate_command(const CalibrateArgs& args);

}  // namespace groundswell::cli
