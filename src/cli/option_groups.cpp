#include "option_groups.hpp"

#include "maillage/io/population_grid_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/group_names.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/output/output_geometry.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>

namespace maillage::cli {

po::options_description CommonOptions::group() {
    po::options_description d("Common options", help_width);
    add_to(d, Scope::analysis);
    return d;
}

void CommonOptions::add_to(po::options_description& group, Scope scope) {
    const bool analysis = scope == Scope::analysis;
    if (analysis) {
        group.add_options()("threads", po::value<int>(&threads)->default_value(0),
                            "worker threads (0: all cores)")(
            "progress", po::bool_switch(&progress),
            "show a progress bar even when stderr is not a terminal")(
            "no-progress", po::bool_switch(&no_progress), "never show a progress bar");
    }
    group.add_options()("quiet,q", po::bool_switch(&quiet), "print nothing on stderr but errors")(
        "log-format", po::value<std::string>(&log_format)->default_value("text"),
        "text, or json (one JSON object a line, for schedulers and log collectors)")(
        "config", po::value<std::string>(),
        analysis ? "read options from FILE (key = value lines; the command line wins)"
                 : "read options from FILE (key = value lines)")("help,h", "show this help");
}

void CommonOptions::validate(const po::variables_map& vm) {
    help = vm.count("help") != 0U;
    if (help) {
        return;
    }
    m_format = Logger::format_named(log_format);
    if (threads < 0) {
        throw usage_error("--threads must be 0 (all cores) or more (got " +
                          std::to_string(threads) + ").");
    }
}

Logger CommonOptions::logger() const { return {m_format, quiet}; }

bool asks_for_help(const std::vector<std::string>& args) {
    return std::find(args.begin(), args.end(), "--help") != args.end() ||
           std::find(args.begin(), args.end(), "-h") != args.end();
}

void InputOptions::add_to(po::options_description& group) {
    add_input_options(group, sites, zones, strict);
}

po::options_description InputOptions::population_grid_group() {
    return population_grid_options(population_grid);
}

std::vector<std::string> InputOptions::path_options() {
    return {"sites", "border-sites", "zones", "population-grid"};
}

void InputOptions::validate(const po::variables_map& vm) {
    check_site_layers(vm, sites);
    check_population_grid_options(vm, population_grid);
    // The reader only for a grid given: without one, the zones' population is spread evenly.
    if (!population_grid.path.empty()) {
        population_grid.source = io::population_grid_source(population_grid);
    }
    fill_input_defaults(vm, sites, zones, strict);
}

OutputOptions::OutputOptions(Spec spec) : out(spec.default_out), m_spec(std::move(spec)) {}

void OutputOptions::add_to(po::options_description& group) {
    group.add_options()("out,o", po::value<std::string>(&out)->default_value(m_spec.default_out),
                        m_spec.out_help.c_str())(
        "format", po::value<std::string>(&format)->default_value("geojson"),
        ("geojson (one file per layer) or gpkg (one " + m_spec.gpkg_name + ")").c_str());
    if (m_spec.qgis_project) {
        group.add_options()("qgis-project", po::bool_switch(&qgis_project),
                            "also write maillage.qgs, a QGIS project opening every layer, styled, "
                            "with a print layout (A4 landscape)");
    }
    group.add_options()("lang", po::value<std::string>(&lang)->default_value("fr"),
                        "language of the QGIS styles, legends and field aliases: fr or en");
    if (m_spec.groups) {
        group.add_options()("group-names", po::value<std::string>(&group_names),
                            "table of the groups' names (code and name fields, e.g. code, nom) "
                            "for the groups layer (default: the shipped departments)");
    }
    if (m_spec.out_crs) {
        group.add_options()("out-crs", po::value<std::string>(&out_crs),
                            "CRS of the vector layers with --format gpkg or --out PG:... (e.g. "
                            "EPSG:2154; default WGS84 longitude/latitude). GeoJSON stays in "
                            "WGS84 (RFC 7946)");
    }
    if (m_spec.postgis) {
        group.add_options()("pg-schema",
                            po::value<std::string>(&pg_schema)->default_value("maillage"),
                            "with --out PG:..., the PostgreSQL schema of the tables")(
            "run-id", po::value<std::string>(&run_id),
            "with --out PG:..., the id of this run in the tables (default: its start time); a "
            "rerun with the same id replaces its rows");
        if (m_spec.qgis_project) {
            group.add_options()("project-dir", po::value<std::string>(&project_dir),
                                "with --out PG:... and --qgis-project, the folder where "
                                "maillage.qgs (its layers reading the tables) and the distance "
                                "raster are written");
        }
    }
}

void OutputOptions::validate() const {
    if (format != "geojson" && format != "gpkg") {
        throw usage_error("--format must be geojson or gpkg (got '" + format + "').");
    }
    if (lang != "fr" && lang != "en") {
        throw usage_error("--lang must be fr or en (got '" + lang + "').");
    }
    if (!out_crs.empty()) {
        if (vector_format() != output::VectorFormat::gpkg) {
            throw usage_error("--out-crs " + out_crs +
                              ": GeoJSON is always WGS84 longitude/latitude (RFC 7946); use "
                              "--format gpkg or --out PG:... for another CRS, or drop --out-crs.");
        }
        output::check_output_crs(out_crs);
    }
    if (!m_spec.postgis) {
        if (io::is_postgis(out)) {
            throw usage_error("--out: maillage " + m_spec.command +
                              " writes files into a folder; PostGIS output is for maillage "
                              "analyse.");
        }
        return;
    }
    if (!project_dir.empty() && !(io::is_postgis(out) && qgis_project)) {
        throw usage_error("--project-dir is where --qgis-project writes the project of a PostGIS "
                          "output: give it with --out PG:... and --qgis-project.");
    }
    if (io::is_postgis(out) && qgis_project && project_dir.empty()) {
        throw usage_error("--qgis-project with --out PG:...: give --project-dir DIR, the folder "
                          "where maillage.qgs (its layers reading the PostGIS tables) is "
                          "written.");
    }
    // Checked now, not after the whole analysis has run.
    io::check_postgis_identifier(pg_schema, "--pg-schema");
    if (!run_id.empty()) {
        io::check_postgis_identifier(run_id, "--run-id");
    }
}

std::map<std::string, std::string> OutputOptions::group_name_table() const {
    if (!group_names.empty()) {
        return io::read_group_names(group_names);
    }
    const std::string shipped = data_dir() + "/departements-aura-adminexpress-2018.geojson";
    return std::filesystem::exists(shipped) ? io::read_group_names(shipped)
                                            : std::map<std::string, std::string>{};
}

bool OutputOptions::postgis() const { return m_spec.postgis && io::is_postgis(out); }

output::VectorFormat OutputOptions::vector_format() const {
    return (format == "gpkg" || postgis()) ? output::VectorFormat::gpkg
                                           : output::VectorFormat::geojson;
}

std::string OutputOptions::run_id_or(const std::string& started_utc) const {
    return run_id.empty() ? started_utc : run_id;
}

void check_analysis_parameters(const analysis::Parameters& params) {
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
}

void fill_input_defaults(const po::variables_map& vm, SiteInputs& sites, io::ZoneReadOptions& zones,
                         bool strict) {
    if (sites.paths.empty()) {
        sites.paths = {data_dir() + "/structures-aura-dila-2017.csv"};
        // The shipped directory holds context services too; an explicit --site-filter (even an
        // empty one) replaces the SPRO selection.
        if (vm.count("site-filter") == 0U) {
            sites.options.filter = "spro_core = 1";
        }
        // People near the region's edge use the sites across it: the shipped neighbouring
        // departments' sites go with the shipped regional ones.
        if (sites.border_paths.empty() && !sites.no_border_sites) {
            sites.border_paths = {data_dir() + "/structures-voisines-dila-2017.csv"};
        }
    }
    if (zones.path.empty()) {
        zones.path = data_dir() + "/communes-aura-cog2026.geojson";
    }
    sites.options.strict = strict;
    zones.strict = strict;
}

} // namespace maillage::cli
