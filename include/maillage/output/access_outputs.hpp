#pragma once

// The outputs of `maillage access`: its layers, raster and summary section.

#include "maillage/analysis/access.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/output/format.hpp"
#include "maillage/output/output_geometry.hpp"

#include <nlohmann/json.hpp>

#include <memory>

namespace maillage::output {

using analysis::AccessParameters;
using analysis::AccessResult;
using analysis::AnalysisResult;

/// What `maillage access` records of its run in summary.json.
// clang-tidy 14 sees an exception escaping the implicit move operations through the json member,
// whose move constructor and assignment are noexcept: a false positive.
// NOLINTNEXTLINE(bugprone-exception-escape)
struct AccessRunDescription {
    nlohmann::ordered_json parameters;
    std::string lang = "fr"; ///< language of the QGIS styles, legends and field aliases
    /// The "context_zones" member of the summary (files, counts, population), or null.
    nlohmann::ordered_json context = nullptr;
    /// What putting access_zones on the output grid took ("output_geometry" of the access
    /// section); shared, so that the command can warn about it after writing.
    std::shared_ptr<OutputGeometryLog> geometry = std::make_shared<OutputGeometryLog>();
};

/// The "access" section of summary.json.
nlohmann::ordered_json access_summary(const AccessResult& a, const AnalysisResult& base,
                                      const io::SiteSet& sites, const io::ZoneSet& zones,
                                      const AccessParameters& params,
                                      const AccessRunDescription& run);

/// Writes access_zones, access_sites (GeoJSON files, or layers of access.gpkg), the raster
/// access.tif (raster table `access` of access.gpkg) and summary.json into the staging folder.
/// summary.json: `existing_summary` (the folder's summary.json, e.g. of `maillage analyse`, or
/// null) with its "access" member set, so that both commands can share an output folder.
void write_access_outputs(io::StagedOutput& out, output::VectorFormat format, const AccessResult& a,
                          const AnalysisResult& base, const io::SiteSet& sites,
                          const io::ZoneSet& zones, const AccessParameters& params,
                          const AccessRunDescription& run,
                          const nlohmann::ordered_json& existing_summary);

} // namespace maillage::output
