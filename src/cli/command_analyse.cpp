#include "analysis_inputs.hpp"
#include "commands.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/output/outputs.hpp"

#include <omp.h>

#include <geos_c.h>
#include <proj.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
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
        m_vm = parse(args, m_all, nullptr,
                     {"sites", "border-sites", "zones", "out", "population-grid"});
        if (m_vm.count("help") != 0U) {
            m_help = true;
            return;
        }
        if (m_format != "geojson" && m_format != "gpkg") {
            throw usage_error("--format must be geojson or gpkg (got '" + m_format + "').");
        }
        set_log_format(m_log_format);
        finish_inputs(m_vm, m_params, m_sites, m_zones, m_strict);
        // Checked now, not after the whole analysis has run.
        io::check_postgis_identifier(m_pg_schema, "--pg-schema");
        if (!m_run_id.empty()) {
            io::check_postgis_identifier(m_run_id, "--run-id");
        }
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
        if (postgis) {
            io::remove_abandoned_folders(std::filesystem::temp_directory_path(), "maillage-pg-");
        }
        const std::string folder = postgis ? (std::filesystem::temp_directory_path() /
                                              ("maillage-pg-" + std::to_string(::getpid())))
                                                 .string()
                                           : m_out;
        io::StagedOutput out(folder);
        if (out.completed_interrupted_commits() > 0) {
            warn(folder +
                     ": completed the outputs of an earlier run that was stopped while moving them "
                     "into place",
                 m_quiet);
        }

        auto inputs = read_inputs(m_sites, m_zones, m_quiet);
        auto& sites = inputs.sites;
        auto& zones = inputs.zones;
        const double read_s = inputs.read_s;

        const analysis::ProgressFn progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        auto result = analysis::analyse(*zones.ctx, sites.sites, zones.zones, m_params, progress);
        warn_site_placement(inputs, result, m_quiet);

        const auto tw = std::chrono::steady_clock::now();
        output::RunDescription run;
        run.qgis_project = m_qgis_project;
        note_site_parameters(m_sites, run.parameters);
        run.parameters["zones"] = m_zones.path;
        run.parameters["format"] = m_format;
        note_population_grid(m_params, result, run.parameters, m_quiet);
        output::write_outputs(out,
                              (m_format == "gpkg" || postgis) ? output::VectorFormat::gpkg
                                                              : output::VectorFormat::geojson,
                              result, sites, zones, m_params, run);
        for (const auto& m : run.geometry->warnings()) {
            warn(m, m_quiet);
        }
        const double write_s = seconds_since(tw);
        RunRecord record{
            "analyse", m_args, m_started_utc, run.parameters, site_input_records(sites), {}};
        record.inputs.emplace_back("zones", &zones.report);
        const auto grid_files = population_grid_files(result);
        if (result.population_grid) {
            record.inputs.emplace_back("population_grid", &grid_files);
        }
        record.parameters["threshold_km"] = m_params.threshold_km;
        record.parameters["grid_m"] = m_params.grid_m;
        record.parameters["by_type"] = m_params.by_type;
        record.parameters["catchments"] = m_params.catchments;
        record.timings_s.emplace_back("read", read_s);
        for (const auto& phase : result.timings_s) {
            record.timings_s.push_back(phase);
        }
        record.timings_s.emplace_back("write", write_s);
        record.timings_s.emplace_back("total", seconds_since(t0));
        write_run_record(out, record);
        if (postgis) {
            nlohmann::json pg_record;
            std::ifstream(out.path("run.json")) >> pg_record;
            std::ifstream(out.path("summary.json")) >> pg_record["summary"];
            io::publish_postgis(out.path("maillage.gpkg").string(), m_out, m_pg_schema,
                                m_run_id.empty() ? m_started_utc : m_run_id, pg_record);
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
             "sites,\nand the 287 of the neighbouring departments within 60 km as border "
             "sites).\n\n"
          << m_all;
        return o.str();
    }

private:
    void build() {
        po::options_description in("Inputs", help_width);
        add_input_options(in, m_sites, m_zones, m_strict);
        po::options_description calc("Computation", help_width);
        add_analysis_options(calc, m_params);
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
        m_all.add(in)
            .add(calc)
            .add(population_grid_options(m_params.population_grid))
            .add(outd)
            .add(
                common_options(m_progress, m_no_progress, m_params.threads, m_quiet, m_log_format));
    }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    SiteInputs m_sites;
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
