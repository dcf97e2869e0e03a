#pragma once

// Small helpers over GDAL: opening with clear errors, CRS handling, WKB exchange with GEOS.

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include "maillage/geo/gdal.hpp"
#include "maillage/model/report.hpp"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace maillage::io {

using geo::gdal_last_error; ///< last GDAL error message, or "unknown error"
using geo::init_gdal;       ///< registers GDAL's drivers once, quiet error handler

/// Opens a vector dataset; throws input_error naming the path if it cannot be opened.
GDALDatasetUniquePtr open_vector(const std::string& path,
                                 const std::vector<std::string>& open_options = {});

/// The files a dataset is made of (a Shapefile's .dbf and .prj too), or just `path`.
std::vector<std::string> dataset_files(GDALDataset& ds, const std::string& path);

/// True for a path GDAL would read with its CSV driver (by extension).
bool is_csv_path(const std::string& path);

/// The single layer of a dataset (or the first one, with a warning if there are several).
OGRLayer* first_layer(GDALDataset& ds, const std::string& path);

/// Throws input_error naming the file when the layer holds no feature at all (a CSV with only
/// its header, an empty FeatureCollection); `what` names the features ("site", "zone").
void require_features(OGRLayer& layer, const std::string& path, bool csv, const std::string& what);

/// Parses a user CRS ("EPSG:2154", WKT, PROJ string); throws value_error if it cannot, naming
/// `option`, the option (or setting) the caller read the text from.
OGRSpatialReference parse_crs(const std::string& text, const std::string& option);

/// WGS84 in lon/lat axis order.
OGRSpatialReference wgs84();

/// Transformation from srs to WGS84 lon/lat, or nullptr when srs is already geographic WGS84.
std::unique_ptr<OGRCoordinateTransformation> to_wgs84(const OGRSpatialReference& srs);

/// The CRS a layer is read in: the user's override, else the layer's, else WGS84 for a CSV
/// (nullopt: none declared), with the transformation to WGS84 lon/lat (null when not needed).
struct LayerCrs {
    std::optional<OGRSpatialReference> srs;
    std::string name; ///< for messages and summary.json
    std::unique_ptr<OGRCoordinateTransformation> to_wgs84;
};
LayerCrs resolve_crs(OGRLayer& layer, const std::string& override_text, const std::string& option,
                     bool csv);

/// Short human name of a CRS ("EPSG:2154" when it has one).
std::string crs_name(const OGRSpatialReference* srs);

/// Records a skipped feature in `report`, or throws input_error with `strict`.
void skip_feature(model::ReadReport& report, bool strict, const std::string& where,
                  const std::string& reason);

/// A field's text as UTF-8. Text that is not valid UTF-8 (a spreadsheet saved as Windows-1252
/// or Latin-1, common for French files) is recoded from Windows-1252 and `recoded` is set, so
/// that the outputs stay valid UTF-8 as GeoJSON requires.
std::string text_field(const OGRFeature& feature, int index, bool& recoded);

/// Field index by name (case-insensitive), or -1.
int find_field(OGRFeatureDefn& defn, const std::string& name);

/// The first of `names` that the layer has, or empty.
std::string first_present(OGRFeatureDefn& defn, const std::vector<std::string>& names);

/// Comma-separated list of a layer's field names, for messages.
std::string field_list(OGRFeatureDefn& defn);

/// Throws input_error naming the file, the field and the layer's fields when the layer has no
/// field `field`; `option` is the option that names it, for the hint.
void require_field(OGRFeatureDefn& defn, const std::string& path, const std::string& field,
                   const std::string& option);

/// An input layer opened for reading (the single layer of its dataset).
struct InputLayer {
    GDALDatasetUniquePtr dataset;
    OGRLayer* layer = nullptr;
};

/// Opens the layer of sites or zones at `path` with `open_options`, checks that it holds
/// features (`what` names them, as for require_features) and, for a CSV, that its lines have
/// the header's field count; fills report's path, driver, files and layer.
InputLayer open_input_layer(const std::string& path, const std::vector<std::string>& open_options,
                            bool csv, const std::string& what, model::ReadReport& report);

/// The first three skipped features of `report`, as " Skipped: WHERE: REASON; ...", for the
/// message of a layer with nothing usable (empty if none was skipped).
std::string skipped_examples(const model::ReadReport& report);

/// Where a feature comes from: "line N" for CSV (header is line 1), "feature N" otherwise.
std::string feature_where(bool csv, GIntBig fid);

} // namespace maillage::io
