#pragma once

// The sections of the report for `analyse --by-type` (the distance to the nearest site of each
// network) and `analyse --catchments` (each site's service area).

#include "report_whatif.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace maillage::report {

/// The section when `summary` has a "by_type" member; nothing otherwise. `number(v, decimals)`
/// formats a number for the page's language.
std::optional<ReportSection> by_type_section(const nlohmann::json& summary, bool french,
                                             const std::function<std::string(double, int)>& number);

/// The section when `summary` has a "catchments" member (and the folder its catchments layer);
/// nothing otherwise.
std::optional<ReportSection>
catchments_section(const std::filesystem::path& run_dir, const nlohmann::json& summary, bool french,
                   const std::function<std::string(double, int)>& number);

} // namespace maillage::report
