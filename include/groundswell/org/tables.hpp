#pragma once
// The node and edge CSV tables of MODEL.md 2.3: read and written.
#include <atomic>
#include <string>
#include <vector>

#include "groundswell/org/organization.hpp"

namespace groundswell::org {

/// Reads a node table (id, department, manager, level, extra columns kept as
/// attributes) and an edge table (source, target, weight, type; source listens
/// to target; type formal|informal). Throws InputError naming the file, the
/// line and the fault: missing or extra columns, unknown or duplicate ids,
/// non-numeric, NaN, infinite or non-positive weights, self-loops, cycles in
/// `manager` (org::check_manager_cycles), a `level` that is not the one
/// `manager` gives (org::levels_from_managers: a top at 0, everyone else one
/// below their manager), empty or unreadable files.
Organization read_organization_tables(const std::string& nodes_path, const std::string& edges_path);

/// Writes the two tables into `directory` as nodes.csv and edges.csv, as one
/// (write_texts_safely of sim/safe_write.hpp): both go to temporaries, are
/// synced, and are renamed only when both are whole; on any failure neither
/// new table is left, and a directory made for them is removed again.
/// `champion` (may be empty) adds a `champion` column with 1 for champions.
/// @param stop when given and set (a SIGINT), the writing ends within 64 kB
///   and nothing is left, the directory made included
/// @throws std::runtime_error on I/O errors; WriteStopped (sim/safe_write.hpp),
///   a std::runtime_error, when stopped
void write_organization_tables(const Organization& organization, const std::vector<std::uint8_t>& champion,
                               const std::string& directory, const std::atomic<bool>* stop = nullptr);

}  // namespace groundswell::org
