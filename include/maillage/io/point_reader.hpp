#pragma once

// The points `maillage nearest` measures from: any OGR layer (polygons measured from their
// reference point) or a CSV with lon/lat columns, read one feature at a time.

#include "maillage/geo/geodesic.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/gdal_util.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace maillage::io {

/// The point a feature is measured from: itself, or a polygon's centroid when inside, else a
/// point on its surface (computed by GDAL/GEOS in lon/lat, fine at the scale of one polygon).
/// Lines and multipoints: their centroid. Nothing for a null or empty geometry.
std::optional<geo::LonLat> reference_point(const OGRGeometry* g);

/// A feature read from a PointLayer, with the WGS84 point it is measured from.
struct PointFeature {
    OGRFeatureUniquePtr feature;      ///< its geometry transformed to WGS84 (not for CSV)
    std::optional<geo::LonLat> point; ///< none: no usable coordinates
    /// The feature has no coordinates at all (no lon/lat numbers, no geometry): the case the
    /// command reports. A point that fails to transform or lies out of range is only unusable.
    bool missing = false;
};

/// An OGR layer of points (the first layer of the dataset), in the CRS given or its own.
class PointLayer {
public:
    /// Opens `path`; a CSV must have lon/lat columns (input_error naming the columns it has).
    /// `crs_override`, when not empty, replaces the layer's CRS (named as "--points-crs").
    PointLayer(const std::string& path, const std::string& crs_override);

    [[nodiscard]] bool csv() const { return m_csv; }
    [[nodiscard]] OGRLayer& layer() { return *m_layer; }
    [[nodiscard]] OGRFeatureDefn& defn() { return *m_layer->GetLayerDefn(); }

    /// The next feature; false at the end of the layer.
    bool next(PointFeature& out);

private:
    std::string m_path;
    bool m_csv = false;
    GDALDatasetUniquePtr m_ds;
    OGRLayer* m_layer = nullptr;
    int m_lon_idx = -1;
    int m_lat_idx = -1;
    LayerCrs m_crs;
};

/// A CSV of points read as text (io::CsvReader), for a CSV to CSV join: each record as its
/// fields, with its lon/lat.
class CsvPointReader {
public:
    /// Opens `path`; throws input_error naming the columns when it has no lon/lat columns.
    explicit CsvPointReader(const std::string& path);

    [[nodiscard]] const std::vector<std::string>& header() const { return m_in.header(); }

    /// The next record; false at the end. `point` is none when the record has no valid lon/lat.
    /// Throws input_error on a record with more values than the header (a decimal comma in a
    /// comma-separated file), whose columns would be read shifted.
    bool next(std::vector<std::string>& record, std::optional<geo::LonLat>& point);

    /// Line (1-based) where the record last returned starts.
    [[nodiscard]] std::size_t line() const { return m_in.line(); }

private:
    std::string m_path;
    CsvReader m_in;
    std::size_t m_lon = 0;
    std::size_t m_lat = 0;
};

} // namespace maillage::io
