#pragma once

#include "maillage/geo/geom_ptr.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

class OGRGeometry; // GDAL: the .cpp files that use them include ogr headers
class OGRSpatialReference;
class OGRCoordinateTransformation;

namespace maillage::output {

/// Checks a CRS given to --out-crs (EPSG:2154, a WKT, a PROJ string: what GDAL reads); throws
/// core::usage_error naming it otherwise.
void check_output_crs(const std::string& crs);

/// The one step every written polygon goes through: its WGS84 longitude/latitude geometry is
/// put on the output grid (geo::output_grid_deg, the GeoJSON's 7 decimals) by geo::snap_round,
/// so that it is valid as written, in GeoJSON and GeoPackage alike. What that took is counted per
/// layer, for summary.json ("output_geometry") and the log. Thread-safe: the layers are written
/// side by side.
class OutputGeometryLog {
public:
    /// Writes the layers in `crs` (--out-crs; what GDAL reads, e.g. EPSG:2154) instead of WGS84:
    /// the polygons are transformed, then put on a grid of 1 cm (projected CRS) or 1e-7 degree
    /// (geographic). Throws core::usage_error for a CRS GDAL cannot read.
    void set_output_crs(const std::string& crs);
    /// The CRS the layers are written in (WGS84 lon/lat unless set_output_crs).
    [[nodiscard]] OGRSpatialReference srs() const;
    /// The authority id of that CRS ("EPSG:2154", "EPSG:4326"), or empty.
    [[nodiscard]] std::string authid() const;
    /// A point given in WGS84 lon/lat, in the output CRS.
    [[nodiscard]] std::unique_ptr<OGRGeometry> point(double lon, double lat) const;

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
    std::string m_crs;                                 ///< --out-crs as given, or empty
    std::shared_ptr<OGRSpatialReference> m_srs;        ///< its CRS, or null (WGS84)
    std::shared_ptr<OGRCoordinateTransformation> m_ct; ///< WGS84 -> m_srs; cloned per use
    double m_grid = 0.0;                               ///< the output grid in m_srs units
};

} // namespace maillage::output
