#include "analysis_inputs.hpp"
#include "option_groups.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/io/checksum.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/population_grid_reader.hpp"
#include "maillage/io/postgis.hpp"

#include <geos_c.h>
#include <proj.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace maillage::cli {

std::vector<io::SiteLayerSpec> SiteInputs::layers() const {
    std::vector<io::SiteLayerSpec> out;
    for (const auto& p : paths) {
        out.push_back({p, false});
    }
    for (const auto& p : border_paths) {
        out.push_back({p, true});
    }
    return out;
}

std::string SiteInputs::paths_text() const {
    std::string out;
    for (const auto& p : paths) {
        out += (out.empty() ? "" : ", ") + p;
    }
    return out;
}

void add_site_options(po::options_description& group, SiteInputs& sites, bool with_type) {
    group.add_options()("sites", po::value<std::vector<std::string>>(&sites.paths)->composing(),
                        "sites: any OGR point layer, or a CSV with lon/lat columns; repeatable "
                        "(the layers are joined; ids unique across them)")(
        "border-sites", po::value<std::vector<std::string>>(&sites.border_paths)->composing(),
        "sites across the edge of the study area, which serve the people near it (read like "
        "--sites; repeatable). Default with the shipped sites: the shipped neighbouring "
        "departments' sites")("no-border-sites", po::bool_switch(&sites.no_border_sites),
                              "no border sites, not even the shipped ones");
    add_site_field_options(group, sites.options, with_type);
}

void add_site_field_options(po::options_description& group, io::SiteReadOptions& options,
                            bool with_type) {
    group.add_options()("sites-crs", po::value<std::string>(&options.crs),
                        "CRS of the sites, overriding the layer's (CSV default EPSG:4326)")(
        "site-id", po::value<std::string>(&options.id_field)->default_value("id"),
        "site id field")("site-name", po::value<std::string>(&options.name_field),
                         "site name field (default: nom, else name)");
    if (with_type) {
        group.add_options()("site-type", po::value<std::string>(&options.type_field),
                            "site type field (default: type_service, else type)");
    }
    group.add_options()("site-filter", po::value<std::string>(&options.filter),
                        "OGR attribute filter on the sites (every layer), e.g. \"spro_core = 1\"");
    add_coordinate_options(group, options, "", "sites");
}

void add_coordinate_options(po::options_description& group, io::SiteReadOptions& options,
                            const std::string& prefix, const std::string& what) {
    group.add_options()((prefix + "lon-field").c_str(), po::value<std::string>(&options.lon_field),
                        ("longitude (or x) column of a CSV of " + what +
                         " (default: lon, longitude, lng, long or x)")
                            .c_str())(
        (prefix + "lat-field").c_str(), po::value<std::string>(&options.lat_field),
        ("latitude (or y) column of a CSV of " + what + " (default: lat, latitude or y)").c_str());
}

void add_input_options(po::options_description& group, SiteInputs& sites,
                       io::ZoneReadOptions& zones, bool& strict) {
    add_site_options(group, sites);
    group.add_options()("zones", po::value<std::string>(&zones.path),
                        "zones: any OGR polygon layer (communes) with a population");
    add_zone_field_options(group, zones);
    group.add_options()("strict", po::bool_switch(&strict),
                        "stop on the first skipped or repaired feature");
}

void add_zone_field_options(po::options_description& group, io::ZoneReadOptions& zones) {
    group.add_options()("zones-crs", po::value<std::string>(&zones.crs),
                        "CRS of the zones, overriding the layer's")(
        "zone-id", po::value<std::string>(&zones.id_field)->default_value("code"), "zone id field")(
        "zone-name", po::value<std::string>(&zones.name_field)->default_value("nom"),
        "zone name field")(
        "population", po::value<std::string>(&zones.population_field)->default_value("population"),
        "population field")("group-by", po::value<std::string>(&zones.group_field),
                            "field grouping zones in the summary (default: the first of "
                            "departement, INSEE_DEP, code_dep, dep present; 'none' for no "
                            "groups)");
}

void check_site_layers(const po::variables_map& vm, const SiteInputs& sites) {
    if (sites.no_border_sites && vm.count("border-sites") != 0U) {
        throw usage_error("--border-sites and --no-border-sites contradict each other: give one "
                          "of them.");
    }
    for (const auto* list : {&sites.paths, &sites.border_paths}) {
        for (const auto& p : *list) {
            if (p.empty()) {
                throw usage_error(std::string(list == &sites.paths ? "--sites" : "--border-sites") +
                                  " is empty: give the path of a layer of sites.");
            }
        }
    }
}

void warn_read_report(const model::ReadReport& rep, const Logger& log) {
    if (rep.text_recoded) {
        log.warn(rep.path + ": text is not UTF-8; read as Windows-1252. Save the file as UTF-8 to "
                            "be sure of the accents.");
    }
    for (const auto& n : rep.skipped) {
        log.warn(rep.path + ": " + n.where + ": skipped: " + n.reason);
    }
}

std::string no_group_field_text(const io::ZoneReadOptions& options, const io::ZoneSet& zones) {
    if (!options.group_field.empty() || !zones.group_field.empty()) {
        return {};
    }
    std::string looked;
    const auto& names = io::group_field_names();
    for (std::size_t i = 0; i < names.size(); ++i) {
        looked += (i == 0 ? "" : (i + 1 == names.size() ? " or " : ", ")) + names[i];
    }
    std::string fields;
    for (const auto& f : zones.layer_fields) {
        fields += (fields.empty() ? "" : ", ") + f;
    }
    return options.path + ": no field groups the zones (looked for " + looked +
           "; the fields are: " + fields +
           "), so the figures by department (by_group) will be missing. Name the field with "
           "--group-by, or give --group-by none to do without groups.";
}

void warn_no_group_field(const io::ZoneReadOptions& options, const io::ZoneSet& zones,
                         const Logger& log) {
    if (const auto text = no_group_field_text(options, zones); !text.empty()) {
        log.warn(text);
    }
}

io::SiteSet read_site_inputs(const SiteInputs& sites, const Logger& log) {
    auto set = io::read_site_layers(sites.options, sites.layers());
    for (const auto& layer : set.layers) {
        warn_read_report(layer.report, log);
    }
    return set;
}

void add_analysis_options(po::options_description& group, analysis::Parameters& params,
                          bool extras) {
    group.add_options()("threshold-km",
                        po::value<double>(&params.threshold_km)->default_value(20.0),
                        "distance beyond which a place is underserved (km)")(
        "grid-m", po::value<double>(&params.grid_m)->default_value(200.0),
        "population grid cell size (m, equal-area)");
    if (!extras) {
        return;
    }
    group.add_options()(
        "by-type", po::bool_switch(&params.by_type),
        "also the distance to the nearest site of each type (columns nearest_km_TYPE, "
        "mean_km_TYPE; a raster per type)")(
        "catchments", po::bool_switch(&params.catchments),
        "also the catchment of each site (the area nearer to it than to any other)");
}

namespace {

/// The warning about one site of --sites outside every zone: where it is, and what to check.
std::string stray_site_message(const io::SiteSet& set, const analysis::SitePlacement& placement,
                               std::size_t i, bool swapped) {
    const auto& s = set.sites[i];
    std::string m = set.layers[s.layer].path + ": " + s.where + ": lon " +
                    format_number(s.position.lon) + ", lat " + format_number(s.position.lat) +
                    " lies outside every zone";
    if (swapped) {
        return m + " and outside their extent (" + extent_text(placement) +
               "), but inside it with longitude and latitude swapped: check this site's "
               "coordinates.";
    }
    if (placement.checked && !placement.inside(s.position)) {
        return m + " and outside their extent (" + extent_text(placement) +
               "): check its position if it should be in the study area, or give its file "
               "with --border-sites if it is a site across the edge.";
    }
    return m + ".";
}

/// The sites of --sites (not border sites) outside every zone: the first few named, then counted.
void warn_stray_sites(const Inputs& in, const analysis::AnalysisResult& r, const Logger& log) {
    const auto& set = in.sites;
    constexpr std::size_t shown = 5;
    const auto& swapped_list = in.placement.swapped;
    std::size_t stray = 0;
    std::size_t stray_swapped = 0;
    for (std::size_t i = 0; i < set.sites.size(); ++i) {
        if (set.layers[set.sites[i].layer].border || r.sites[i].zone >= 0) {
            continue;
        }
        const bool swapped =
            std::find(swapped_list.begin(), swapped_list.end(), i) != swapped_list.end();
        stray_swapped += swapped ? 1 : 0;
        if (stray++ < shown) {
            log.warn(stray_site_message(set, in.placement, i, swapped));
        }
    }
    if (stray > 0) {
        std::string m = std::to_string(stray) +
                        " site(s) of --sites lie outside every zone; they serve the zones nearby "
                        "all the same";
        if (stray_swapped > 0) {
            m += " (" + std::to_string(stray_swapped) + " of them look swapped)";
        }
        log.warn(m + ". Sites across the edge of the study area belong in --border-sites. See "
                     "site_layers in summary.json.");
    }
}

/// Per file of border sites: how many lie outside the study area, and a warning for those inside.
void note_border_layers(const Inputs& in, const analysis::AnalysisResult& r, const Logger& log) {
    const auto& set = in.sites;
    for (const auto& layer : set.layers) {
        if (!layer.border) {
            continue;
        }
        std::size_t inside = 0;
        std::string example;
        for (std::size_t i = layer.first; i < layer.first + layer.count; ++i) {
            if (r.sites[i].zone >= 0 && inside++ == 0) {
                example = set.sites[i].where;
            }
        }
        log.info(layer.path + ": " + std::to_string(layer.count) + " border site(s), " +
                 std::to_string(layer.count - inside) + " outside the study area");
        if (inside > 0) {
            log.warn(layer.path + ": " + std::to_string(inside) + " of the " +
                     std::to_string(layer.count) +
                     " border sites lie inside the study area, e.g. " + example +
                     "; they count as sites of the study area (in_study_area true). Check that "
                     "the file holds only sites across the edge.");
        }
    }
}

} // namespace

void warn_site_placement(const Inputs& in, const analysis::AnalysisResult& r, const Logger& log) {
    if (log.quiet()) {
        return;
    }
    warn_stray_sites(in, r, log);
    note_border_layers(in, r, log);
}

Inputs read_inputs(const SiteInputs& sites, const io::ZoneReadOptions& zones, const Logger& log,
                   const std::function<void(const io::SiteSet&)>& check_sites) {
    const auto t0 = std::chrono::steady_clock::now();
    Inputs in;
    in.sites = read_site_inputs(sites, log);
    if (check_sites) {
        check_sites(in.sites);
    }
    in.zones = io::read_zones(zones);
    in.placement = analysis::site_placement(*in.zones.ctx, in.sites.sites, in.zones.zones);
    if (in.placement.inside_extent == 0 && !in.placement.swapped.empty()) {
        const auto& s = in.sites.sites[in.placement.swapped.front()];
        throw input_error(
            in.sites.layers[s.layer].path + ": none of the " +
            std::to_string(in.sites.sites.size()) +
            " sites lies within the extent of the zones of " + zones.path + " (" +
            extent_text(in.placement) + "), but " + std::to_string(in.placement.swapped.size()) +
            " would with longitude and latitude swapped, e.g. " + s.where + ": lon " +
            format_number(s.position.lon) + ", lat " + format_number(s.position.lat) +
            ". The longitude and latitude of the sites (or of the zones) look swapped: "
            "exchange the two columns' names or values, or give the right CRS.");
    }
    in.read_s = seconds_since(t0);
    warn_read_report(in.zones.report, log);
    warn_no_group_field(zones, in.zones, log);
    if (!log.quiet()) {
        std::size_t border = 0;
        for (const auto& l : in.sites.layers) {
            border += l.border ? l.count : 0;
        }
        log.info("read " + std::to_string(in.sites.sites.size() - border) + " sites from " +
                 sites.paths_text() +
                 (border > 0 ? " and " + std::to_string(border) + " border sites from " +
                                   [&] {
                                       std::string t;
                                       for (const auto& p : sites.border_paths) {
                                           t += (t.empty() ? "" : ", ") + p;
                                       }
                                       return t;
                                   }()
                             : std::string()) +
                 (sites.options.filter.empty() ? "" : " (filter: " + sites.options.filter + ")") +
                 ", " + std::to_string(in.zones.zones.size()) + " zones from " + zones.path +
                 (in.zones.report.repaired.empty()
                      ? ""
                      : " (" + std::to_string(in.zones.report.repaired.size()) +
                            " invalid polygons repaired, e.g. " +
                            in.zones.report.repaired.front().where + "; see summary.json)"));
    }
    return in;
}

std::vector<std::pair<std::string, const model::ReadReport*>>
site_input_records(const io::SiteSet& sites) {
    std::vector<std::pair<std::string, const model::ReadReport*>> out;
    std::size_t main = 0;
    std::size_t border = 0;
    for (const auto& l : sites.layers) {
        const std::size_t n = l.border ? ++border : ++main;
        const std::string stem = l.border ? "border_sites" : "sites";
        out.emplace_back(n == 1 ? stem : stem + "_" + std::to_string(n), &l.report);
    }
    return out;
}

void note_site_parameters(const SiteInputs& sites, nlohmann::ordered_json& parameters) {
    parameters["sites"] = sites.paths_text();
    parameters["border_sites"] = sites.border_paths;
    parameters["site_filter"] = sites.options.filter;
}

void note_population_grid(const analysis::Parameters& params, const analysis::AnalysisResult& r,
                          nlohmann::ordered_json& parameters, const Logger& log) {
    const auto& pg = params.population_grid;
    if (pg.path.empty()) {
        return;
    }
    parameters["population_grid"] = pg.path;
    parameters["population_grid_field"] = pg.field;
    parameters["population_grid_crs"] = pg.crs;
    if (r.population_grid && !log.quiet()) {
        const auto& g = *r.population_grid;
        std::ostringstream o;
        o << std::fixed << std::setprecision(0) << "population grid " << g.path << " (" << g.kind
          << ", " << g.crs << "): " << g.cells_read << " cells read, population "
          << g.population_read << ", of which " << g.population_in_study_area
          << " in the zones and " << g.population_outside_zones + g.population_beyond_extent
          << " outside the study area";
        log.info(o.str());
    }
}

model::ReadReport population_grid_files(const analysis::AnalysisResult& r) {
    model::ReadReport rep;
    if (r.population_grid) {
        rep.path = r.population_grid->path;
        rep.files = r.population_grid->files;
    }
    return rep;
}

std::string extent_text(const analysis::SitePlacement& p) {
    return "lon " + format_number(p.min_lon) + " to " + format_number(p.max_lon) + ", lat " +
           format_number(p.min_lat) + " to " + format_number(p.max_lat);
}

void write_run_record(io::StagedOutput& out, const RunRecord& record) {
    auto files = [](const model::ReadReport& rep) {
        auto arr = nlohmann::ordered_json::array();
        for (const auto& f : rep.files) {
            std::error_code ec;
            const auto bytes = std::filesystem::file_size(f, ec);
            arr.push_back({{"path", f},
                           {"bytes", ec ? 0 : bytes},
                           {"sha256", ec ? std::string() : io::sha256_file(f)}});
        }
        return arr;
    };
    nlohmann::ordered_json r;
    r["maillage"] = MAILLAGE_VERSION;
    r["command"] = record.command;
    // A PostGIS connection string may hold a password: never written down.
    auto args = nlohmann::ordered_json::array();
    for (const auto& a : record.args) {
        args.push_back(io::redact_connection(a));
    }
    r["arguments"] = args;
    r["started_utc"] = record.started_utc;
    r["parameters"] = record.parameters;
    r["threads"] = core::max_threads();
    r["libraries"] = {{"gdal", GDALVersionInfo("RELEASE_NAME")},
                      {"geos", GEOSversion()},
                      {"proj", proj_info().release}};
    auto inputs = nlohmann::ordered_json::object();
    for (const auto& [name, rep] : record.inputs) {
        inputs[name] = files(*rep);
    }
    r["inputs"] = inputs;
    auto outputs = nlohmann::ordered_json::array();
    for (const auto& name : out.names()) {
        const auto path = out.path(name);
        if (std::filesystem::exists(path)) {
            outputs.push_back({{"name", name},
                               {"bytes", std::filesystem::file_size(path)},
                               {"sha256", io::sha256_file(path.string())}});
        }
    }
    r["outputs"] = outputs;
    auto timings = nlohmann::ordered_json::object();
    for (const auto& [phase, s] : record.timings_s) {
        timings[phase] = s;
    }
    r["timings_s"] = record.timings_nested.is_null() ? timings : record.timings_nested;
    io::redact_connections(r); // inputs read from PostGIS: no password in the record
    const auto path = out.path(record.file_name);
    std::ofstream f(path);
    errno = 0;
    f << r.dump(2) << '\n';
    f.close();
    if (!f) {
        throw runtime_failure(path.string() +
                              ": cannot write: " + io::write_failure_reason(path, errno));
    }
}

std::string fmt(double v) { return core::format_number(v, 6); }

std::string utc_now() {
    const std::time_t now = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::array<char, 32> buf{};
    std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf.data();
}

double seconds_since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

} // namespace maillage::cli
