#pragma once

#include "maillage/analysis/analysis.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/output/format.hpp"
#include "maillage/output/output_geometry.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

class OGRGeometry;

namespace maillage::output {

using analysis::AnalysisResult;
using analysis::Parameters;
using analysis::PopulationGrid;

/// What summary.json records of the run's parameters (as given on the command line).
// clang-tidy 14 sees an exception escaping the implicit move operations through the json member,
// whose move constructor and assignment are noexcept: a false positive.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct RunDescription {
    nlohmann::ordered_json parameters;
    bool qgis_project = false; ///< also write maillage.qgs
    std::string lang = "fr";   ///< language of the QGIS styles, legends and field aliases
    /// The groups' names (e.g. "38" -> "Isère"), for the groups layer; a code without one keeps
    /// an empty name.
    std::map<std::string, std::string> group_names;
    /// Members added at the end of summary.json by commands built on the analysis (e.g. the
    /// `suggest` member of `maillage suggest`).
    nlohmann::ordered_json summary_extra = nlohmann::ordered_json::object();
    /// What putting the written polygons on the output grid took (summary.json
    /// "output_geometry"); shared, so that the command can warn about it after writing.
    std::shared_ptr<OutputGeometryLog> geometry = std::make_shared<OutputGeometryLog>();
};

struct GridRasterNames {
    std::string description; ///< band description, e.g. "distance to the nearest site (km)"
    std::string table;       ///< GeoPackage raster table, e.g. "distance"
    std::string identifier;  ///< GeoPackage raster identifier, e.g. "distance_km"
};

/// A Float32 raster of one value per grid cell (NaN: nodata -9999) in the run's equal-area
/// projection: a DEFLATE-compressed tiled GeoTIFF, or a raster table appended to a GeoPackage.
void write_grid_raster(const std::string& path, const PopulationGrid& grid,
                       const geo::EqualAreaProjection& projection, const std::vector<float>& cells,
                       const GridRasterNames& names, bool gpkg);

/// summary.json's "site_layers": per layer of sites (--sites, --border-sites), its path, its role
/// ("sites" or "border"), its sites, and how many lie in and outside the study area (the zone
/// holding each site, AnalysisResult::sites). A site outside the study area is a border site.
nlohmann::ordered_json site_layers_summary(const io::SiteSet& sites, const AnalysisResult& r);

/// What a reader saw (path, driver, layer, CRS, counts, skipped and repaired features), as in
/// the "inputs" of summary.json.
nlohmann::ordered_json input_summary(const model::ReadReport& report);

/// summary.json: figures of the run, deterministic for the same inputs.
nlohmann::ordered_json make_summary(const AnalysisResult& r, const io::SiteSet& sites,
                                    const io::ZoneSet& zones, const Parameters& params,
                                    const RunDescription& run);

/// Writes zones, sites, underserved, distance raster and summary.json into the staging folder.
/// GeoJSON: one file per layer; GeoPackage: one maillage.gpkg with every layer and the raster.
void write_outputs(io::StagedOutput& out, output::VectorFormat format, const AnalysisResult& r,
                   const io::SiteSet& sites, const io::ZoneSet& zones, const Parameters& params,
                   const RunDescription& run);

} // namespace maillage::output
