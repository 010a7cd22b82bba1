#pragma once
// Organization generators (MODEL.md 2.1 and 2.2).
#include <cstdint>

#include "groundswell/model/scenario.hpp"
#include "groundswell/org/organization.hpp"

namespace groundswell::org {

/// Makes the organization of one trial. Random draws come only from the
/// stream `key` (derived from seed and trial), so every scenario of a trial
/// that shares the spec gets the same organization (MODEL.md 7).
/// Throws InputError for files that cannot be read. Cost O(N * advisors * log N)
/// for `hierarchy`, O(N + E) for the others, O(N^2) for `complete`.
Organization generate_organization(const model::OrganizationSpec& spec, std::uint64_t key);

}  // namespace groundswell::org
