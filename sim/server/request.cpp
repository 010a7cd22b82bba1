#include "server/request.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

namespace groundswell::server {
namespace {

using nlohmann::json;

/// Deepest nesting a request may have (the API's own is 3).
constexpr int kMaxDepth = 6;

std::string format_number(double v) {
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string type_name(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::string:
      return "a string";
    case json::value_t::array:
      return "an array";
    case json::value_t::object:
      return "an object";
    case json::value_t::number_float:
      return "a number";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    default:
      return "an unsupported value";
  }
}

/// Shows a value in a message, cut short so a hostile value cannot flood it.
std::string show(const json& v) {
  std::string s = v.dump();
  if (s.size() > 40) s = s.substr(0, 37) + "...";
  return s;
}

[[noreturn]] void bad(const std::string& message) { throw RequestError(400, message); }

/// The members of one JSON object; anything not asked for is an unknown parameter.
class Fields {
 public:
  Fields(const json& object, std::string path, std::vector<std::string> known)
      : object_(object), path_(std::move(path)), known_(std::move(known)) {
    if (!object_.is_object())
      bad((path_.empty() ? std::string("the request") : "'" + path_ + "'") + " must be a JSON object, got " +
          type_name(object_));
    for (const auto& item : object_.items())
      if (std::find(known_.begin(), known_.end(), item.key()) == known_.end()) {
        std::string key = item.key();
        if (key.size() > 40) key = key.substr(0, 37) + "...";
        std::string msg = "unknown parameter '" + name(key) + "'; allowed here: ";
        for (std::size_t i = 0; i < known_.size(); ++i) msg += (i ? ", " : "") + known_[i];
        bad(msg);
      }
  }

  const json* get(const std::string& key) const {
    auto it = object_.find(key);
    return it == object_.end() ? nullptr : &*it;
  }
  std::string name(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

  std::int64_t integer(const std::string& key, std::int64_t value, std::int64_t lo, std::int64_t hi,
                       const std::string& why = "") const {
    const json* v = get(key);
    if (!v) return value;
    double d = 0;
    if (v->is_number_unsigned()) {
      const auto u = v->get<std::uint64_t>();
      d = u > static_cast<std::uint64_t>(hi) ? static_cast<double>(hi) + 1 : static_cast<double>(u);
    } else if (v->is_number_integer()) {
      d = static_cast<double>(v->get<std::int64_t>());
    } else if (v->is_number_float() && std::floor(v->get<double>()) == v->get<double>()) {
      d = v->get<double>();
    } else {
      bad("'" + name(key) + "' must be a whole number, got " + (v->is_number() ? show(*v) : type_name(*v)));
    }
    if (d < static_cast<double>(lo) || d > static_cast<double>(hi))
      bad("'" + name(key) + "' = " + show(*v) + " is out of range: allowed " + std::to_string(lo) + " to " +
          std::to_string(hi) + why);
    return static_cast<std::int64_t>(d);
  }

  double number(const std::string& key, double value, double lo, double hi, bool lo_open = false) const {
    const json* v = get(key);
    if (!v) return value;
    if (!v->is_number()) bad("'" + name(key) + "' must be a number, got " + type_name(*v));
    const double d = v->get<double>();
    if ((lo_open ? !(d > lo) : !(d >= lo)) || !(d <= hi))
      bad("'" + name(key) + "' = " + show(*v) + " is out of range: allowed " + (lo_open ? "above " : "") +
          format_number(lo) + " to " + format_number(hi));
    return d;
  }

  bool boolean(const std::string& key, bool value) const {
    const json* v = get(key);
    if (!v) return value;
    if (!v->is_boolean()) bad("'" + name(key) + "' must be true or false, got " + type_name(*v));
    return v->get<bool>();
  }

  template <typename E>
  E choice(const std::string& key, E value, const std::vector<std::pair<std::string, E>>& options) const {
    const json* v = get(key);
    if (!v) return value;
    std::string allowed;
    for (std::size_t i = 0; i < options.size(); ++i) allowed += (i ? ", " : "") + options[i].first;
    if (!v->is_string()) bad("'" + name(key) + "' must be one of " + allowed + "; got " + type_name(*v));
    for (const auto& [text, e] : options)
      if (v->get<std::string>() == text) return e;
    bad("'" + name(key) + "' = " + show(*v) + " is not one of " + allowed);
  }

 private:
  const json& object_;
  std::string path_;
  std::vector<std::string> known_;
};

const std::vector<std::pair<std::string, model::Issuers>> kIssuers = {
    {"none", model::Issuers::None}, {"top", model::Issuers::Top}, {"leaders", model::Issuers::Leaders}};
const std::vector<std::pair<std::string, model::Selection>> kSelections = {
    {"random", model::Selection::Random},
    {"formal", model::Selection::Formal},
    {"central", model::Selection::Central},
    {"bridging", model::Selection::Bridging},
    {"distributed", model::Selection::Distributed}};

void parse_mandate(const json& object, Strategy& s, Step steps, std::int32_t depth) {
  const Fields f(object, "strategy.mandate", {"issuers", "levels", "start", "intensity", "half_life"});
  s.issuers = f.choice("issuers", s.issuers, kIssuers);
  s.levels = static_cast<std::int32_t>(f.integer(
      "levels", s.levels, 0, depth - 1, " (the organization has levels 0 to " + std::to_string(depth - 1) + ")"));
  s.start = static_cast<Step>(f.integer("start", s.start, 1, steps, " (the run's weeks)"));
  s.intensity = f.number("intensity", s.intensity, 0, 10);
  if (const json* h = f.get("half_life"); h && h->is_string()) {
    if (h->get<std::string>() != "sustained")
      bad("'strategy.mandate.half_life' must be a number of weeks or \"sustained\"");
    s.half_life = model::kInfinity;
  } else if (h && !h->is_number()) {
    bad("'strategy.mandate.half_life' must be a number of weeks or \"sustained\", got " + type_name(*h));
  } else {
    s.half_life = f.number("half_life", s.half_life, 1, 1000);
  }
}

Strategy parse_strategy(const json& object, const RunRequest& r) {
  const Fields f(object, "strategy", {"preset", "mandate", "champions", "bridges", "formalize_at"});
  Strategy s;
  if (const json* p = f.get("preset")) {
    if (!p->is_string()) bad("'strategy.preset' must be a string, got " + type_name(*p));
    s = preset_strategy(p->get<std::string>(), r.size);
  }
  if (const json* m = f.get("mandate")) parse_mandate(*m, s, r.steps, hierarchy_depth(r.size, r.span));
  if (const json* c = f.get("champions")) {
    const Fields cf(*c, "strategy.champions", {"count", "selection", "coalition"});
    s.champions = static_cast<std::uint32_t>(cf.integer("count", s.champions, 0, r.size, " (the organization's size)"));
    s.selection = cf.choice("selection", s.selection, kSelections);
    s.coalition = cf.boolean("coalition", s.coalition);
  }
  s.bridges = static_cast<std::uint32_t>(f.integer("bridges", s.bridges, 0, r.size, " (the organization's size)"));
  if (const json* a = f.get("formalize_at")) {
    if (a->is_null() || (a->is_string() && a->get<std::string>() == "never"))
      s.formalize_at.reset();
    else if (a->is_number())
      s.formalize_at = f.number("formalize_at", 0.5, 0, 1, true);
    else
      bad("'strategy.formalize_at' must be a share in (0, 1], null or \"never\"; got " + type_name(*a));
  }
  return s;
}

std::string toml_string(const std::string& s) {
  std::string out = "\"";
  for (char ch : s) {
    if (ch == '"' || ch == '\\') out += '\\';
    if (static_cast<unsigned char>(ch) >= 0x20) out += ch;
  }
  return out + "\"";
}

const char* issuers_name(model::Issuers i) {
  return i == model::Issuers::Top ? "top" : i == model::Issuers::Leaders ? "leaders" : "none";
}

}  // namespace

const std::vector<Preset>& presets() {
  static const std::vector<Preset> list = {
      {"top_down", "Top-down mandate",
       "The top leader announces the change and pushes it down the org chart; attention halves every 13 weeks."},
      {"sustained_mandate", "Sustained mandate", "The top leader mandates the change and never lets up."},
      {"formal_champions", "Formal leaders as champions",
       "2 in every 100 people act as change agents, taken from the top of the org chart."},
      {"distributed", "Distributed champions with a coalition",
       "2 in every 100 people act as change agents: the most listened-to people in each department, who know each "
       "other."},
      {"hybrid", "Hybrid: distributed, then formalize",
       "Distributed champions with a coalition; once 30% have adopted it (complying included), formal leaders endorse "
       "the change and provide "
       "resources."},
      {"none", "No strategy", "Nobody pushes: the change spreads, or not, on its own."},
  };
  return list;
}

std::uint32_t preset_champions(std::uint32_t size) {
  return std::max<std::uint32_t>(1, static_cast<std::uint32_t>(std::lround(size * 0.02)));
}

Strategy preset_strategy(const std::string& id, std::uint32_t size) {
  Strategy s;
  s.preset = id;
  if (id == "top_down") {
    s.issuers = model::Issuers::Top;
  } else if (id == "sustained_mandate") {
    s.issuers = model::Issuers::Top;
    s.half_life = model::kInfinity;
  } else if (id == "formal_champions") {
    s.champions = preset_champions(size);
    s.selection = model::Selection::Formal;
  } else if (id == "distributed" || id == "hybrid") {
    s.champions = preset_champions(size);
    s.selection = model::Selection::Distributed;
    s.coalition = true;
    if (id == "hybrid") s.formalize_at = 0.3;
  } else if (id != "none") {
    std::string allowed;
    for (const auto& p : presets()) allowed += (allowed.empty() ? "" : ", ") + p.id;
    std::string shown = id.size() > 40 ? id.substr(0, 37) + "..." : id;
    bad("'strategy.preset' = \"" + shown + "\" is not one of " + allowed);
  }
  return s;
}

std::int32_t hierarchy_depth(std::uint32_t size, std::uint32_t span) {
  std::int64_t depth = 0, covered = 0, width = 1;
  while (covered < size) {
    covered += width;
    width *= span;
    ++depth;
  }
  return static_cast<std::int32_t>(depth);
}

RunRequest parse_run_request(const std::string& body, const Limits& limits) {
  // The JSON reader takes a NUL byte for the end of the input, which would
  // accept anything after it.
  if (const auto nul = body.find('\0'); nul != std::string::npos)
    bad("malformed JSON: a NUL byte at offset " + std::to_string(nul));
  json doc;
  try {
    doc = json::parse(body, [](int depth, json::parse_event_t, json&) {
      if (depth > kMaxDepth)
        throw RequestError(400, "malformed request: JSON nested deeper than " + std::to_string(kMaxDepth) + " levels");
      return true;
    });
  } catch (const json::exception& e) {
    // parse_error, and out_of_range for a number beyond a double (1e400).
    std::string what = e.what();
    if (const auto p = what.find("] "); p != std::string::npos) what = what.substr(p + 2);
    if (what.size() > 200) what = what.substr(0, 197) + "...";  // the message quotes the last token read
    bad("malformed JSON: " + what);
  }
  const Fields f(doc, "", {"strategy", "organization", "trials", "steps", "seed", "animate"});
  RunRequest r;
  if (const json* o = f.get("organization")) {
    const Fields of(*o, "organization", {"size", "span", "cross_department"});
    r.size = static_cast<std::uint32_t>(of.integer("size", r.size, 10, limits.max_size));
    r.span = static_cast<std::uint32_t>(of.integer("span", r.span, 2, 12));
    r.cross_department = of.number("cross_department", r.cross_department, 0, 1);
  }
  r.trials = static_cast<TrialIndex>(f.integer("trials", r.trials, 1, limits.max_trials));
  r.steps = static_cast<Step>(f.integer("steps", r.steps, 1, limits.max_steps));
  r.seed = static_cast<std::uint64_t>(f.integer("seed", 1, 0, 4294967295LL));
  r.animate = f.boolean("animate", r.animate);
  if (r.animate && r.size > limits.max_animated_size)
    bad("an animated run is limited to " + std::to_string(limits.max_animated_size) +
        " people; set 'animate' to false or 'organization.size' to at most " +
        std::to_string(limits.max_animated_size));
  if (const json* s = f.get("strategy"))
    r.strategy = parse_strategy(*s, r);
  else
    bad("'strategy' is required: an object such as {\"preset\": \"top_down\"}");
  return r;
}

std::string scenario_text(const RunRequest& r) {
  const Strategy& s = r.strategy;
  std::string label = "custom strategy";
  for (const auto& p : presets())
    if (p.id == s.preset)
      label = to_json(s) == to_json(preset_strategy(p.id, r.size)) ? p.label : "custom strategy, from " + p.label;
  std::ostringstream os;
  os << "# Groundswell trainer mode: one strategy as the page ran it.\n"
     << "# Run it again with: groundswell run this.toml -o results.h5\n"
     << "rule = \"sdt\"\n\n"
     << "[experiment]\n"
     << "name = \"trainer\"\n"
     << "seed = " << r.seed << "\n"
     << "trials = " << r.trials << "\n"
     << "steps = " << r.steps << "\n\n"
     << "[organization]\n"
     << "generator = \"hierarchy\"\n"
     << "size = " << r.size << "\n"
     << "span = " << r.span << "\n"
     << "cross_department = " << format_number(r.cross_department) << "\n\n"
     << "[[scenario]]\n"
     << "name = \"strategy\"\n"
     << "description = " << toml_string(label) << "\n"
     << "mandate = { issuers = \"" << issuers_name(s.issuers) << "\", levels = " << s.levels << ", start = " << s.start
     << ", intensity = " << format_number(s.intensity) << ", half_life = " << format_number(s.half_life) << " }\n"
     << "champions = { count = " << s.champions << ", selection = \"" << model::to_string(s.selection)
     << "\", coalition = " << (s.coalition ? "true" : "false") << " }\n"
     << "connectors = { bridges = " << s.bridges << " }\n"
     << "formalization = { at = " << (s.formalize_at ? format_number(*s.formalize_at) : std::string("\"never\""))
     << " }\n";
  return os.str();
}

model::ExperimentSpec to_experiment(const RunRequest& request) {
  try {
    return model::parse_experiment(scenario_text(request), "request", "");
  } catch (const InputError& e) {
    throw RequestError(400, std::string("the engine refused this run: ") + e.what());
  }
}

nlohmann::json to_json(const Strategy& s) {
  json j;
  j["preset"] = s.preset.empty() ? json(nullptr) : json(s.preset);
  j["mandate"] = {{"issuers", issuers_name(s.issuers)},
                  {"levels", s.levels},
                  {"start", s.start},
                  {"intensity", s.intensity},
                  {"half_life", std::isinf(s.half_life) ? json("sustained") : json(s.half_life)}};
  j["champions"] = {{"count", s.champions}, {"selection", model::to_string(s.selection)}, {"coalition", s.coalition}};
  j["bridges"] = s.bridges;
  j["formalize_at"] = s.formalize_at ? json(*s.formalize_at) : json(nullptr);
  return j;
}

nlohmann::json to_json(const RunRequest& r) {
  return {{"strategy", to_json(r.strategy)},
          {"organization", {{"size", r.size}, {"span", r.span}, {"cross_department", r.cross_department}}},
          {"trials", r.trials},
          {"steps", r.steps},
          {"seed", r.seed},
          {"animate", r.animate}};
}

nlohmann::json limits_json(const Limits& l) {
  return {{"max_size", l.max_size},
          {"max_animated_size", l.max_animated_size},
          {"max_trials", l.max_trials},
          {"max_steps", l.max_steps},
          {"running_runs", l.running_runs},
          {"queued_runs", l.queued_runs},
          {"max_body_bytes", l.max_body_bytes}};
}

}  // namespace groundswell::server
