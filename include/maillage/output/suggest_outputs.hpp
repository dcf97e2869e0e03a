#pragma once

// What `maillage suggest` writes beside the analysis of the existing sites: the chosen sites in
// order (the `suggested` layer: suggested.geojson or a layer of maillage.gpkg, and
// suggested.csv), and the `suggest` section of summary.json.

#include "maillage/analysis/candidates.hpp"
#include "maillage/analysis/suggest.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/model/report.hpp"
#include "maillage/output/format.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace maillage::output {

/// One row of the `suggested` layer: a chosen candidate and the coverage after it.
struct SuggestedSite {
    std::int64_t rank = 0; ///< 1 for the first chosen
    std::string id;
    std::string name;
    std::string zone_id; ///< the zone holding it
    std::string zone_name;
    geo::LonLat position;
    double gain = 0.0; ///< persons, or person-km for mean-distance
    double newly_covered = 0.0;
    double covered = 0.0;
    double covered_share = 0.0;
    double beyond = 0.0;
    double mean_km = 0.0;
    double mean_km_drop = 0.0; ///< from the previous pick (or from no pick)
};

/// The rows of the chosen candidates, in the order of choice.
std::vector<SuggestedSite> suggested_sites(const analysis::SuggestResult& s,
                                           const analysis::Candidates& c,
                                           const std::vector<model::Zone>& zones,
                                           analysis::SuggestObjective objective);

/// The run's choices that the summary records.
struct SuggestSummaryOptions {
    std::string objective; ///< "coverage" or "mean-distance"
    int add = 5;           ///< sites asked for
    double threshold_km = 20.0;
    bool lazy = true;
    /// The file the candidates were read from (source "file"): its path and report.
    std::string candidates_path;
    const model::ReadReport* candidates_report = nullptr;
    double grid_m = 0.0; ///< source "grid": the cell size
};

/// The `suggest` section of summary.json: the candidates, the method, the coverage before and
/// after each pick (the coverage curve).
nlohmann::ordered_json suggest_summary(const analysis::SuggestResult& s,
                                       const std::vector<SuggestedSite>& rows,
                                       const analysis::Candidates& c,
                                       const SuggestSummaryOptions& options);

/// Writes the `suggested` layer: a layer of maillage.gpkg (which the analysis layers were
/// written to already, with its style in layer_styles) or suggested.geojson (with
/// suggested.qml), and suggested.csv. The style's legend and aliases are in `lang`.
void write_suggested(io::StagedOutput& out, VectorFormat format,
                     const std::vector<SuggestedSite>& rows, const std::string& lang);

} // namespace maillage::output
