#include "analysis_options.hpp"

#include "maillage/error.hpp"
#include "maillage/io/checksum.hpp"
#include "maillage/io/postgis.hpp"

#include <gdal.h>
#include <geos_c.h>
#include <omp.h>
#include <proj.h>

#include <array>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace maillage::cli {

po::options_description analysis_input_options(io::SiteReadOptions& sites,
                                               io::ZoneReadOptions& zones, bool& strict) {
    po::options_description in("Inputs", help_width);
    in.add_options()("sites", po::value<std::string>(&sites.path),
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
    return in;
}

po::options_description analysis_computation_options(analysis::Parameters& params) {
    po::options_description calc("Computation", help_width);
    calc.add_options()("threshold-km", po::value<double>(&params.threshold_km)->default_value(20.0),
                       "distance beyond which a place is underserved (km)")(
        "grid-m", po::value<double>(&params.grid_m)->default_value(200.0),
        "population grid cell size (m, equal-area)");
    return calc;
}

void finish_analysis_options(const po::variables_map& vm, io::SiteReadOptions& sites,
                             io::ZoneReadOptions& zones, const analysis::Parameters& params,
                             bool strict) {
    if (!(params.threshold_km >= 0) || !std::isfinite(params.threshold_km)) {
        throw usage_error("--threshold-km must be a distance in km, 0 or more (got " +
                          format_value(params.threshold_km) + ").");
    }
    if (!(params.grid_m > 0) || !std::isfinite(params.grid_m)) {
        throw usage_error("--grid-m must be a cell size in metres greater than 0 (got " +
                          format_value(params.grid_m) + ").");
    }
    if (params.grid_m < 10) {
        throw usage_error("--grid-m " + format_value(params.grid_m) +
                          " is below 10 m, finer than any population data; use 10 or more.");
    }
    if (params.threads < 0) {
        throw usage_error("--threads must be 0 (all cores) or more.");
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

void log_inputs(const io::SiteReadOptions& site_options, const io::ZoneReadOptions& zone_options,
                const io::SiteSet& sites, const io::ZoneSet& zones, bool quiet) {
    if (quiet) {
        return;
    }
    for (const auto* rep : {&sites.report, &zones.report}) {
        if (rep->text_recoded) {
            log("warning: " + rep->path +
                ": text is not UTF-8; read as Windows-1252. Save the file as UTF-8 to be sure of "
                "the accents.");
        }
        for (const auto& n : rep->skipped) {
            log("warning: " + rep->path + ": " + n.where + ": skipped: " + n.reason);
        }
    }
    log("read " + std::to_string(sites.sites.size()) + " sites from " + site_options.path +
        (site_options.filter.empty() ? "" : " (filter: " + site_options.filter + ")") + ", " +
        std::to_string(zones.zones.size()) + " zones from " + zone_options.path +
        (zones.report.repaired.empty() ? ""
                                       : " (" + std::to_string(zones.report.repaired.size()) +
                                             " invalid polygons repaired)"));
}

void write_run_record(io::StagedOutput& out, const std::string& command,
                      const std::vector<std::string>& args, const std::string& started_utc,
                      const nlohmann::ordered_json& parameters, const model::ReadReport& sites,
                      const model::ReadReport& zones, const nlohmann::ordered_json& timings) {
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
    r["command"] = command;
    // A PostGIS connection string may hold a password: never written down.
    auto arr = nlohmann::ordered_json::array();
    for (const auto& a : args) {
        arr.push_back(io::redact_connection(a));
    }
    r["arguments"] = arr;
    r["started_utc"] = started_utc;
    r["parameters"] = parameters;
    r["threads"] = omp_get_max_threads();
    r["libraries"] = {{"gdal", GDALVersionInfo("RELEASE_NAME")},
                      {"geos", GEOSversion()},
                      {"proj", proj_info().release}};
    r["inputs"] = {{"sites", files(sites)}, {"zones", files(zones)}};
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
    r["timings_s"] = timings;
    const auto path = out.path("run.json");
    std::ofstream f(path);
    f << r.dump(2) << '\n';
    f.close();
    if (!f) {
        throw runtime_failure(path.string() + ": cannot write (is the disk full?)");
    }
}

std::string format_value(double v) {
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
