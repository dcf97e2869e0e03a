#pragma once

// The option groups that several commands share, each a struct holding its values, adding its
// options to a po::options_description and checking them (usage_error) in one call after
// parse(): CommonOptions (every command), InputOptions (the sites, zones and population grid of
// the commands built on the analysis) and OutputOptions (their output folder or database).

#include "analysis_inputs.hpp"
#include "command.hpp"
#include "logger.hpp"

#include "maillage/analysis/population_grid.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/layer_writer.hpp"

#include <map>
#include <string>
#include <vector>

namespace maillage::cli {

/// --threads, --progress, --no-progress, --quiet, --log-format, --config, --help.
struct CommonOptions {
    /// Which of the common options a command offers.
    enum class Scope {
        analysis, ///< all of them, in the group "Common options"
        files     ///< --quiet, --log-format, --config, --help (a command without phases: report)
    };

    int threads = 0; ///< 0: all cores
    bool progress = false;
    bool no_progress = false;
    bool quiet = false;
    std::string log_format = "text";
    bool help = false; ///< --help was given: set by validate()

    /// The group "Common options" (Scope::analysis).
    [[nodiscard]] po::options_description group();
    /// Adds the options of `scope` to `group`, in the order of the help.
    void add_to(po::options_description& group, Scope scope);
    /// Reads --help; unless it is given, checks --log-format and --threads (usage_error).
    void validate(const po::variables_map& vm);
    /// The command's logger: the --log-format, quiet with --quiet. Call after validate().
    [[nodiscard]] Logger logger() const;

private:
    Logger::Format m_format = Logger::Format::text;
};

/// Whether `args` ask for the help (--help or -h), for the commands with required options,
/// whose help must not need them.
bool asks_for_help(const std::vector<std::string>& args);

/// The inputs of the commands built on the analysis: --sites, --border-sites and their options,
/// --zones and its options, --strict, and the population grid.
struct InputOptions {
    SiteInputs sites;
    io::ZoneReadOptions zones;
    bool strict = false;
    analysis::PopulationGridOptions population_grid;

    /// The site and zone options (add_input_options), in a group of the command ("Inputs").
    void add_to(po::options_description& group);
    /// The group "Population grid".
    [[nodiscard]] po::options_description population_grid_group();
    /// The options whose relative paths in a config file are taken from the file's folder.
    [[nodiscard]] static std::vector<std::string> path_options();
    /// Checks the site layers and the population grid options (usage_error), makes the grid's
    /// reader when --population-grid is given, then fills the defaults: the shipped sites (and
    /// border sites) and communes, --strict on every reader.
    void validate(const po::variables_map& vm);
};

/// --out and --format, and (for the commands that offer them) --qgis-project, --pg-schema,
/// --run-id.
struct OutputOptions {
    /// What a command offers and how its help words it.
    struct Spec {
        std::string command = "analyse";        ///< for messages
        std::string default_out = "out";        ///< default of --out
        std::string out_help = "output folder"; ///< help of --out
        std::string gpkg_name =
            model::schema::files::gpkg; ///< the GeoPackage, in the help of --format
        std::string run_record = model::schema::files::run_record; ///< the name of the run record
        bool qgis_project = false;                                 ///< offers --qgis-project
        bool postgis = false; ///< --out may be PG:...; offers --pg-schema...
        bool groups = true;   ///< writes the groups layer: offers --group-names
        bool out_crs = false; ///< offers --out-crs (GeoPackage and PostGIS)
    };

    explicit OutputOptions(Spec spec);

    std::string out;
    std::string format = "geojson";
    bool qgis_project = false;
    std::string pg_schema = "maillage";
    std::string run_id;
    /// With --out PG:... and --qgis-project: the folder of maillage.qgs (and its rasters).
    std::string project_dir;
    std::string lang = "fr"; ///< --lang: language of the QGIS styles and legends
    std::string group_names; ///< --group-names: the table of the groups' names
    std::string out_crs;     ///< --out-crs: CRS of the vector layers (empty: WGS84)

    [[nodiscard]] const Spec& spec() const { return m_spec; }
    /// The options of the spec, in a group of the command ("Output").
    void add_to(po::options_description& group);
    /// Checks --format, --lang, --out-crs, and --out PG:... with its --pg-schema and --run-id,
    /// before any work (usage_error).
    void validate() const;
    /// The groups' names: --group-names, else the shipped departments file (code -> name).
    /// Throws input_error naming the file when it cannot be read.
    [[nodiscard]] std::map<std::string, std::string> group_name_table() const;
    /// Whether the outputs go to PostGIS (--out PG:...).
    [[nodiscard]] bool postgis() const;
    /// The vector format of the layers: a GeoPackage with --format gpkg or for PostGIS.
    [[nodiscard]] output::VectorFormat vector_format() const;
    /// The id of the run in PostGIS: --run-id, else the start time.
    [[nodiscard]] std::string run_id_or(const std::string& started_utc) const;

private:
    Spec m_spec;
};

/// Checks --threshold-km and --grid-m (usage_error).
void check_analysis_parameters(const analysis::Parameters& params);

/// The defaults of the inputs: with no --sites, the shipped regional sites (with the SPRO
/// filter unless --site-filter is given) and (unless --no-border-sites or --border-sites) the
/// shipped border sites; with no --zones, the shipped communes; --strict on both readers.
void fill_input_defaults(const po::variables_map& vm, SiteInputs& sites, io::ZoneReadOptions& zones,
                         bool strict);

} // namespace maillage::cli
