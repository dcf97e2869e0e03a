#pragma once

#include "maillage/model/report.hpp"
#include "maillage/model/site.hpp"

#include <optional>
#include <string>
#include <vector>

namespace maillage::io {

struct SiteReadOptions {
    std::string path;
    std::string crs; ///< overrides the layer's CRS when not empty
    std::string id_field = "id";
    std::string name_field; ///< empty: `nom`, else `name`
    std::string type_field; ///< empty: `type_service`, else `type`
    std::string filter;     ///< OGR attribute filter (SQL WHERE clause)
    bool strict = false;    ///< skipped features become fatal
    /// Stem of the options the messages name: "site" gives --site-id, --sites-crs, ... (a
    /// reader of candidate places uses "candidate").
    std::string option_stem = "site";
    /// When the layer has no id_field, number the features 1, 2, ... (in the order read) instead
    /// of stopping. For layers of places where an id is optional.
    bool number_without_id = false;
};

struct SiteSet {
    std::vector<model::Site> sites;
    model::ReadReport report;
};

/// Reads point sites from any OGR layer, or from a CSV with lon/lat columns (lon/lat,
/// longitude/latitude, x/y; EPSG:4326 unless told otherwise). Sites without usable coordinates,
/// without an id or with a duplicate id are skipped and reported (fatal with `strict`).
SiteSet read_sites(const SiteReadOptions& options);

/// Candidate names of the lon and lat columns of a CSV, in order of preference.
const std::vector<std::string>& lon_column_names();
const std::vector<std::string>& lat_column_names();

/// "lon, longitude, ... and lat, ...", for messages.
std::string lonlat_names_text();

/// Strict number parsing (whole string, '.' or ',' as decimal separator); nullopt otherwise.
std::optional<double> parse_number(const std::string& text);

} // namespace maillage::io
