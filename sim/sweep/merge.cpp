// Merging sweep files (shards) into one: check they are one sweep and cover
// it, then gather every point-axis dataset block by block.
#include <algorithm>
#include <filesystem>
#include <map>

#include "groundswell/sweep/runner.hpp"
#include "groundswell/sweep/sweep_file.hpp"

namespace groundswell::sweep {
namespace {

/// "3, 7-9, 12" (at most `limit` ranges, then "...").
std::string ranges(const std::vector<std::uint64_t>& v, std::size_t limit = 8) {
  std::string out;
  std::size_t shown = 0;
  for (std::size_t i = 0; i < v.size();) {
    std::size_t j = i;
    while (j + 1 < v.size() && v[j + 1] == v[j] + 1) ++j;
    if (shown++ == limit) return out + ", ...";
    out += (out.empty() ? "" : ", ") + std::to_string(v[i]) + (j > i ? "-" + std::to_string(v[j]) : "");
    i = j + 1;
  }
  return out;
}

}  // namespace

MergeOutcome merge_sweeps(const std::vector<std::string>& inputs, const std::string& output, bool force) {
  namespace fs = std::filesystem;
  if (inputs.empty()) throw InputError("merge: give the sweep files to merge");
  std::error_code ec;
  if (fs::exists(output, ec) && !force)
    throw InputError("output " + output + " exists; pass --force to overwrite it or choose another name");
  // That the output is none of the inputs is checked by the command (cli/outputs.hpp).

  std::vector<SweepFileInfo> infos;
  for (const auto& in : inputs) infos.push_back(read_sweep_info(in));
  const SweepFileInfo& first = infos.front();
  for (std::size_t f = 1; f < infos.size(); ++f) {
    if (infos[f].fingerprint != first.fingerprint)
      throw InputError("merge: " + inputs[f] + " belongs to another sweep than " + inputs[0] + " (fingerprints " +
                       infos[f].fingerprint + " and " + first.fingerprint +
                       "): shards must come from the same scenario file, unchanged");
    if (infos[f].build != first.build)
      throw InputError("merge: " + inputs[f] + " was computed by " + infos[f].build + " but " + inputs[0] + " by " +
                       first.build + "; points of different builds are never mixed");
  }

  // The plan from the stored scenario text: the same layout as a single run,
  // and the number of points checked before anything is sized by it.
  const std::uint64_t total = first.points_total;
  const std::string base = fs::path(first.scenario_file).parent_path().string();
  const Plan plan = [&] {
    try {
      return Plan::parse(first.scenario_text, first.scenario_file, base.empty() ? "." : base);
    } catch (const InputError& e) {
      throw InputError(inputs[0] + ": damaged or incomplete sweep file (its scenario text does not parse: " + e.what() +
                       ")");
    }
  }();
  if (plan.fingerprint() != first.fingerprint || plan.points() != total)
    throw InputError(inputs[0] +
                     ": damaged or incomplete sweep file (its scenario text does not give its fingerprint and "
                     "points_total)");
  for (std::size_t f = 1; f < infos.size(); ++f)
    if (infos[f].points_total != total)
      throw InputError(inputs[f] + ": damaged or incomplete sweep file (points_total " +
                       std::to_string(infos[f].points_total) + ", the sweep has " + std::to_string(total) + ")");

  // Every point once: owner[p] = the file holding it.
  std::vector<int> owner(total, -1);
  for (std::size_t f = 0; f < infos.size(); ++f)
    for (std::uint64_t p : infos[f].index) {
      if (p >= total)
        throw InputError(inputs[f] + ": point " + std::to_string(p) + " is beyond the sweep's " +
                         std::to_string(total));
      if (owner[p] >= 0)
        throw InputError("merge: point " + std::to_string(p) + " is in both " +
                         inputs[static_cast<std::size_t>(owner[p])] + " and " + inputs[f] + "; give each shard once");
      owner[p] = static_cast<int>(f);
    }
  std::vector<std::uint64_t> missing;
  for (std::uint64_t p = 0; p < total; ++p)
    if (owner[p] < 0) missing.push_back(p);
  if (!missing.empty())
    throw InputError("merge: the files leave " + std::to_string(missing.size()) + " of " + std::to_string(total) +
                     " points uncovered (" + ranges(missing) + "); run or find the missing shards");

  std::vector<std::uint64_t> all(total);
  for (std::uint64_t p = 0; p < total; ++p) all[p] = p;
  RunInfo info;
  SweepFileWriter writer(output, plan, all, info);
  const auto& columns = writer.columns();
  std::uint64_t bytes_per_point = 0;
  for (const auto& c : columns)
    bytes_per_point += c.row_elements * (c.type == ElementType::F32 || c.type == ElementType::I32 ? 4 : 8);
  const std::uint64_t block = std::clamp<std::uint64_t>(
      (std::uint64_t{256} << 20) / std::max<std::uint64_t>(1, bytes_per_point), 1, std::max<std::uint64_t>(1, total));

  std::vector<std::vector<char>> buffers(columns.size());
  for (std::uint64_t b0 = 0; b0 < total; b0 += block) {
    const std::uint64_t b1 = std::min(total, b0 + block);
    for (std::size_t c = 0; c < columns.size(); ++c)
      buffers[c].resize((b1 - b0) * columns[c].row_elements *
                        (columns[c].type == ElementType::F32 || columns[c].type == ElementType::I32 ? 4 : 8));
    for (std::size_t f = 0; f < infos.size(); ++f) {
      const auto& idx = infos[f].index;
      const auto lo = static_cast<std::uint64_t>(std::lower_bound(idx.begin(), idx.end(), b0) - idx.begin());
      const auto hi = static_cast<std::uint64_t>(std::lower_bound(idx.begin(), idx.end(), b1) - idx.begin());
      if (lo == hi) continue;
      const SweepFileReader reader(inputs[f]);
      std::vector<char> rows;
      for (std::size_t c = 0; c < columns.size(); ++c) {
        const std::uint64_t row_bytes = buffers[c].size() / (b1 - b0);
        rows.resize((hi - lo) * row_bytes);
        reader.read_rows(columns[c], lo, hi - lo, rows.data());
        for (std::uint64_t r = lo; r < hi; ++r)
          std::copy_n(rows.data() + (r - lo) * row_bytes, row_bytes, buffers[c].data() + (idx[r] - b0) * row_bytes);
      }
    }
    for (std::size_t c = 0; c < columns.size(); ++c) writer.write_rows(c, b0, b1 - b0, buffers[c].data());
  }
  writer.finish();
  return {total, inputs.size()};
}

}  // namespace groundswell::sweep
