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

namespace {

std::string pick_field(OGRFeatureDefn& defn, const std::string& requested,
                       const std::vector<std::string>& defaults) {
    if (!requested.empty()) {
        return requested;
    }
    return first_present(defn, defaults);
}

void require_field(OGRFeatureDefn& defn, const std::string& path, const std::string& field,
                   const std::string& option) {
    if (find_field(defn, field) < 0) {
        throw input_error(path + ": no field '" + field + "' (fields: " + field_list(defn) +
                          "). Name the right one with " + option + ".");
    }
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

std::set<GIntBig> filtered_fids(const SiteReadOptions& o, const std::vector<std::string>& opts) {
    // The CSV driver reads every column as text unless asked to guess types; a filter such as
    // `spro_core = 1` needs the guess, but the guess turns ids like 01053 into 1053. So the
    // filter runs on a typed view and the values are read from the text view.
    auto typed_opts = opts;
    typed_opts.emplace_back("AUTODETECT_TYPE=YES");
    auto ds = open_vector(o.path, typed_opts);
    OGRLayer* layer = first_layer(*ds, o.path);
    if (layer->SetAttributeFilter(o.filter.c_str()) != OGRERR_NONE) {
        throw usage_error("--" + o.option_stem + "-filter '" + o.filter +
                          "' is not a valid filter on " + o.path + ": " + gdal_last_error() +
                          " (fields: " + field_list(*layer->GetLayerDefn()) +
                          "). Write an OGR SQL condition on these fields, e.g. \"active = 1\".");
    }
    std::set<GIntBig> fids;
    for (auto& f : *layer) {
        fids.insert(f->GetFID());
    }
    return fids;
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
    auto ds = open_vector(o.path, opts);
    OGRLayer* layer = first_layer(*ds, o.path);
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    require_features(*layer, o.path, csv, "site");
    if (csv && o.path.rfind("/vsi", 0) != 0) {
        check_csv_field_counts(o.path);
    }

    SiteSet out;
    out.report.path = o.path;
    out.report.driver = ds->GetDriver() != nullptr ? ds->GetDriver()->GetDescription() : "";
    out.report.files = dataset_files(*ds, o.path);
    out.report.layer = layer->GetName();

    if (!csv && !o.filter.empty() && layer->SetAttributeFilter(o.filter.c_str()) != OGRERR_NONE) {
        throw usage_error("--" + o.option_stem + "-filter '" + o.filter +
                          "' is not a valid filter on " + o.path + ": " + gdal_last_error() +
                          " (fields: " + field_list(defn) +
                          "). Write an OGR SQL condition on these fields, e.g. \"active = 1\".");
    }

    const std::string opt = "--" + o.option_stem;
    const bool numbered = o.number_without_id && find_field(defn, o.id_field) < 0;
    if (!numbered) {
        require_field(defn, o.path, o.id_field, opt + "-id");
    }
    const int id_idx = numbered ? -1 : find_field(defn, o.id_field);
    const std::string name_field = pick_field(defn, o.name_field, {"nom", "name"});
    const std::string type_field = pick_field(defn, o.type_field, {"type_service", "type"});
    if (!o.name_field.empty()) {
        require_field(defn, o.path, o.name_field, opt + "-name");
    }
    if (!o.type_field.empty()) {
        require_field(defn, o.path, o.type_field, opt + "-type");
    }
    const int name_idx = name_field.empty() ? -1 : find_field(defn, name_field);
    const int type_idx = type_field.empty() ? -1 : find_field(defn, type_field);
    if (!o.capacity_field.empty()) {
        require_field(defn, o.path, o.capacity_field, "--capacity");
    }
    const int capacity_idx = o.capacity_field.empty() ? -1 : find_field(defn, o.capacity_field);

    int lon_idx = -1;
    int lat_idx = -1;
    if (csv) {
        const auto lon_name = first_present(defn, lon_column_names());
        const auto lat_name = first_present(defn, lat_column_names());
        if (lon_name.empty() || lat_name.empty()) {
            throw input_error(o.path + ": no longitude/latitude columns (looked for " +
                              lonlat_names_text() + "; columns are: " + field_list(defn) + ")." +
                              separator_hint(defn) +
                              " Name the coordinate columns lon and lat (decimal degrees), or x "
                              "and y with --sites-crs for projected coordinates.");
        }
        lon_idx = find_field(defn, lon_name);
        lat_idx = find_field(defn, lat_name);
    } else if (wkbFlatten(layer->GetGeomType()) == wkbNone) {
        throw input_error(o.path + ": the layer '" + layer->GetName() +
                          "' has no geometry; sites must be points.");
    }

    const auto crs = resolve_crs(*layer, o.crs, opt + "s-crs", csv);
    const auto& srs = crs.srs;
    const auto& ct = crs.to_wgs84;
    out.report.crs = crs.name;
    auto skip = [&](const std::string& where, const std::string& reason) {
        skip_feature(out.report, o.strict, where, reason);
    };

    std::unordered_map<std::string, std::string> seen_ids;
    bool recoded = false;
    for (auto& f : *layer) {
        const GIntBig fid = f->GetFID();
        if (csv_filter && !keep.contains(fid)) {
            continue;
        }
        ++out.report.features;
        std::string where = feature_where(csv, fid);
        model::Site s;
        if (numbered) {
            s.id = std::to_string(out.report.features);
        } else {
            s.id = f->IsFieldSetAndNotNull(id_idx) ? text_field(*f, id_idx, recoded) : "";
        }
        if (s.id.empty()) {
            skip(where, "empty " + o.id_field + ": give the site an id");
            continue;
        }
        where += " (" + o.id_field + " " + s.id + ")";
        s.name = name_idx >= 0 ? text_field(*f, name_idx, recoded) : "";
        s.type = type_idx >= 0 ? text_field(*f, type_idx, recoded) : "";

        double x = 0.0;
        double y = 0.0;
        if (csv) {
            const std::string lon_text = f->GetFieldAsString(lon_idx);
            const std::string lat_text = f->GetFieldAsString(lat_idx);
            const auto lon = parse_number(lon_text);
            const auto lat = parse_number(lat_text);
            if (!lon || !lat) {
                std::string hint;
                if (lon_text.empty() && lat_text.empty()) {
                    hint = ": give the site its longitude and latitude, or remove the line";
                } else {
                    hint = ": write them as decimal degrees, e.g. 5.065 and 45.045";
                }
                skip(where, "no usable coordinates (" +
                                std::string(defn.GetFieldDefn(lon_idx)->GetNameRef()) + " '" +
                                lon_text + "', " + defn.GetFieldDefn(lat_idx)->GetNameRef() + " '" +
                                lat_text + "')" + hint);
                continue;
            }
            x = *lon;
            y = *lat;
        } else {
            const OGRGeometry* g = f->GetGeometryRef();
            if (g == nullptr || g->IsEmpty() != 0) {
                skip(where, "no geometry: give the site its point, or remove it");
                continue;
            }
            const auto type = wkbFlatten(g->getGeometryType());
            if (type == wkbPoint) {
                x = g->toPoint()->getX();
                y = g->toPoint()->getY();
            } else if (type == wkbMultiPoint && g->toMultiPoint()->getNumGeometries() == 1) {
                x = g->toMultiPoint()->getGeometryRef(0)->getX();
                y = g->toMultiPoint()->getGeometryRef(0)->getY();
            } else {
                skip(where, std::string("geometry is a ") + OGRGeometryTypeToName(type) +
                                ", a site must be a point: give its position as a point");
                continue;
            }
        }
        if (!std::isfinite(x) || !std::isfinite(y)) {
            skip(where, "coordinates are not finite (" + format_number(x) + ", " +
                            format_number(y) + "): give the site a position");
            continue;
        }
        if ((!srs || srs->IsGeographic() != 0) && (std::abs(x) > 360.0 || std::abs(y) > 360.0)) {
            throw input_error(o.path + ": " + where + " has coordinates (" + format_number(x) +
                              ", " + format_number(y) +
                              ") that are not longitude/latitude although the layer's CRS is " +
                              out.report.crs +
                              ". If the file is in a projected CRS, give it with " + opt +
                              "s-crs (e.g. EPSG:2154 for Lambert-93).");
        }
        if (ct && ct->Transform(1, &x, &y) == 0) {
            skip(where, "cannot be transformed from " + out.report.crs + " to WGS84 (" +
                            format_number(x) + ", " + format_number(y) +
                            "): check its coordinates and the CRS (--sites-crs)");
            continue;
        }
        s.position = {x, y};
        if (!geo::is_valid_lonlat(s.position)) {
            std::string hint =
                ": a latitude lies between -90 and 90 and a longitude between -360 and "
                "360; fix the site's coordinates";
            if (std::abs(y) <= 180.0 && std::abs(x) <= 90.0) {
                hint += " (are longitude and latitude swapped?)";
            }
            skip(where, "coordinates out of range (lon " + format_number(x) + ", lat " +
                            format_number(y) + ")" + hint);
            continue;
        }
        if (auto [it, inserted] = seen_ids.emplace(s.id, where); !inserted) {
            skip(where, "duplicate id '" + s.id + "', first seen at " + it->second +
                            "; only the first is used: give each site its own id");
            continue;
        }
        if (capacity_idx >= 0) {
            // Like a population: a wrong supply would make every figure wrong, so it stops the
            // run rather than skipping the site (only sites otherwise used are checked).
            const std::string text =
                f->IsFieldSetAndNotNull(capacity_idx) ? f->GetFieldAsString(capacity_idx) : "";
            const auto v = parse_number(text);
            if (!v || *v < 0) {
                throw input_error(o.path + ": " + where + ": " + o.capacity_field + " '" + text +
                                  "' is not a non-negative number. Give each site its supply "
                                  "(0 for none), or leave it out with --site-filter.");
            }
            s.capacity = *v;
        }
        s.where = where;
        out.sites.push_back(std::move(s));
    }
    out.report.used = out.sites.size();
    out.report.text_recoded = recoded;
    out.layers.push_back({o.path, false, out.report, 0, out.sites.size()});
    if (out.sites.empty()) {
        std::string msg = o.path + ": no usable " + o.option_stem;
        if (!o.filter.empty()) {
            msg += " after the filter '" + o.filter + "'";
        }
        msg += " (" + std::to_string(out.report.features) + " read, " +
               std::to_string(out.report.skipped.size()) + " skipped).";
        if (out.report.features == 0) {
            msg += " The filter keeps nothing: check its fields and values (fields: " +
                   field_list(defn) + ").";
        } else {
            const std::size_t shown = std::min<std::size_t>(3, out.report.skipped.size());
            for (std::size_t i = 0; i < shown; ++i) {
                msg += (i == 0 ? " Skipped: " : "; ") + out.report.skipped[i].where + ": " +
                       out.report.skipped[i].reason;
            }
            if (out.report.skipped.size() > shown) {
                msg += "; and " + std::to_string(out.report.skipped.size() - shown) + " more";
            }
            msg += ". Fix these features, or point maillage to the right fields and CRS (--" +
                   o.option_stem + "-id, --" + o.option_stem + "s-crs).";
        }
        throw input_error(msg);
    }
    return out;
}

SiteSet read_site_layers(const SiteReadOptions& options, const std::vector<SiteLayerSpec>& layers) {
    if (layers.empty()) {
        throw usage_error("no layer of sites to read: give --sites.");
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
                                  ". Ids must be unique across the site layers (--sites, "
                                  "--border-sites): rename one of them, or name another id "
                                  "field with --" +
                                  options.option_stem + "-id.");
            }
            s.layer = static_cast<std::uint32_t>(k);
            out.sites.push_back(std::move(s));
        }
        if (k == 0) {
            out.report = one.report;
        }
        out.layers.push_back(std::move(info));
    }
    return out;
}

} // namespace maillage::io
