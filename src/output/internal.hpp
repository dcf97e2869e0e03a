#pragma once

// Helpers shared by the writers (not part of the public headers).

#include "maillage/analysis/analysis.hpp"
#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/output/layer_writer.hpp"

#include <nlohmann/json.hpp>
#include <ogr_geometry.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace maillage::output::detail {

using core::round_to;

/// Metres as km rounded to 4 decimals (0.1 m), as the layers and summary.json write them.
inline double km4(double metres) { return round_to(metres / 1000.0, 4); }

/// Field type of the populations of a layer: integers when the run's populations are whole
/// (AnalysisResult::whole_population), reals otherwise.
inline OGRFieldType population_type(bool whole) { return whole ? OFTInteger64 : OFTReal; }

/// A population for a layer: an integer when the run's populations are whole (sums of whole
/// persons, exact in double), else rounded to 4 decimals.
inline FieldValue population_field(double value, bool whole) {
    if (whole) {
        return static_cast<std::int64_t>(std::llround(value));
    }
    return round_to(value, 4);
}

/// The same for summary.json.
inline nlohmann::ordered_json population_json(double value, bool whole) {
    if (whole) {
        return static_cast<std::int64_t>(std::llround(value));
    }
    return round_to(value, 4);
}

/// A GEOS geometry as an OGR one, for writing.
inline std::unique_ptr<OGRGeometry> to_ogr(const geo::GeosContext& ctx, const GEOSGeometry* g) {
    const auto wkb = geo::to_wkb(ctx, g);
    OGRGeometry* out = nullptr;
    if (OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &out, wkb.size()) != OGRERR_NONE) {
        throw runtime_failure("cannot convert a geometry for writing");
    }
    return std::unique_ptr<OGRGeometry>(out);
}

/// summary.json's "grid": the analysis grid (cell size, size, cells in the study area, zones
/// placed on their reference point).
nlohmann::ordered_json grid_summary(const analysis::AnalysisResult& r);

/// summary.json's "distance_km" (and whatif's before and after): mean, p50, p90, p99, max.
nlohmann::ordered_json distance_summary(const analysis::DistanceDistribution& d);

/// Writes QGIS's layer_styles table into a GeoPackage: the default style (QML) of each layer,
/// (layer name, QML) pairs. QGIS reads it by itself.
void write_layer_styles(GDALDataset& ds, const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& styles);

/// Adds rows to the layer_styles table of a GeoPackage that has one (written by
/// write_layer_styles): the default styles of layers added to it later (whatif, suggest).
void add_layer_styles(GDALDataset& ds, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& styles);

} // namespace maillage::output::detail
