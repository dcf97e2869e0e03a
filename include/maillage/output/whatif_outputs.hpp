#pragma once

#include "maillage/analysis/whatif.hpp"
#include "maillage/output/outputs.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maillage::output {

using analysis::Scenario;
using analysis::WhatIfResult;

/// Differences between what_if() and a full analyse() of the scenario's sites: every cell's
/// distance and nearest site, every zone's figures, the catchments and the distribution,
/// compared exactly. Empty when they are identical; else the first differences, described.
std::vector<std::string> compare_with_full_rerun(const WhatIfResult& w, const AnalysisResult& full,
                                                 std::size_t max_reported = 10);

/// The `whatif` section of summary.json: the changes, the figures before and after, their
/// differences overall and per group, and how much was recomputed.
nlohmann::ordered_json make_whatif_summary(const AnalysisResult& base, const WhatIfResult& w,
                                           const io::SiteSet& sites, const io::ZoneSet& zones,
                                           const Scenario& scenario);

/// Whether a zone appears in the `whatif_zones` layer: some of its cells (or its reference
/// point) changed distance or nearest site.
bool zone_changed(const AnalysisResult& base, const WhatIfResult& w, std::size_t zone);

/// Writes the baseline's outputs as write_outputs() does (a complete run folder, which
/// `maillage report` reads), the layers `whatif_zones` (the zones whose distances changed, with
/// before / after figures) and `whatif_sites` (closed, opened, and kept sites whose catchment
/// changed) as GeoJSON files or into maillage.gpkg, and summary.json: the baseline's summary
/// with `whatif` as its "whatif" member.
void write_whatif_outputs(io::StagedOutput& out, output::VectorFormat format,
                          const AnalysisResult& base, const WhatIfResult& w,
                          const io::SiteSet& sites, const io::ZoneSet& zones,
                          const Parameters& params, const RunDescription& run,
                          const nlohmann::ordered_json& whatif);

} // namespace maillage::output
