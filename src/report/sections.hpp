#pragma once

// What the report's sections share: their parts, numbers written for figures.csv, and the
// opening of a layer of the run folder.

#include "maillage/io/gdal_util.hpp"

#include <filesystem>
#include <string>

namespace maillage::report {

/// A section of the report, made apart from the page and spliced in.
struct ReportSection {
    std::string html; ///< inserted into index.html
    std::string md;   ///< appended to report.md
    std::string csv;  ///< appended to figures.csv (figure,group,value,unit lines)
};

/// A number with a fixed count of decimals and a point, as figures.csv writes them.
std::string plain(double v, int decimals);

/// A field of a feature of a run's layer: 0 or "" when the layer has no such field or it is null.
double field_double(OGRFeature& f, const char* name);
std::string field_text(OGRFeature& f, const char* name);

/// Layer `name` of a run folder: from its maillage.gpkg when it has one, else from NAME.geojson.
/// A missing file or layer is an input error that says which `section` needed it.
struct RunLayer {
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
};
RunLayer open_run_layer(const std::filesystem::path& dir, const std::string& name,
                        const std::string& section);

} // namespace maillage::report
