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
    /// The longitude (or x) and latitude (or y) columns of a CSV; empty: the first of
    /// lon_column_names() / lat_column_names() present. A named column that is absent stops the
    /// run (the message lists the columns); naming one for a layer that is not a CSV too.
    std::string lon_field;
    std::string lat_field;
    bool strict = false; ///< skipped features become fatal
    /// Numeric field read into Site::capacity (empty: every site has capacity 1). A value that
    /// is not a non-negative number stops the run, as a bad population does.
    std::string capacity_field;
    /// Stem of the options the messages name: "site" gives --site-id, --site-name, --site-type,
    /// --site-filter, --sites-crs, --sites and --border-sites (a reader of candidate places
    /// uses "candidate"). The caller (the CLI) sets it to the options it reads the values from.
    std::string option_stem = "site";
    /// The option that names capacity_field, for messages.
    std::string capacity_option = "--capacity";
    /// When the layer has no id_field, number the features 1, 2, ... (in the order read) instead
    /// of stopping. For layers of places where an id is optional.
    bool number_without_id = false;
};

/// The fields a site layer was read with (empty: none), as the reader chose them.
struct SiteFieldNames {
    std::string id; ///< empty when the sites were numbered (SiteReadOptions::number_without_id)
    std::string name;
    std::string type;
    std::string type_label;
    std::string capacity;
    std::string lon; ///< CSV only
    std::string lat; ///< CSV only
};

/// One layer of sites of a run: a --sites or a --border-sites file.
struct SiteLayer {
    std::string path;
    bool border = false; ///< declared as border sites (--border-sites)
    model::ReadReport report;
    std::size_t first = 0; ///< its sites are sites[first, first + count)
    std::size_t count = 0;
};

struct SiteSet {
    std::vector<model::Site> sites;
    /// What the reader saw: of the one layer read by read_sites; of the first --sites layer with
    /// read_site_layers (every layer's is in `layers`).
    model::ReadReport report;
    /// The fields read (read_sites; of the first layer with read_site_layers).
    SiteFieldNames fields;
    /// Every layer read, in order (read_site_layers; read_sites gives one, not a border layer).
    std::vector<SiteLayer> layers;
};

/// A layer to read with read_site_layers.
struct SiteLayerSpec {
    std::string path;
    bool border = false;
};

/// Reads point sites from any OGR layer, or from a CSV with lon/lat columns (lon/lat,
/// longitude/latitude, x/y; EPSG:4326 unless told otherwise). Sites without usable coordinates,
/// without an id or with a duplicate id are skipped and reported (fatal with `strict`).
SiteSet read_sites(const SiteReadOptions& options);

/// Reads several layers of sites with the same options (options.path is ignored) and joins them
/// in order: Site::layer tells where each came from. Ids must be unique across
/// the layers: a site whose id was already used by another layer stops the run (input_error,
/// naming both places), as the choice between them would be arbitrary.
SiteSet read_site_layers(const SiteReadOptions& options, const std::vector<SiteLayerSpec>& layers);

/// Candidate names of the lon and lat columns of a CSV, in order of preference.
const std::vector<std::string>& lon_column_names();
const std::vector<std::string>& lat_column_names();

/// "lon, longitude, ... and lat, ...", for messages.
std::string lonlat_names_text();

/// The options naming the coordinate columns, for messages: "--lon-field" and "--lat-field"
/// for the sites (stem "site"), "--STEM-lon-field" and "--STEM-lat-field" otherwise.
std::string lon_field_option(const SiteReadOptions& options);
std::string lat_field_option(const SiteReadOptions& options);

/// Strict number parsing (whole string, '.' or ',' as decimal separator); nullopt otherwise.
std::optional<double> parse_number(const std::string& text);

} // namespace maillage::io
