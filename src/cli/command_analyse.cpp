#include "command.hpp"
#include "commands.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/outputs.hpp"
#include "maillage/error.hpp"
#include "maillage/io/checksum.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <omp.h>

#include <geos_c.h>
#include <proj.h>

#include <array>
#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <unistd.h>

namespace maillage::cli {
namespace {

class CommandAnalyse : public Command {
public:
    [[nodiscard]] const char* name() const override { return "analyse"; }
    [[nodiscard]] const char* synopsis() const override {
        return "distance from every inhabitant to the nearest site; underserved zones; layers";
    }

    CommandAnalyse() { build(); }

    void setup(const std::vector<std::string>& args) override {
        m_args = args;
        m_vm = parse(args, m_all, nullptr, {"sites", "zones", "out"});
        if (m_vm.count("help") != 0U) {
            m_help = true;
            return;
        }
        if (!(m_params.threshold_km >= 0) || !std::isfinite(m_params.threshold_km)) {
            throw usage_error("--threshold-km must be a distance in km, 0 or more (got " +
                              fmt(m_params.threshold_km) + ").");
        }
        // No two points of the ellipsoid are more than 20003.9 km apart: a larger threshold
        // means nothing, and circles that wrap round the Earth make the underserved areas wrong
        // (and, for a huge value, take forever).
        if (m_params.threshold_km > 20000) {
            throw usage_error("--threshold-km " + fmt(m_params.threshold_km) +
                              " is more than 20000 km, about the largest distance on Earth; use "
                              "a distance of 20000 km or less.");
        }
        if (!(m_params.grid_m > 0) || !std::isfinite(m_params.grid_m)) {
            throw usage_error("--grid-m must be a cell size in metres greater than 0 (got " +
                              fmt(m_params.grid_m) + ").");
        }
        if (m_params.grid_m < 10) {
            throw usage_error("--grid-m " + fmt(m_params.grid_m) +
                              " is below 10 m, finer than any population data; use 10 or more.");
        }
        if (m_format != "geojson" && m_format != "gpkg") {
            throw usage_error("--format must be geojson or gpkg (got '" + m_format + "').");
        }
        set_log_format(m_log_format);
        if (m_params.threads < 0) {
            throw usage_error("--threads must be 0 (all cores) or more.");
        }
        const bool default_sites = m_sites.path.empty();
        if (default_sites) {
            m_sites.path = data_dir() + "/structures-aura-dila-2017.csv";
            // The shipped directory holds context services too; an explicit --site-filter
            // (even an empty one) replaces the SPRO selection.
            if (m_vm.count("site-filter") == 0U) {
                m_sites.filter = "spro_core = 1";
            }
        }
        if (m_zones.path.empty()) {
            m_zones.path = data_dir() + "/communes-aura-cog2026.geojson";
        }
        m_sites.strict = m_strict;
        m_zones.strict = m_strict;
    }

    int run() override {
        if (m_help) {
            std::cout << help();
            return 0;
        }
        if (m_params.threads > 0) {
            omp_set_num_threads(m_params.threads);
        }
        const auto t0 = std::chrono::steady_clock::now();
        m_started_utc = utc_now();
        // The output folder is checked before the long work, so a bad --out fails at once. A
        // PostGIS output is first written as a GeoPackage in a temporary folder.
        const bool postgis = io::is_postgis(m_out);
        const std::string folder = postgis ? (std::filesystem::temp_directory_path() /
                                              ("maillage-pg-" + std::to_string(::getpid())))
                                                 .string()
                                           : m_out;
        io::StagedOutput out(folder);

        auto sites = io::read_sites(m_sites);
        auto zones = io::read_zones(m_zones);
        const double read_s = seconds_since(t0);
        for (const auto* rep : {&sites.report, &zones.report}) {
            if (rep->text_recoded) {
                warn(rep->path +
                     ": text is not UTF-8; read as Windows-1252. Save the file as UTF-8 "
                     "to be sure of the accents.");
            }
            for (const auto& n : rep->skipped) {
                warn(rep->path + ": " + n.where + ": skipped: " + n.reason);
            }
        }
        if (!m_quiet) {
            log("read " + std::to_string(sites.sites.size()) + " sites from " + m_sites.path +
                (m_sites.filter.empty() ? "" : " (filter: " + m_sites.filter + ")") + ", " +
                std::to_string(zones.zones.size()) + " zones from " + m_zones.path +
                (zones.report.repaired.empty()
                     ? ""
                     : " (" + std::to_string(zones.report.repaired.size()) +
                           " invalid polygons repaired)"));
        }

        const analysis::ProgressFn progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        auto result = analysis::analyse(*zones.ctx, sites.sites, zones.zones, m_params, progress);
        if (result.sites_outside > 0 && !m_quiet) {
            warn(std::to_string(result.sites_outside) +
                 " site(s) lie outside every zone; they serve the zones nearby all the same.");
        }

        const auto tw = std::chrono::steady_clock::now();
        analysis::RunDescription run;
        run.qgis_project = m_qgis_project;
        run.parameters = {{"sites", m_sites.path},
                          {"site_filter", m_sites.filter},
                          {"zones", m_zones.path},
                          {"format", m_format}};
        analysis::write_outputs(out,
                                (m_format == "gpkg" || postgis) ? io::VectorFormat::gpkg
                                                                : io::VectorFormat::geojson,
                                result, sites, zones, m_params, run);
        const double write_s = seconds_since(tw);
        write_run_record(out, run, sites.report, zones.report, result, read_s, write_s,
                         seconds_since(t0));
        if (postgis) {
            nlohmann::json record;
            std::ifstream(out.path("run.json")) >> record;
            std::ifstream(out.path("summary.json")) >> record["summary"];
            io::publish_postgis(out.path("maillage.gpkg").string(), m_out, m_pg_schema,
                                m_run_id.empty() ? m_started_utc : m_run_id, record);
        } else {
            out.commit();
        }

        if (!m_quiet) {
            std::ostringstream t;
            t << std::fixed << std::setprecision(2) << "timings (s): read " << read_s;
            for (const auto& [phase, s] : result.timings_s) {
                t << ", " << phase << ' ' << s;
            }
            t << ", write " << write_s << "; total " << seconds_since(t0);
            log(t.str());
            const auto& d = result.distribution;
            std::ostringstream s;
            s << std::fixed << std::setprecision(1) << "population " << std::setprecision(0)
              << d.total << ", mean distance " << std::setprecision(2) << d.mean_m / 1000
              << " km, p90 " << d.p90_m / 1000 << " km, beyond " << m_params.threshold_km
              << " km: " << std::setprecision(0) << result.population_beyond << " ("
              << std::setprecision(2)
              << (d.total > 0 ? 100.0 * result.population_beyond / d.total : 0.0) << " %)";
            log(s.str());
            log(postgis ? "results in " + io::redact_connection(m_out) + " (schema " + m_pg_schema +
                              ", run " + (m_run_id.empty() ? m_started_utc : m_run_id) + ")"
                        : "results in " + m_out + "/");
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage analyse [OPTIONS]\n\n"
          << "Distance from every inhabitant to the nearest site (WGS84 geodesic, exact nearest),\n"
          << "population beyond a threshold, underserved zones, and QGIS-ready layers.\n"
          << "With no option, analyses the shipped Auvergne-Rhône-Alpes data (470 SPRO-type "
             "sites).\n\n"
          << m_all;
        return o.str();
    }

private:
    void build() {
        po::options_description in("Inputs", help_width);
        in.add_options()("sites", po::value<std::string>(&m_sites.path),
                         "sites: any OGR point layer, or a CSV with lon/lat columns")(
            "sites-crs", po::value<std::string>(&m_sites.crs),
            "CRS of the sites, overriding the layer's (CSV default EPSG:4326)")(
            "site-id", po::value<std::string>(&m_sites.id_field)->default_value("id"),
            "site id field")("site-name", po::value<std::string>(&m_sites.name_field),
                             "site name field (default: nom, else name)")(
            "site-type", po::value<std::string>(&m_sites.type_field),
            "site type field (default: type_service, else type)")(
            "site-filter", po::value<std::string>(&m_sites.filter),
            "OGR attribute filter on the sites, e.g. \"spro_core = 1\"")(
            "zones", po::value<std::string>(&m_zones.path),
            "zones: any OGR polygon layer (communes) with a population")(
            "zones-crs", po::value<std::string>(&m_zones.crs),
            "CRS of the zones, overriding the layer's")(
            "zone-id", po::value<std::string>(&m_zones.id_field)->default_value("code"),
            "zone id field")("zone-name",
                             po::value<std::string>(&m_zones.name_field)->default_value("nom"),
                             "zone name field")(
            "population",
            po::value<std::string>(&m_zones.population_field)->default_value("population"),
            "population field")("group-by", po::value<std::string>(&m_zones.group_field),
                                "field grouping zones in the summary (default: departement when "
                                "present; 'none' for no groups)")(
            "strict", po::bool_switch(&m_strict), "stop on the first skipped or repaired feature");
        po::options_description calc("Computation", help_width);
        calc.add_options()("threshold-km",
                           po::value<double>(&m_params.threshold_km)->default_value(20.0),
                           "distance beyond which a place is underserved (km)")(
            "grid-m", po::value<double>(&m_params.grid_m)->default_value(200.0),
            "population grid cell size (m, equal-area)");
        po::options_description outd("Output", help_width);
        outd.add_options()("out,o", po::value<std::string>(&m_out)->default_value("out"),
                           "output folder")(
            "format", po::value<std::string>(&m_format)->default_value("geojson"),
            "geojson (one file per layer) or gpkg (one maillage.gpkg)")(
            "qgis-project", po::bool_switch(&m_qgis_project),
            "also write maillage.qgs, a QGIS project opening every layer, styled")(
            "pg-schema", po::value<std::string>(&m_pg_schema)->default_value("maillage"),
            "with --out PG:..., the PostgreSQL schema of the tables")(
            "run-id", po::value<std::string>(&m_run_id),
            "with --out PG:..., the id of this run in the tables (default: its start time); a "
            "rerun with the same id replaces its rows");
        m_all.add(in).add(calc).add(outd).add(
            common_options(m_progress, m_no_progress, m_params.threads, m_quiet, m_log_format));
    }

    /// run.json: what the run was made from (every input file with its SHA-256), with what
    /// parameters and versions, how long each phase took, and the checksum of every output. It is
    /// the only output that differs between two runs on the same inputs (time and timings).
    void write_run_record(io::StagedOutput& out, const analysis::RunDescription& run,
                          const model::ReadReport& sites, const model::ReadReport& zones,
                          const analysis::AnalysisResult& result, double read_s, double write_s,
                          double total_s) const {
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
        r["command"] = "analyse";
        // A PostGIS connection string may hold a password: never written down.
        auto args = nlohmann::ordered_json::array();
        for (const auto& a : m_args) {
            args.push_back(io::redact_connection(a));
        }
        r["arguments"] = args;
        r["started_utc"] = m_started_utc;
        r["parameters"] = run.parameters;
        r["parameters"]["threshold_km"] = m_params.threshold_km;
        r["parameters"]["grid_m"] = m_params.grid_m;
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
        auto timings = nlohmann::ordered_json::object();
        timings["read"] = read_s;
        for (const auto& [phase, s] : result.timings_s) {
            timings[phase] = s;
        }
        timings["write"] = write_s;
        timings["total"] = total_s;
        r["timings_s"] = timings;
        const auto path = out.path("run.json");
        std::ofstream f(path);
        f << r.dump(2) << '\n';
        f.close();
        if (!f) {
            throw runtime_failure(path.string() + ": cannot write (is the disk full?)");
        }
    }

    void warn(const std::string& m) const {
        if (!m_quiet) {
            log("warning: " + m);
        }
    }

    static std::string fmt(double v) {
        std::ostringstream o;
        o << v;
        return o.str();
    }

    static std::string utc_now() {
        const std::time_t now = std::time(nullptr);
        std::tm tm{};
        gmtime_r(&now, &tm);
        std::array<char, 32> buf{};
        std::strftime(buf.data(), buf.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
        return buf.data();
    }

    static double seconds_since(std::chrono::steady_clock::time_point t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    io::SiteReadOptions m_sites;
    io::ZoneReadOptions m_zones;
    analysis::Parameters m_params;
    std::string m_out = "out";
    std::string m_format = "geojson";
    bool m_strict = false;
    bool m_progress = false;
    bool m_no_progress = false;
    bool m_quiet = false;
    bool m_help = false;
    std::string m_log_format = "text";
    std::vector<std::string> m_args;
    bool m_qgis_project = false;
    std::string m_pg_schema = "maillage";
    std::string m_run_id;
    std::string m_started_utc;
};

} // namespace

std::unique_ptr<Command> make_analyse() { return std::make_unique<CommandAnalyse>(); }

} // namespace maillage::cli
