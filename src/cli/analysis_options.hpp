#pragma once

// The input and computation options shared by the commands that run the analysis
// (`analyse`, `whatif`): same names, defaults, checks and log lines.

#include "command.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/model/report.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <string>
#include <vector>

namespace maillage::cli {

/// "Inputs": --sites, --sites-crs, --site-id, --site-name, --site-type, --site-filter, --zones,
/// --zones-crs, --zone-id, --zone-name, --population, --group-by, --strict.
po::options_description analysis_input_options(io::SiteReadOptions& sites,
                                               io::ZoneReadOptions& zones, bool& strict);

/// "Computation": --threshold-km, --grid-m.
po::options_description analysis_computation_options(analysis::Parameters& params);

/// Checks --threshold-km, --grid-m and --threads (usage_error), and fills the defaults: the
/// shipped data with the `spro_core = 1` filter when --sites is not given, --strict on both
/// readers.
void finish_analysis_options(const po::variables_map& vm, io::SiteReadOptions& sites,
                             io::ZoneReadOptions& zones, const analysis::Parameters& params,
                             bool strict);

/// Warnings for what the readers skipped or recoded, then the "read N sites ..., M zones ..."
/// line (nothing but the warnings' absence when quiet).
void log_inputs(const io::SiteReadOptions& site_options, const io::ZoneReadOptions& zone_options,
                const io::SiteSet& sites, const io::ZoneSet& zones, bool quiet);

/// run.json: what the run was made from (every input file with its SHA-256), with what
/// parameters and versions, how long each phase took, and the checksum of every output staged
/// so far. It is the only output that differs between two runs on the same inputs (time and
/// timings). Connection strings in `args` are redacted.
void write_run_record(io::StagedOutput& out, const std::string& command,
                      const std::vector<std::string>& args, const std::string& started_utc,
                      const nlohmann::ordered_json& parameters, const model::ReadReport& sites,
                      const model::ReadReport& zones, const nlohmann::ordered_json& timings);

/// A number as the messages print it.
std::string format_value(double v);

/// Current UTC time, ISO 8601 (seconds).
std::string utc_now();

double seconds_since(std::chrono::steady_clock::time_point t);

} // namespace maillage::cli
