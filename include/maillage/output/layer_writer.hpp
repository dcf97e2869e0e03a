#pragma once

#include "maillage/io/gdal_util.hpp"
#include "maillage/output/format.hpp"

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

namespace maillage::output {

struct FieldSpec {
    std::string name;
    OGRFieldType type = OFTString;
    OGRFieldSubType subtype = OFSTNone;
};

using FieldValue = std::variant<std::monostate, std::string, std::int64_t, double, bool>;

/// Creates a vector dataset: GeoJSON per RFC 7946 (WGS84 lon/lat, right-hand winding,
/// 7 decimals), GeoPackage, or CSV (geometry as lon/lat columns for points).
/// Also clears errno: close_dataset() reads it to catch the write errors GDAL does not report.
GDALDatasetUniquePtr create_vector(const std::string& path, VectorFormat format);

/// Reopens a GeoPackage this run wrote, to add layers to it (`what` says which, for the
/// message); with the same fixed gpkg_contents stamp as create_vector().
GDALDatasetUniquePtr reopen_gpkg(const std::string& path, const std::string& what);

/// Closes a dataset and reports a failed write (full disk...) as runtime_failure, naming the
/// file. GDAL's GeoJSON and CSV writers ignore failed writes: they are caught from errno (set
/// since create_vector() in this thread) and, for GeoJSON, from the end of the file.
void close_dataset(GDALDatasetUniquePtr ds, const std::string& path);

/// One output layer with a fixed schema. Features are added in the order given, inside one
/// transaction where the format has them.
class LayerWriter {
public:
    LayerWriter(GDALDataset& ds, const std::string& path, const std::string& name,
                OGRwkbGeometryType geometry_type, const OGRSpatialReference* srs,
                std::vector<FieldSpec> fields, std::vector<std::string> layer_options = {});
    ~LayerWriter();
    LayerWriter(const LayerWriter&) = delete;
    LayerWriter& operator=(const LayerWriter&) = delete;

    /// Adds a feature; `geometry` may be null. values[i] goes into fields[i].
    void add(const OGRGeometry* geometry, const std::vector<FieldValue>& values);
    /// Commits the transaction.
    void finish();

    [[nodiscard]] std::size_t field_count() const { return m_fields.size(); }

private:
    GDALDataset& m_ds;
    std::string m_path;
    OGRLayer* m_layer = nullptr;
    std::vector<FieldSpec> m_fields;
    std::vector<int> m_index;
    bool m_in_transaction = false;
};

/// Joins GeoJSON FeatureCollections written by GDAL (each a slice of one layer, in order) into
/// `path`, byte for byte what one GDAL write of the whole layer gives, and removes the slices.
/// Throws runtime_failure if a slice does not have GDAL's layout.
void stitch_geojson(const std::vector<std::string>& slices, const std::string& path);

} // namespace maillage::output
