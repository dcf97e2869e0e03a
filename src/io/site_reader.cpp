#include "maillage/io/site_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/gdal_util.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <set>
#include <unordered_map>

namespace maillage::io {

const std::vector<std::string>& lon_column_names() {
    static const std::vector<std::string> names{"lon", "longitude", "lng", "long", "x"};
    return names;
}

const std::vector<std::string>& lat_column_names() {
    static const std::vector<std::string> names{"lat", "latitude", "y"};
    return names;
}

std::string lonlat_names_text() {
    auto join = [](const std::vector<std::string>& v) {
        std::string out;
        for (std::size_t i = 0; i < v.size(); ++i) {
            out += (i == 0 ? "" : (i + 1 == v.size() ? " or " : ", ")) + v[i];
        }
        return out;
    };
    return join(lon_column_names()) + " and " + join(lat_column_names());
}

std::optional<double> parse_number(const std::string& text) {
    std::size_t b = 0;
    std::size_t e = text.size();
    while (b < e && std::isspace(static_cast<unsigned char>(text[b])) != 0) {
        ++b;
    }
    while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1])) != 0) {
        --e;
    }
    if (b == e) {
        return std::nullopt;
    }
    std::string s = text.substr(b, e - b);
    if (s.find('.') == std::string::npos) {
        const auto comma = s.find(',');
        if (comma != std::string::npos && s.find(',', comma + 1) == std::string::npos) {
            s[comma] = '.';
        }
    }
    if (s.front() == '+') {
        s.erase(0, 1);
    }
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

std::string lon_field_option(const SiteReadOptions& options) {
    return options.option_stem == "site" ? "--lon-field"
                                         : "--" + options.option_stem + "-lon-field";
}

std::string lat_field_option(const SiteReadOptions& options) {
    return options.option_stem == "site" ? "--lat-field"
                                         : "--" + options.option_stem + "-lat-field";
}

namespace {

/// The option "--STEM" + suffix of the site options, for messages ("--site-id").
std::string option(const SiteReadOptions& o, const char* suffix) {
    return "--" + o.option_stem + suffix;
}

std::string pick_field(OGRFeatureDefn& defn, const std::string& requested,
                       const std::vector<std::string>& defaults) {
    if (!requested.empty()) {
        return requested;
    }
    return first_present(defn, defaults);
}

std::string separator_hint(OGRFeatureDefn& defn) {
    if (defn.GetFieldCount() == 1) {
        const std::string only = defn.GetFieldDefn(0)->GetNameRef();
        if (only.find_first_of(";\t| ") != std::string::npos) {
            return " The header was read as a single column '" + only +
                   "': is the separator one GDAL does not detect? Use commas, semicolons or tabs.";
        }
    }
    return "";
}

/// Applies o.filter to the layer; a filter GDAL rejects is a bad option value.
void set_filter(const SiteReadOptions& o, OGRLayer& layer) {
    if (layer.SetAttributeFilter(o.filter.c_str()) != OGRERR_NONE) {
        throw value_error(option(o, "-filter") + " '" + o.filter + "' is not a valid filter on " +
                          o.path + ": " + gdal_last_error() +
                          " (fields: " + field_list(*layer.GetLayerDefn()) +
                          "). Write an OGR SQL condition on these fields, e.g. \"active = 1\".");
    }
}

std::set<GIntBig> filtered_fids(const SiteReadOptions& o, const std::vector<std::string>& opts) {
    // The CSV driver reads every column as text unless asked to guess types; a filter such as
    // `spro_core = 1` needs the guess, but the guess turns ids like 01053 into 1053. So the
    // filter runs on a typed view and the values are read from the text view.
    auto typed_opts = opts;
    typed_opts.emplace_back("AUTODETECT_TYPE=YES");
    auto ds = open_vector(o.path, typed_opts);
    OGRLayer* layer = first_layer(*ds, o.path);
    set_filter(o, *layer);
    std::set<GIntBig> fids;
    for (auto& f : *layer) {
        fids.insert(f->GetFID());
    }
    return fids;
}

/// The field indices of a site layer (-1: none).
struct SiteFields {
    bool numbered = false; ///< no id field: the sites are numbered
    int id = -1;
    int name = -1;
    int type = -1;
    int type_label = -1; ///< `type_label`, read when present
    int capacity = -1;
    int lon = -1; ///< CSV only
    int lat = -1; ///< CSV only
};

/// The id, name, type and capacity fields; the fields named by the options must exist.
SiteFields attribute_fields(const SiteReadOptions& o, OGRFeatureDefn& defn) {
    SiteFields f;
    f.numbered = o.number_without_id && find_field(defn, o.id_field) < 0;
    if (!f.numbered) {
        require_field(defn, o.path, o.id_field, option(o, "-id"));
        f.id = find_field(defn, o.id_field);
    }
    const std::string name_field = pick_field(defn, o.name_field, {"nom", "name"});
    const std::string type_field = pick_field(defn, o.type_field, {"type_service", "type"});
    if (!o.name_field.empty()) {
        require_field(defn, o.path, o.name_field, option(o, "-name"));
    }
    if (!o.type_field.empty()) {
        require_field(defn, o.path, o.type_field, option(o, "-type"));
    }
    f.name = name_field.empty() ? -1 : find_field(defn, name_field);
    f.type = type_field.empty() ? -1 : find_field(defn, type_field);
    f.type_label = find_field(defn, "type_label");
    if (!o.capacity_field.empty()) {
        require_field(defn, o.path, o.capacity_field, o.capacity_option);
        f.capacity = find_field(defn, o.capacity_field);
    }
    return f;
}

/// The coordinate column of a CSV: `requested` (which must exist), else the first of `names`.
int coordinate_field(const SiteReadOptions& o, OGRFeatureDefn& defn, const std::string& requested,
                     const std::vector<std::string>& names, const std::string& opt) {
    if (requested.empty()) {
        return find_field(defn, first_present(defn, names));
    }
    if (find_field(defn, requested) < 0) {
        throw input_error(o.path + ": no column '" + requested + "' (" + opt +
                          "); the columns are: " + field_list(defn) + "." + separator_hint(defn) +
                          " Name the coordinate column with " + opt + ".");
    }
    return find_field(defn, requested);
}

/// Where the positions are: the lon/lat columns of a CSV, else the layer's point geometry.
void position_fields(const SiteReadOptions& o, OGRLayer& layer, bool csv, SiteFields& f) {
    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    if (csv) {
        f.lon = coordinate_field(o, defn, o.lon_field, lon_column_names(), lon_field_option(o));
        f.lat = coordinate_field(o, defn, o.lat_field, lat_column_names(), lat_field_option(o));
        if (f.lon < 0 || f.lat < 0) {
            throw input_error(
                o.path + ": no longitude/latitude columns (looked for " + lonlat_names_text() +
                "; columns are: " + field_list(defn) + ")." + separator_hint(defn) +
                " Name the coordinate columns lon and lat (decimal degrees), or x "
                "and y with " +
                option(o, "s-crs") + " for projected coordinates; or give their names with " +
                lon_field_option(o) + " and " + lat_field_option(o) + ".");
        }
        return;
    }
    if (!o.lon_field.empty() || !o.lat_field.empty()) {
        throw input_error(o.path + ": " + lon_field_option(o) + " and " + lat_field_option(o) +
                          " name the coordinate columns of a CSV, and this layer is not a CSV: "
                          "its sites are its point geometries. Leave the options out for it.");
    }
    if (wkbFlatten(layer.GetGeomType()) == wkbNone) {
        throw input_error(o.path + ": the layer '" + layer.GetName() +
                          "' has no geometry; sites must be points.");
    }
}

/// The names of the fields found, for SiteSet::fields.
SiteFieldNames field_names(OGRFeatureDefn& defn, const SiteFields& f) {
    auto name = [&](int idx) {
        return idx < 0 ? std::string() : std::string(defn.GetFieldDefn(idx)->GetNameRef());
    };
    return {name(f.id),       name(f.name), name(f.type), name(f.type_label),
            name(f.capacity), name(f.lon),  name(f.lat)};
}

/// A position in the layer's CRS, or the reason the feature has none.
struct RawPosition {
    double x = 0.0;
    double y = 0.0;
    std::string problem; ///< empty: the position is usable
};

/// Reads the features of a site layer: each site with its position in WGS84 lon/lat, or
/// skipped and reported.
class SiteFeatureReader {
public:
    SiteFeatureReader(const SiteReadOptions& o, OGRFeatureDefn& defn, const SiteFields& fields,
                      bool csv, const LayerCrs& crs, SiteSet& out)
        : m_o(o), m_defn(defn), m_f(fields), m_csv(csv), m_crs(crs), m_out(out) {}

    /// The site of `f`, or nullopt when it is skipped.
    std::optional<model::Site> read(OGRFeature& f) {
        ++m_out.report.features;
        std::string where = feature_where(m_csv, f.GetFID());
        model::Site s;
        if (m_f.numbered) {
            s.id = std::to_string(m_out.report.features);
        } else {
            s.id = f.IsFieldSetAndNotNull(m_f.id) ? text_field(f, m_f.id, m_recoded) : "";
        }
        if (s.id.empty()) {
            skip(where, "empty " + m_o.id_field + ": give the site an id");
            return std::nullopt;
        }
        where += " (" + m_o.id_field + " " + s.id + ")";
        s.name = m_f.name >= 0 ? text_field(f, m_f.name, m_recoded) : "";
        s.type = m_f.type >= 0 ? text_field(f, m_f.type, m_recoded) : "";
        s.type_label = m_f.type_label >= 0 ? text_field(f, m_f.type_label, m_recoded) : "";
        const auto position = lonlat(f, where);
        if (!position) {
            return std::nullopt;
        }
        s.position = *position;
        if (auto [it, inserted] = m_seen_ids.emplace(s.id, where); !inserted) {
            skip(where, "duplicate id '" + s.id + "', first seen at " + it->second +
                            "; only the first is used: give each site its own id");
            return std::nullopt;
        }
        if (m_f.capacity >= 0) {
            s.capacity = capacity(f, where);
        }
        s.where = where;
        return s;
    }

    [[nodiscard]] bool recoded() const { return m_recoded; }

private:
    void skip(const std::string& where, const std::string& reason) {
        skip_feature(m_out.report, m_o.strict, where, reason);
    }

    /// The position of a CSV line: its lon and lat columns.
    [[nodiscard]] RawPosition csv_position(const OGRFeature& f) const {
        const std::string lon_text = f.GetFieldAsString(m_f.lon);
        const std::string lat_text = f.GetFieldAsString(m_f.lat);
        const auto lon = parse_number(lon_text);
        const auto lat = parse_number(lat_text);
        if (lon && lat) {
            return {*lon, *lat, {}};
        }
        std::string hint;
        if (lon_text.empty() && lat_text.empty()) {
            hint = ": give the site its longitude and latitude, or remove the line";
        } else {
            hint = ": write them as decimal degrees, e.g. 5.065 and 45.045";
        }
        return {0.0, 0.0,
                "no usable coordinates (" +
                    std::string(m_defn.GetFieldDefn(m_f.lon)->GetNameRef()) + " '" + lon_text +
                    "', " + m_defn.GetFieldDefn(m_f.lat)->GetNameRef() + " '" + lat_text + "')" +
                    hint};
    }

    /// The position of a feature: its point (or a multipoint of one point).
    static RawPosition geometry_position(const OGRFeature& f) {
        const OGRGeometry* g = f.GetGeometryRef();
        if (g == nullptr || g->IsEmpty() != 0) {
            return {0.0, 0.0, "no geometry: give the site its point, or remove it"};
        }
        const auto type = wkbFlatten(g->getGeometryType());
        if (type == wkbPoint) {
            return {g->toPoint()->getX(), g->toPoint()->getY(), {}};
        }
        if (type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1) {
            const auto* p = g->toMultiPoint()->getGeometryRef(0);
            return {p->getX(), p->getY(), {}};
        }
        return {0.0, 0.0,
                std::string("geometry is a ") + OGRGeometryTypeToName(type) +
                    ", a site must be a point: give its position as a point"};
    }

    /// The position of f in WGS84 lon/lat, or nullopt (skipped) when it has no usable one.
    std::optional<geo::LonLat> lonlat(const OGRFeature& f, const std::string& where) {
        auto raw = m_csv ? csv_position(f) : geometry_position(f);
        if (!raw.problem.empty()) {
            skip(where, raw.problem);
            return std::nullopt;
        }
        double x = raw.x;
        double y = raw.y;
        if (!std::isfinite(x) || !std::isfinite(y)) {
            skip(where, "coordinates are not finite (" + format_number(x) + ", " +
                            format_number(y) + "): give the site a position");
            return std::nullopt;
        }
        check_lonlat(x, y, where);
        if (m_crs.to_wgs84 && m_crs.to_wgs84->Transform(1, &x, &y) == 0) {
            skip(where, "cannot be transformed from " + m_out.report.crs + " to WGS84 (" +
                            format_number(x) + ", " + format_number(y) +
                            "): check its coordinates and the CRS (" + option(m_o, "s-crs") + ")");
            return std::nullopt;
        }
        const geo::LonLat position{x, y};
        if (!geo::is_valid_lonlat(position)) {
            std::string hint =
                ": a latitude lies between -90 and 90 and a longitude between -360 and "
                "360; fix the site's coordinates";
            if (std::abs(y) <= 180.0 && std::abs(x) <= 90.0) {
                hint += " (are longitude and latitude swapped?)";
            }
            skip(where, "coordinates out of range (lon " + format_number(x) + ", lat " +
                            format_number(y) + ")" + hint);
            return std::nullopt;
        }
        return position;
    }

    /// Coordinates far outside the lon/lat range in a geographic layer reveal a projected file.
    void check_lonlat(double x, double y, const std::string& where) const {
        const auto& srs = m_crs.srs;
        if ((!srs || srs->IsGeographic() != 0) && (std::abs(x) > 360.0 || std::abs(y) > 360.0)) {
            throw input_error(m_o.path + ": " + where + " has coordinates (" + format_number(x) +
                              ", " + format_number(y) +
                              ") that are not longitude/latitude although the layer's CRS is " +
                              m_out.report.crs +
                              ". If the file is in a projected CRS, give it with " +
                              option(m_o, "s-crs") + " (e.g. EPSG:2154 for Lambert-93).");
        }
    }

    /// Like a population: a wrong supply would make every figure wrong, so it stops the run
    /// rather than skipping the site (only sites otherwise used are checked).
    [[nodiscard]] double capacity(const OGRFeature& f, const std::string& where) const {
        const int idx = m_f.capacity;
        const std::string text = f.IsFieldSetAndNotNull(idx) ? f.GetFieldAsString(idx) : "";
        const auto v = parse_number(text);
        if (!v || *v < 0) {
            throw input_error(m_o.path + ": " + where + ": " + m_o.capacity_field + " '" + text +
                              "' is not a non-negative number. Give each site its supply "
                              "(0 for none), or leave it out with " +
                              option(m_o, "-filter") + ".");
        }
        return *v;
    }

    const SiteReadOptions& m_o;
    OGRFeatureDefn& m_defn;
    SiteFields m_f;
    bool m_csv;
    const LayerCrs& m_crs;
    SiteSet& m_out;
    std::unordered_map<std::string, std::string> m_seen_ids; ///< id: where first seen
    bool m_recoded = false;
};

[[noreturn]] void no_usable_site(const SiteReadOptions& o, const SiteSet& out,
                                 OGRFeatureDefn& defn) {
    std::string msg = o.path + ": no usable " + o.option_stem;
    if (!o.filter.empty()) {
        msg += " after the filter '" + o.filter + "'";
    }
    msg += " (" + std::to_string(out.report.features) + " read, " +
           std::to_string(out.report.skipped.size()) + " skipped).";
    if (out.report.features == 0) {
        throw input_error(msg + " The filter keeps nothing: check its fields and values (fields: " +
                          field_list(defn) + ").");
    }
    msg += skipped_examples(out.report);
    if (out.report.skipped.size() > 3) {
        msg += "; and " + std::to_string(out.report.skipped.size() - 3) + " more";
    }
    throw input_error(msg +
                      ". Fix these features, or point maillage to the right fields and CRS (" +
                      option(o, "-id") + ", " + option(o, "s-crs") + ").");
}

} // namespace

SiteSet read_sites(const SiteReadOptions& o) {
    const bool csv = is_csv_path(o.path);
    std::vector<std::string> opts;
    if (csv) {
        opts = {"KEEP_GEOM_COLUMNS=YES", "EMPTY_STRING_AS_NULL=NO"};
    }
    std::set<GIntBig> keep;
    const bool csv_filter = csv && !o.filter.empty();
    if (csv_filter) {
        keep = filtered_fids(o, opts);
    }
    SiteSet out;
    const auto in = open_input_layer(o.path, opts, csv, "site", out.report);
    OGRLayer& layer = *in.layer;
    OGRFeatureDefn& defn = *layer.GetLayerDefn();
    if (!csv && !o.filter.empty()) {
        set_filter(o, layer);
    }
    auto fields = attribute_fields(o, defn);
    position_fields(o, layer, csv, fields);
    const auto crs = resolve_crs(layer, o.crs, option(o, "s-crs"), csv);
    out.report.crs = crs.name;
    out.fields = field_names(defn, fields);

    SiteFeatureReader reader(o, defn, fields, csv, crs, out);
    for (auto& f : layer) {
        if (csv_filter && !keep.contains(f->GetFID())) {
            continue;
        }
        if (auto s = reader.read(*f)) {
            out.sites.push_back(std::move(*s));
        }
    }
    out.report.used = out.sites.size();
    out.report.text_recoded = reader.recoded();
    out.layers.push_back({o.path, false, out.report, 0, out.sites.size()});
    if (out.sites.empty()) {
        no_usable_site(o, out, defn);
    }
    return out;
}

SiteSet read_site_layers(const SiteReadOptions& options, const std::vector<SiteLayerSpec>& layers) {
    if (layers.empty()) {
        throw value_error("no layer of " + options.option_stem + "s to read: give " +
                          option(options, "s") + ".");
    }
    SiteSet out;
    std::unordered_map<std::string, std::pair<std::size_t, std::string>> seen; // id: layer, where
    for (std::size_t k = 0; k < layers.size(); ++k) {
        auto o = options;
        o.path = layers[k].path;
        auto one = read_sites(o);
        SiteLayer info{o.path, layers[k].border, one.report, out.sites.size(), one.sites.size()};
        for (auto& s : one.sites) {
            if (auto [it, inserted] = seen.emplace(s.id, std::pair{k, s.where}); !inserted) {
                throw input_error(o.path + ": " + s.where + ": site id '" + s.id +
                                  "' is already used in " + layers[it->second.first].path + ", " +
                                  it->second.second +
                                  ". Ids must be unique across the site layers (" +
                                  option(options, "s") + ", --border-" + options.option_stem +
                                  "s): rename one of them, or name another id field with " +
                                  option(options, "-id") + ".");
            }
            s.layer = static_cast<std::uint32_t>(k);
            out.sites.push_back(std::move(s));
        }
        if (k == 0) {
            out.report = one.report;
            out.fields = one.fields;
        }
        out.layers.push_back(std::move(info));
    }
    return out;
}

} // namespace maillage::io
