#pragma once

// The vector formats maillage writes, without the GDAL headers (for the writers' public headers).

#include <string>

namespace maillage::output {

enum class VectorFormat { geojson, gpkg, csv };

/// Format from a file name's extension (.geojson/.json, .gpkg, .csv); throws usage_error.
VectorFormat format_from_path(const std::string& path);

} // namespace maillage::output
