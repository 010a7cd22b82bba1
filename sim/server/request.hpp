#pragma once
// A run request of the trainer API (docs/server.md): a strategy in plain
// terms, the organization and the Monte Carlo settings, validated field by
// field, then turned into scenario text that the engine's own parser reads.
#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "groundswell/model/scenario.hpp"
#include "groundswell/server/server.hpp"

namespace groundswell::server {

/// A request the server refuses: an HTTP status (4xx) and a plain message.
class RequestError : public std::runtime_error {
 public:
  RequestError(int status, const std::string& message) : std::runtime_error(message), status_(status) {}
  int status() const noexcept { return status_; }

 private:
  int status_;
};

/// A leadership strategy (MODEL.md 4) in the terms of the page's controls.
struct Strategy {
  std::string preset;  ///< the preset it started from, "" if none
  model::Issuers issuers = model::Issuers::None;
  std::int32_t levels = 1;      ///< issuers = leaders: levels 0..levels mandate
  Step start = 1;               ///< week of the mandate
  double intensity = 1.0;       ///< how hard leaders push
  double half_life = 13.0;      ///< weeks for attention to halve; kInfinity = sustained
  std::uint32_t champions = 0;  ///< change agents
  model::Selection selection = model::Selection::Random;
  bool coalition = false;              ///< change agents know each other
  std::uint32_t bridges = 0;           ///< connectors across silos
  std::optional<double> formalize_at;  ///< adopted share at which leaders formalize
};

/// One run: a strategy on an organization, `trials` trials of `steps` weeks.
struct RunRequest {
  Strategy strategy;
  std::uint32_t size = 400;
  std::uint32_t span = 7;
  double cross_department = 0.05;
  TrialIndex trials = 100;
  Step steps = 104;
  std::uint64_t seed = 1;
  bool animate = true;  ///< also return trial 0 step by step
};

struct Preset {
  std::string id, label, description;
};

/// The presets of the page, in order.
const std::vector<Preset>& presets();

/// Change agents of the presets that use them: 2 in every 100 people (at least 1).
std::uint32_t preset_champions(std::uint32_t size);

/// The strategy of preset `id` for an organization of `size`. Throws
/// RequestError(400) for an unknown id.
Strategy preset_strategy(const std::string& id, std::uint32_t size);

/// Parses and validates a JSON body. Throws RequestError(400) naming the
/// field, the value and what is allowed for malformed JSON, unknown fields,
/// wrong types, values out of range and values beyond `limits`.
RunRequest parse_run_request(const std::string& body, const Limits& limits);

/// The same run as a scenario file for `groundswell run` (one scenario named "strategy").
std::string scenario_text(const RunRequest& request);

/// The experiment of a request, read by the engine's parser from scenario_text().
/// Throws RequestError(400) if the engine refuses it.
model::ExperimentSpec to_experiment(const RunRequest& request);

nlohmann::json to_json(const Strategy& strategy);
nlohmann::json to_json(const RunRequest& request);
nlohmann::json limits_json(const Limits& limits);

/// Number of levels of a complete span-ary tree of `size` agents.
std::int32_t hierarchy_depth(std::uint32_t size, std::uint32_t span);

}  // namespace groundswell::server
