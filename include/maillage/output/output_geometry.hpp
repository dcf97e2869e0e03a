#pragma once

#include "maillage/geo/geom_ptr.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

class OGRGeometry;

namespace maillage::output {

/// The one step every written polygon goes through: its WGS84 longitude/latitude geometry is
/// put on the output grid (geo::output_grid_deg, the GeoJSON's 7 decimals) by geo::snap_round,
/// so that it is valid as written, in GeoJSON and GeoPackage alike. What that took is counted per
/// layer, for summary.json ("output_geometry") and the log. Thread-safe: the layers are written
/// side by side.
class OutputGeometryLog {
public:
    /// g (polygonal, WGS84 lon/lat) on the output grid as an OGR MultiPolygon; null when it
    /// collapses (written as a null geometry; the feature and its figures are kept).
    /// `feature` names the feature in the warning about a collapse.
    std::unique_ptr<OGRGeometry> prepare(const geo::GeosContext& ctx, const GEOSGeometry* g,
                                         const std::string& layer, const std::string& feature);

    /// {"grid_deg": 1e-7, "layers": {layer: {polygons, rounded_invalid, snap_rounded, repaired,
    /// collapsed, collapsed_features, invalid}}}, layers by name.
    [[nodiscard]] nlohmann::ordered_json to_json() const;
    /// One line per layer where a polygon collapsed or stayed invalid (empty: nothing to say).
    [[nodiscard]] std::vector<std::string> warnings() const;

private:
    struct Counts {
        std::size_t polygons = 0;
        std::size_t rounded_invalid = 0;
        std::size_t repaired = 0;
        std::size_t collapsed = 0;
        std::size_t invalid = 0;
        std::vector<std::string> collapsed_features;
    };
    mutable std::mutex m_mutex;
    std::map<std::string, Counts> m_layers;
};

} // namespace maillage::output
