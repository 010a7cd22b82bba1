// An exported organization runs again elsewhere with the same results:
// `network export` tables read back by `generator = "file"` give the same
// organization, and with the same seed the same bits.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <cstring>
#include <filesystem>

#include "groundswell/experiment/ensemble.hpp"
#include "groundswell/org/tables.hpp"

using namespace groundswell;
namespace fs = std::filesystem;

namespace {
struct Collector : experiment::TrialSink {
  std::vector<std::vector<engine::TrialCurves>> curves;
  void write_batch(TrialIndex, const experiment::TrialBatch& out) override {
    const auto& batch = out.curves;
    curves.resize(batch.size());
    for (std::size_t s = 0; s < batch.size(); ++s) curves[s].insert(curves[s].end(), batch[s].begin(), batch[s].end());
  }
};
Collector run(const model::ExperimentSpec& x) {
  Collector c;
  experiment::run_experiment(x, {}, &c);
  return c;
}
}  // namespace

TEST_CASE("an exported organization re-runs bit for bit from its CSV tables", "[unit][io][seed]") {
  const fs::path dir = fs::temp_directory_path() / ("groundswell-export-" + std::to_string(::getpid()));
  const std::string body = R"(
[[scenario]]
name = "formal"
champions = { count = 10, selection = "formal" }
[[scenario]]
name = "top_down"
mandate = { issuers = "leaders", levels = 1, half_life = 8 }
)";
  const auto generated = model::parse_experiment(
      "[experiment]\nseed = 31\ntrials = 1\nsteps = 30\n[organization]\nsize = 600\n" + body, "gen.toml", ".");
  const auto setup = experiment::prepare_scenario_trial(generated, 1, 0);
  org::write_organization_tables(setup.organization, setup.is_champion, dir.string());

  const auto from_file = model::parse_experiment(
      "[experiment]\nseed = 31\ntrials = 1\nsteps = 30\n[organization]\ngenerator = \"file\"\nnodes = \"nodes.csv\"\n"
      "edges = \"edges.csv\"\n" +
          body,
      "file.toml", dir.string());
  const auto reread = org::read_organization_tables((dir / "nodes.csv").string(), (dir / "edges.csv").string());
  CHECK(reread.manager == setup.organization.manager);
  CHECK(reread.department == setup.organization.department);
  CHECK(reread.network.offsets == setup.organization.network.offsets);
  CHECK(reread.network.sources == setup.organization.network.sources);
  CHECK(reread.network.weights == setup.organization.network.weights);
  CHECK(reread.network.formal == setup.organization.network.formal);

  const Collector a = run(generated), b = run(from_file);
  for (std::size_t s = 0; s < 2; ++s)
    for (int st = 0; st < kStateCount; ++st) {
      const auto& x = a.curves[s][0].share[st];
      const auto& y = b.curves[s][0].share[st];
      REQUIRE(x.size() == y.size());
      CHECK(std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
    }
  fs::remove_all(dir);
}
