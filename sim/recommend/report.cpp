// What `groundswell recommend` prints and writes (docs/recommend.md).
#include <algorithm>
#include <cstdio>
#include <limits>

#include "groundswell/recommend/recommend.hpp"
#include "io/hdf5.hpp"

namespace groundswell::recommend {
namespace {

namespace h5 = io::hdf5;

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
  char buf[128];
  std::snprintf(buf, sizeof buf, f, a, b, c);
  return buf;
}

/// A score in the objective's unit: t50 in weeks (gains: weeks earlier).
std::string value(const Estimate& e, Objective o) {
  if (o == Objective::T50) return fmt("%5.1f [%5.1f, %5.1f] weeks", -e.mean, -e.high, -e.low);
  return fmt("%.3f [%.3f, %.3f]", e.mean, e.low, e.high);
}
std::string gain(const Estimate& e, Objective o) {
  if (o == Objective::T50) return fmt("%+5.1f [%+5.1f, %+5.1f] weeks earlier", e.mean, e.low, e.high);
  return fmt("%+.4f [%+.4f, %+.4f]", e.mean, e.low, e.high);
}

const char* what(Objective o) {
  switch (o) {
    case Objective::Internalized:
      return "share internalized (A)";
    case Objective::Adopted:
      return "share adopted (A + C)";
    case Objective::T50:
      return "weeks to 50% internalized (restricted to the horizon; smaller is better)";
    case Objective::Area:
      return "mean share internalized over the run";
  }
  return "";
}

}  // namespace

std::string format_result(const Result& r) {
  std::string out;
  out += "Change agents for scenario " + r.scenario + ": objective " + what(r.objective) + " at week " +
         std::to_string(r.horizon) + ".\n";
  out += "Chosen greedily (" + std::string(r.lazy ? "lazy evaluation, CELF" : "plain greedy") + ") among " +
         std::to_string(r.candidates) + " candidates on " + std::to_string(r.trials) +
         " trials with common random numbers (" + std::to_string(r.evaluations) + " set evaluations).\n\n";
  char line[512];
  std::snprintf(line, sizeof line, "%4s  %-14s %-12s %5s %-6s %9s  %-34s %s\n", "#", "person", "department", "level",
                "formal", "listeners", "gain (choosing trials, 95% CI)", "objective of the set");
  out += line;
  for (std::size_t k = 0; k < r.picks.size(); ++k) {
    const Pick& p = r.picks[k];
    std::snprintf(line, sizeof line, "%4zu  %-14s %-12s %5d %-6s %9.1f  %-34s %s%s\n", k + 1, p.person.label.c_str(),
                  p.person.department.c_str(), p.person.level, p.person.formal_leader ? "yes" : "no",
                  p.person.listeners, gain(p.gain, r.objective).c_str(), value(p.value, r.objective).c_str(),
                  p.required ? "  (required)" : "");
    out += line;
  }
  if (r.gains_grew > 0)
    out += "Note: " + std::to_string(r.gains_grew) +
           " re-evaluated gains were larger than in an earlier round: change agents help each other here (the "
           "objective is not submodular), so the lazy shortcut may have taken picks that plain greedy would not; "
           "compare with --plain-greedy, and trust the fresh-trial comparison below.\n";
  std::size_t formal = 0;
  for (const Pick& p : r.picks) formal += p.person.formal_leader;
  out += std::to_string(formal) + " of the " + std::to_string(r.picks.size()) + " are formal leaders.\n";
  out += "\nOn " + std::to_string(r.test_trials) +
         " fresh trials not used for choosing (paired: the same organizations and draws):\n";
  out += "  recommended set      " + value(r.recommended, r.objective) + "\n";
  for (const RuleComparison& c : r.rules) {
    std::snprintf(line, sizeof line, "  %-12s         %s   recommended minus %s: %s\n", c.rule.c_str(),
                  value(c.value, r.objective).c_str(), c.rule.c_str(), gain(c.difference, r.objective).c_str());
    out += line;
  }
  if (!r.curve.empty()) {
    // A cell is "mean ±half-width" of the 95% interval ("-": not computed, beyond what the constraints allow).
    const bool weeks = r.objective == Objective::T50;
    const std::size_t width = weeks ? 13 : 14;
    auto cell = [&](const std::string& text, std::size_t shown) {
      return std::string(width > shown ? width - shown : 1, ' ') + text;
    };
    out += std::string("\nHow many change agents (fresh trials, mean \u00b1 half-width of the 95% CI") +
           (weeks ? ", weeks" : "") + "):\n";
    std::snprintf(line, sizeof line, "  %-12s", "count");
    out += line;
    for (std::uint32_t k : r.curve.front().counts) out += cell(std::to_string(k), std::to_string(k).size());
    out += "\n";
    for (const CurveRow& row : r.curve) {
      std::snprintf(line, sizeof line, "  %-12s", row.rule.c_str());
      out += line;
      for (const Estimate& e : row.value) {
        if (e.n == 0) {
          out += cell("-", 1);
          continue;
        }
        const std::string text =
            fmt(weeks ? "%.1f \u00b1%.1f" : "%.3f \u00b1%.3f", e.mean, std::max(0.0, (e.high - e.low) / 2));
        out += cell(text, text.size() - 1);  // the sign is two bytes, one column
      }
      out += "\n";
    }
    if (!r.curve.front().at_target.empty()) {
      out += "Smallest count reaching the target (mean internalized share at the target week):\n";
      for (const CurveRow& row : r.curve)
        out += "  " + row.rule + ": " + (row.reaches ? std::to_string(*row.reaches) : "not within the curve") + "\n";
    }
  }
  if (!r.key_people.empty()) {
    out += "\nWho the organization cannot lose (departure before the change, fresh trials, paired):\n";
    for (const KeyPerson& k : r.key_people) {
      std::snprintf(line, sizeof line, "  %-14s %-12s level %d %-13s loss %s\n", k.person.label.c_str(),
                    k.person.department.c_str(), k.person.level, k.person.formal_leader ? "formal leader" : "",
                    gain(k.loss, r.objective).c_str());
      out += line;
    }
    out += "Most credited by their peers for adoptions (MODEL.md 7, attribution; fresh trials, per trial):\n";
    for (const CreditedPerson& c : r.credited) {
      std::snprintf(line, sizeof line,
                    "  %-14s %-12s level %d %-13s champion in %3.0f%% of trials  credit %.1f [%.1f, %.1f]\n",
                    c.person.label.c_str(), c.person.department.c_str(), c.person.level,
                    c.person.formal_leader ? "formal leader" : "", 100 * c.champion_share, c.credit.mean, c.credit.low,
                    c.credit.high);
      out += line;
    }
  }
  out += fmt("(%.1f s)\n", r.seconds);
  return out;
}

namespace {

constexpr h5::Layout kLayout{65536, true, false};

void estimates(hid_t g, const std::string& name, const std::vector<Estimate>& v) {
  std::vector<double> data;
  const double none = std::numeric_limits<double>::quiet_NaN();  // not computed (n = 0)
  for (const Estimate& e : v)
    data.insert(data.end(), e.n == 0 ? std::initializer_list<double>{none, none, none}
                                     : std::initializer_list<double>{e.mean, e.low, e.high});
  h5::Handle ds = h5::create_dataset(g, name, H5T_IEEE_F64LE, {v.size(), 3}, kLayout);
  if (!v.empty()) h5::write_rows(ds.get(), H5T_NATIVE_DOUBLE, 0, v.size(), data.data());
  ds.close("close " + name);
}

template <typename T>
void numbers(hid_t g, const std::string& name, hid_t file_type, hid_t memory_type, const std::vector<T>& v) {
  h5::Handle ds = h5::create_dataset(g, name, file_type, {v.size()}, kLayout);
  if (!v.empty()) h5::write_rows(ds.get(), memory_type, 0, v.size(), v.data());
  ds.close("close " + name);
}

void people(hid_t g, const std::vector<Person>& p) {
  std::vector<std::string> label, department;
  std::vector<std::uint32_t> agent;
  std::vector<std::int32_t> level, formal;
  std::vector<double> listeners;
  for (const Person& x : p) {
    agent.push_back(x.agent);
    label.push_back(x.label);
    department.push_back(x.department);
    level.push_back(x.level);
    formal.push_back(x.formal_leader);
    listeners.push_back(x.listeners);
  }
  numbers(g, "agent", H5T_STD_U32LE, H5T_NATIVE_UINT32, agent);
  h5::write_string_dataset(g, "label", label);
  h5::write_string_dataset(g, "department", department);
  numbers(g, "level", H5T_STD_I32LE, H5T_NATIVE_INT32, level);
  numbers(g, "formal_leader", H5T_STD_I32LE, H5T_NATIVE_INT32, formal);
  numbers(g, "listeners", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, listeners);
}

void write_contents(hid_t root, const model::ExperimentSpec& x, const Options& o, const Result& r) {
  h5::write_provenance(root, "groundswell-recommend", 1,
                       {{"experiment", x.name},
                        {"scenario_file", x.source_path},
                        {"scenario_text", x.source_text},
                        {"overrides", x.overrides}});
  h5::write_string_attribute(root, "scenario", r.scenario);
  h5::write_string_attribute(root, "objective", to_string(r.objective));
  const std::int64_t horizon = r.horizon, count = o.count;
  const std::uint64_t trials = r.trials, test_trials = r.test_trials, evaluations = r.evaluations,
                      candidates = r.candidates;
  const int lazy = r.lazy;
  h5::write_number_attribute(root, "horizon", H5T_NATIVE_INT64, &horizon);
  h5::write_number_attribute(root, "count", H5T_NATIVE_INT64, &count);
  h5::write_number_attribute(root, "seed", H5T_NATIVE_UINT64, &r.seed);
  h5::write_number_attribute(root, "trials", H5T_NATIVE_UINT64, &trials);
  h5::write_number_attribute(root, "test_trials", H5T_NATIVE_UINT64, &test_trials);
  h5::write_number_attribute(root, "evaluations", H5T_NATIVE_UINT64, &evaluations);
  h5::write_number_attribute(root, "candidates", H5T_NATIVE_UINT64, &candidates);
  h5::write_number_attribute(root, "lazy", H5T_NATIVE_INT, &lazy);
  h5::write_number_attribute(root, "gains_grew", H5T_NATIVE_UINT64, &r.gains_grew);
  {
    h5::Handle g = h5::create_group(root, "picks");
    std::vector<Person> p;
    std::vector<Estimate> gains, values;
    std::vector<std::int32_t> required;
    for (const Pick& k : r.picks) {
      p.push_back(k.person);
      gains.push_back(k.gain);
      values.push_back(k.value);
      required.push_back(k.required);
    }
    people(g.get(), p);
    estimates(g.get(), "gain", gains);
    estimates(g.get(), "value", values);
    numbers(g.get(), "required", H5T_STD_I32LE, H5T_NATIVE_INT32, required);
    g.close("close picks");
  }
  {
    h5::Handle g = h5::create_group(root, "comparison");
    std::vector<std::string> rules{"recommended"};
    std::vector<Estimate> v{r.recommended}, d{Estimate{}};
    for (const RuleComparison& c : r.rules) {
      rules.push_back(c.rule);
      v.push_back(c.value);
      d.push_back(c.difference);
    }
    h5::write_string_dataset(g.get(), "rule", rules);
    estimates(g.get(), "value", v);
    estimates(g.get(), "difference", d);
    g.close("close comparison");
  }
  if (!r.curve.empty()) {
    h5::Handle g = h5::create_group(root, "curve");
    numbers(g.get(), "count", H5T_STD_U32LE, H5T_NATIVE_UINT32, r.curve.front().counts);
    std::vector<std::string> rules;
    std::vector<std::int32_t> reaches;
    for (const CurveRow& row : r.curve) {
      rules.push_back(row.rule);
      reaches.push_back(row.reaches ? static_cast<std::int32_t>(*row.reaches) : -1);
      h5::Handle rg = h5::create_group(g.get(), row.rule);
      estimates(rg.get(), "value", row.value);
      if (!row.at_target.empty()) estimates(rg.get(), "at_target", row.at_target);
      rg.close("close curve " + row.rule);
    }
    h5::write_string_dataset(g.get(), "rule", rules);
    if (o.target) {
      numbers(g.get(), "reaches_target", H5T_STD_I32LE, H5T_NATIVE_INT32, reaches);
      const double level = o.target->level;
      const std::int64_t week = o.target->week;
      h5::write_number_attribute(g.get(), "target_level", H5T_NATIVE_DOUBLE, &level);
      h5::write_number_attribute(g.get(), "target_week", H5T_NATIVE_INT64, &week);
    }
    g.close("close curve");
  }
  if (!r.key_people.empty()) {
    h5::Handle g = h5::create_group(root, "key_people");
    std::vector<Person> p;
    std::vector<Estimate> loss;
    for (const KeyPerson& k : r.key_people) {
      p.push_back(k.person);
      loss.push_back(k.loss);
    }
    people(g.get(), p);
    estimates(g.get(), "loss", loss);
    g.close("close key_people");
    h5::Handle c = h5::create_group(root, "credited");
    std::vector<Person> q;
    std::vector<Estimate> credit;
    std::vector<double> share;
    for (const CreditedPerson& k : r.credited) {
      q.push_back(k.person);
      credit.push_back(k.credit);
      share.push_back(k.champion_share);
    }
    people(c.get(), q);
    estimates(c.get(), "credit", credit);
    numbers(c.get(), "champion_share", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, share);
    c.close("close credited");
  }
}

}  // namespace

void write_result(const std::string& path, const model::ExperimentSpec& x, const Options& o, const Result& r) {
  h5::write_file(path, "recommendation file", [&](hid_t root) { write_contents(root, x, o, r); });
}

}  // namespace groundswell::recommend
