#pragma once

// Small helpers over GDAL: opening with clear errors, CRS handling, WKB exchange with GEOS.

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace maillage::io {

/// Registers drivers once and routes GDAL's messages to CPLGetLastErrorMsg instead of stderr.
void init_gdal();

/// Last GDAL error message, or "unknown error".
std::string gdal_last_error();

/// Opens a vector dataset; throws input_error naming the path if it cannot be opened.
GDALDatasetUniquePtr open_vector(const std::string& path,
                                 const std::vector<std::string>& open_options = {});

/// True for a path GDAL would read with its CSV driver (by extension).
bool is_csv_path(const std::string& path);

/// The single layer of a dataset (or the first one, with a warning if there are several).
OGRLayer* first_layer(GDALDataset& ds, const std::string& path);

/// Parses a user CRS ("EPSG:2154", WKT, PROJ string); throws usage_error if it cannot.
OGRSpatialReference parse_crs(const std::string& text, const std::string& option);

/// WGS84 in lon/lat axis order.
OGRSpatialReference wgs84();

/// Transformation from srs to WGS84 lon/lat, or nullptr when srs is already geographic WGS84.
std::unique_ptr<OGRCoordinateTransformation> to_wgs84(const OGRSpatialReference& srs);

/// Short human name of a CRS ("EPSG:2154" when it has one).
std::string crs_name(const OGRSpatialReference* srs);

/// Field index by name (case-insensitive), or -1.
int find_field(OGRFeatureDefn& defn, const std::string& name);

/// The first of `names` that the layer has, or empty.
std::string first_present(OGRFeatureDefn& defn, const std::vector<std::string>& names);

/// Comma-separated list of a layer's field names, for messages.
std::string field_list(OGRFeatureDefn& defn);

/// Where a feature comes from: "line N" for CSV (header is line 1), "feature N" otherwise.
std::string feature_where(bool csv, GIntBig fid);

} // namespace maillage::io
