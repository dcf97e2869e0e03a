#pragma once

// What `maillage info` tells of a vector file: its driver and layers, and the problems
// maillage would meet in them.

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace maillage::io {

/// What to check besides the geometries.
struct InspectOptions {
    std::string id_field;                        ///< empty: `id`, else `code` (if present)
    std::string population_field = "population"; ///< checked when the layer has it
};

/// A field of a layer: its name and its OGR type name ("String", "Integer64"...).
struct FieldInfo {
    std::string name;
    std::string type;
};

/// One kind of problem in a layer: how many, and where (at most ten places, then "...").
struct ProblemInfo {
    std::size_t count = 0;
    std::vector<std::string> where;
};

/// One layer of a dataset, as read.
struct LayerInfo {
    std::string name;
    std::string crs;           ///< io::crs_name of the layer's CRS
    std::string geometry_type; ///< the layer's declared type (OGRGeometryTypeToName)
    std::vector<FieldInfo> fields;
    std::size_t features = 0;
    /// Geometry type name of the features -> count (a CSV's lon/lat rows count as "Point").
    std::map<std::string, std::size_t> geometries;
    /// min x, min y, max x, max y of the geometries and points read (none if nothing was).
    std::optional<std::array<double, 4>> extent;
    /// Kind of problem -> what was found; kinds sorted by name.
    std::map<std::string, ProblemInfo> problems;
};

/// A vector dataset and the problems found in it.
struct DatasetInfo {
    std::string driver; ///< GDAL driver name (empty if unknown)
    std::vector<LayerInfo> layers;
    std::size_t problems = 0; ///< every problem found, in every layer
};

/// Reads every feature of every layer of `path` (a CSV with its lon/lat columns) and describes
/// them: null or invalid geometries, coordinates out of the lon/lat range (in geographic
/// layers), lat/lon that look swapped, empty or duplicate ids, population missing, not a number
/// or negative. Throws input_error when the file cannot be opened.
DatasetInfo inspect_vector(const std::string& path, const InspectOptions& options);

} // namespace maillage::io
