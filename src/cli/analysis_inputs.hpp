#pragma once

// What the commands built on the analysis (analyse, access, suggest, whatif) share: the options
// naming the sites and zones and the analysis parameters, their checks and defaults (the shipped
// data), reading the inputs with their warnings, and run.json.

#include "command.hpp"
#include "logger.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/model/schema.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace maillage::cli {

/// The layers of sites of a run: --sites (repeatable) and --border-sites (repeatable), read with
/// the same options.
struct SiteInputs {
    io::SiteReadOptions options; ///< options.path is not used: the paths are below
    std::vector<std::string> paths;
    std::vector<std::string> border_paths;
    bool no_border_sites = false; ///< --no-border-sites: not even the shipped ones
    /// The layers in reading order: the --sites layers, then the border layers.
    [[nodiscard]] std::vector<io::SiteLayerSpec> layers() const;
    /// The --sites paths joined by ", " (for messages and the recorded parameters).
    [[nodiscard]] std::string paths_text() const;
};

/// --sites and --border-sites (both repeatable), --no-border-sites, --sites-crs, --site-id,
/// --site-name, --site-filter, --lon-field, --lat-field; and --site-type unless `with_type` is
/// false.
void add_site_options(po::options_description& group, SiteInputs& sites, bool with_type = true);

/// The options of how a layer of sites is read (not which files): --sites-crs, --site-id,
/// --site-name, --site-type (unless `with_type` is false), --site-filter, --lon-field,
/// --lat-field. Shared by the analysis commands and `info --role sites`.
void add_site_field_options(po::options_description& group, io::SiteReadOptions& options,
                            bool with_type = true);

/// The options of how the zones are read (not which file): --zones-crs, --zone-id, --zone-name,
/// --population, --group-by. Shared by the analysis commands and `info --role zones`.
void add_zone_field_options(po::options_description& group, io::ZoneReadOptions& zones);

/// --PREFIXlon-field and --PREFIXlat-field: the coordinate columns of a CSV of `what` ("sites").
void add_coordinate_options(po::options_description& group, io::SiteReadOptions& options,
                            const std::string& prefix, const std::string& what);

/// The "Inputs" group: the site options above, --zones, --zones-crs, --zone-id, --zone-name,
/// --population, --group-by, --strict.
void add_input_options(po::options_description& group, SiteInputs& sites,
                       io::ZoneReadOptions& zones, bool& strict);

/// Checks --sites/--border-sites/--no-border-sites together (usage_error).
void check_site_layers(const po::variables_map& vm, const SiteInputs& sites);

/// Reads every layer of sites (io::read_site_layers) and warns about what was skipped or
/// recoded.
io::SiteSet read_site_inputs(const SiteInputs& sites, const Logger& log);

/// The warning when the zones were read without a group field although none was named (the
/// figures by department will be missing); empty when there is nothing to say.
std::string no_group_field_text(const io::ZoneReadOptions& options, const io::ZoneSet& zones);

/// Logs no_group_field_text as a warning, if any.
void warn_no_group_field(const io::ZoneReadOptions& options, const io::ZoneSet& zones,
                         const Logger& log);

/// --threshold-km and --grid-m, and (with `extras`) --by-type and --catchments, which `whatif`
/// does not offer.
void add_analysis_options(po::options_description& group, analysis::Parameters& params,
                          bool extras = true);

struct Inputs {
    io::SiteSet sites;
    io::ZoneSet zones;
    double read_s = 0.0;
    analysis::SitePlacement placement; ///< where the sites lie against the zones' extent
};

/// Reads the sites and zones, logs what was skipped or recoded and the "read" line.
/// `check_sites`, when given, is called with the sites before the zones are read, so that an
/// error it finds in them (whatif: an unknown id to close) comes at once.
Inputs read_inputs(const SiteInputs& sites, const io::ZoneReadOptions& zones, const Logger& log,
                   const std::function<void(const io::SiteSet&)>& check_sites = {});

/// Where the sites lie, once the analysis has placed them (AnalysisResult::sites, zone): each
/// stray site of a --sites layer (outside every zone) is named, up to five, with a hint when it
/// looks swapped or lies outside the zones' extent; the sites of a --border-sites layer outside
/// the study area are expected and only counted; those inside it are said. Nothing when quiet.
void warn_site_placement(const Inputs& in, const analysis::AnalysisResult& r, const Logger& log);

/// What a reader recoded or skipped, as warnings "FILE: WHERE: skipped: REASON".
void warn_read_report(const model::ReadReport& rep, const Logger& log);

/// The inputs of run.json for the sites: "sites" (the first layer), then "sites_2", ... and
/// "border_sites", "border_sites_2", ...
std::vector<std::pair<std::string, const model::ReadReport*>>
site_input_records(const io::SiteSet& sites);

/// The sites' recorded parameters: "sites" (paths_text), "border_sites" (array), "site_filter".
void note_site_parameters(const SiteInputs& sites, nlohmann::ordered_json& parameters);

/// Everything run.json records besides the outputs' checksums.
struct RunRecord {
    std::string command;
    std::vector<std::string> args;
    std::string started_utc;
    nlohmann::ordered_json parameters;
    std::vector<std::pair<std::string, const model::ReadReport*>> inputs;
    std::vector<std::pair<std::string, double>> timings_s;
    /// When not null: run.json's `timings_s` as given, instead of the list above (whatif's
    /// nested phases).
    nlohmann::ordered_json timings_nested = nullptr;
    /// The record's name in the output folder (access writes access_run.json, so that it does
    /// not replace the run.json of an analyse run in the same folder).
    std::string file_name = model::schema::files::run_record;
};

/// run.json: what the run was made from (every input file with its SHA-256), with what
/// parameters and versions, how long each phase took, and the checksum of every output. It is
/// the only output that differs between two runs on the same inputs (time and timings).
void write_run_record(io::StagedOutput& out, const RunRecord& record);

/// With --population-grid: records its options in `parameters` (summary.json, run.json) and logs
/// what the grid gave. Nothing without a grid.
void note_population_grid(const analysis::Parameters& params, const analysis::AnalysisResult& r,
                          nlohmann::ordered_json& parameters, const Logger& log);

/// The population grid's files, for RunRecord::inputs (empty without a grid).
model::ReadReport population_grid_files(const analysis::AnalysisResult& r);

/// "lon A to B, lat C to D": the zones' extent, for messages.
std::string extent_text(const analysis::SitePlacement& p);

/// A number as the default stream formats it (for messages).
std::string fmt(double v);

/// The current time, ISO 8601 UTC.
std::string utc_now();

double seconds_since(std::chrono::steady_clock::time_point t);

} // namespace maillage::cli
