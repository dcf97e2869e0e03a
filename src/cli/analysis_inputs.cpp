#include "analysis_inputs.hpp"

#include "maillage/error.hpp"
#include "maillage/io/checksum.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"

#include <omp.h>

#include <geos_c.h>
#include <proj.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <sstream>

namespace maillage::cli {

void add_input_options(po::options_description& group, io::SiteReadOptions& sites,
                       io::ZoneReadOptions& zones, bool& strict) {
    group.add_options()("sites", po::value<std::string>(&sites.path),
                        "sites: any OGR point layer, or a CSV with lon/lat columns")(
        "sites-crs", po::value<std::string>(&sites.crs),
        "CRS of the sites, overriding the layer's (CSV default EPSG:4326)")(
        "site-id", po::value<std::string>(&sites.id_field)->default_value("id"),
        "site id field")("site-name", po::value<std::string>(&sites.name_field),
                         "site name field (default: nom, else name)")(
        "site-type", po::value<std::string>(&sites.type_field),
        "site type field (default: type_service, else type)")(
        "site-filter", po::value<std::string>(&sites.filter),
        "OGR attribute filter on the sites, e.g. \"spro_core = 1\"")(
        "zones", po::value<std::string>(&zones.path),
        "zones: any OGR polygon layer (communes) with a population")(
        "zones-crs", po::value<std::string>(&zones.crs),
        "CRS of the zones, overriding the layer's")(
        "zone-id", po::value<std::string>(&zones.id_field)->default_value("code"), "zone id field")(
        "zone-name", po::value<std::string>(&zones.name_field)->default_value("nom"),
        "zone name field")(
        "population", po::value<std::string>(&zones.population_field)->default_value("population"),
        "population field")("group-by", po::value<std::string>(&zones.group_field),
                            "field grouping zones in the summary (default: departement when "
                            "present; 'none' for no groups)")(
        "strict", po::bool_switch(&strict), "stop on the first skipped or repaired feature");
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

void finish_inputs(const po::variables_map& vm, analysis::Parameters& params,
                   io::SiteReadOptions& sites, io::ZoneReadOptions& zones, bool strict) {
    check_population_grid_options(vm, params.population_grid);
    if (!(params.threshold_km >= 0) || !std::isfinite(params.threshold_km)) {
        throw usage_error("--threshold-km must be a distance in km, 0 or more (got " +
                          fmt(params.threshold_km) + ").");
    }
    // No two points of the ellipsoid are more than 20003.9 km apart: a larger threshold means
    // nothing, and circles that wrap round the Earth make the underserved areas wrong (and, for a
    // huge value, take forever).
    if (params.threshold_km > 20000) {
        throw usage_error("--threshold-km " + fmt(params.threshold_km) +
                          " is more than 20000 km, about the largest distance on Earth; use a "
                          "distance of 20000 km or less.");
    }
    if (!(params.grid_m > 0) || !std::isfinite(params.grid_m)) {
        throw usage_error("--grid-m must be a cell size in metres greater than 0 (got " +
                          fmt(params.grid_m) + ").");
    }
    if (params.grid_m < 10) {
        throw usage_error("--grid-m " + fmt(params.grid_m) +
                          " is below 10 m, finer than any population data; use 10 or more.");
    }
    if (params.threads < 0) {
        throw usage_error("--threads must be 0 (all cores) or more (got " +
                          std::to_string(params.threads) + ").");
    }
    if (sites.path.empty()) {
        sites.path = data_dir() + "/structures-aura-dila-2017.csv";
        // The shipped directory holds context services too; an explicit --site-filter (even an
        // empty one) replaces the SPRO selection.
        if (vm.count("site-filter") == 0U) {
            sites.filter = "spro_core = 1";
        }
    }
    if (zones.path.empty()) {
        zones.path = data_dir() + "/communes-aura-cog2026.geojson";
    }
    sites.strict = strict;
    zones.strict = strict;
}

Inputs read_inputs(const io::SiteReadOptions& sites, const io::ZoneReadOptions& zones, bool quiet,
                   const std::function<void(const io::SiteSet&)>& check_sites) {
    const auto t0 = std::chrono::steady_clock::now();
    Inputs in;
    in.sites = io::read_sites(sites);
    if (check_sites) {
        check_sites(in.sites);
    }
    in.zones = io::read_zones(zones);
    in.placement = analysis::site_placement(*in.zones.ctx, in.sites.sites, in.zones.zones);
    if (in.placement.inside_extent == 0 && !in.placement.swapped.empty()) {
        const auto& s = in.sites.sites[in.placement.swapped.front()];
        throw input_error(
            sites.path + ": none of the " + std::to_string(in.sites.sites.size()) +
            " sites lies within the extent of the zones of " + zones.path + " (" +
            extent_text(in.placement) + "), but " + std::to_string(in.placement.swapped.size()) +
            " would with longitude and latitude swapped, e.g. " + s.where + ": lon " +
            format_number(s.position.lon) + ", lat " + format_number(s.position.lat) +
            ". The longitude and latitude of the sites (or of the zones) look swapped: "
            "exchange the two columns' names or values, or give the right CRS.");
    }
    in.read_s = seconds_since(t0);
    for (const auto* rep : {&in.sites.report, &in.zones.report}) {
        if (rep->text_recoded) {
            warn(rep->path + ": text is not UTF-8; read as Windows-1252. Save the file as UTF-8 "
                             "to be sure of the accents.",
                 quiet);
        }
        for (const auto& n : rep->skipped) {
            warn(rep->path + ": " + n.where + ": skipped: " + n.reason, quiet);
        }
    }
    if (!quiet) {
        log("read " + std::to_string(in.sites.sites.size()) + " sites from " + sites.path +
            (sites.filter.empty() ? "" : " (filter: " + sites.filter + ")") + ", " +
            std::to_string(in.zones.zones.size()) + " zones from " + zones.path +
            (in.zones.report.repaired.empty()
                 ? ""
                 : " (" + std::to_string(in.zones.report.repaired.size()) +
                       " invalid polygons repaired, e.g. " +
                       in.zones.report.repaired.front().where + "; see summary.json)"));
    }
    return in;
}

void note_population_grid(const analysis::Parameters& params, const analysis::AnalysisResult& r,
                          nlohmann::ordered_json& parameters, bool quiet) {
    const auto& pg = params.population_grid;
    if (pg.path.empty()) {
        return;
    }
    parameters["population_grid"] = pg.path;
    parameters["population_grid_field"] = pg.field;
    parameters["population_grid_crs"] = pg.crs;
    if (r.population_grid && !quiet) {
        const auto& g = *r.population_grid;
        std::ostringstream o;
        o << std::fixed << std::setprecision(0) << "population grid " << g.path << " (" << g.kind
          << ", " << g.crs << "): " << g.cells_read << " cells read, population "
          << g.population_read << ", of which " << g.population_in_study_area
          << " in the zones and " << g.population_outside_zones + g.population_beyond_extent
          << " outside the study area";
        log(o.str());
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
    r["threads"] = omp_get_max_threads();
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

void warn(const std::string& message, bool quiet) {
    if (!quiet) {
        log("warning: " + message);
    }
}

std::string fmt(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

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
