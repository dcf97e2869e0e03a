#pragma once

// The "what if" section of the report, for a run folder written by `maillage whatif`.

#include "sections.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

namespace maillage::report {

/// The section when `summary` has a "whatif" member (and the folder its whatif_zones layer);
/// nothing otherwise. `number(v, decimals)` formats a number for the page's language.
std::optional<ReportSection> whatif_section(const std::filesystem::path& run_dir,
                                            const nlohmann::json& summary, bool french,
                                            const std::function<std::string(double, int)>& number);

} // namespace maillage::report
