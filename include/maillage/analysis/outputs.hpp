#pragma once

#include "maillage/analysis/analysis.hpp"
#include "maillage/io/layer_writer.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <nlohmann/json.hpp>

namespace maillage::analysis {

/// What summary.json records of the run's parameters (as given on the command line).
// clang-tidy 14 sees an exception escaping the implicit move operations through the json member,
// whose move constructor and assignment are noexcept: a false positive.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct RunDescription {
    nlohmann::ordered_json parameters;
    bool qgis_project = false; ///< also write maillage.qgs
};

/// summary.json: figures of the run, deterministic for the same inputs.
nlohmann::ordered_json make_summary(const AnalysisResult& r, const io::SiteSet& sites,
                                    const io::ZoneSet& zones, const Parameters& params,
                                    const RunDescription& run);

/// Writes zones, sites, underserved, distance raster and summary.json into the staging folder.
/// GeoJSON: one file per layer; GeoPackage: one maillage.gpkg with every layer and the raster.
void write_outputs(io::StagedOutput& out, io::VectorFormat format, const AnalysisResult& r,
                   const io::SiteSet& sites, const io::ZoneSet& zones, const Parameters& params,
                   const RunDescription& run);

} // namespace maillage::analysis
