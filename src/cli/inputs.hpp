#pragma once

// The inputs shared by the commands that read sites and zones (analyse, access): one option
// group, one set of defaults (the shipped data), one report of what was read.

#include "command.hpp"

#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <chrono>
#include <string>

namespace maillage::cli {

/// The "Inputs" option group: --sites, --sites-crs, --site-id, --site-name, --site-type,
/// --site-filter, --zones, --zones-crs, --zone-id, --zone-name, --population, --group-by, --strict.
po::options_description input_options(io::SiteReadOptions& sites, io::ZoneReadOptions& zones,
                                      bool& strict);

/// Fills in the shipped data (the SPRO sites, filter `spro_core = 1` unless --site-filter was
/// given, and the communes) where no input was named, and the strict mode of both readers.
void resolve_inputs(const po::variables_map& vm, io::SiteReadOptions& sites,
                    io::ZoneReadOptions& zones, bool strict);

/// Logs the warnings of the readers (recoded text, skipped features) and, unless quiet, what
/// was read.
void log_inputs(const io::SiteReadOptions& options, const io::SiteSet& sites,
                const io::ZoneReadOptions& zone_options, const io::ZoneSet& zones, bool quiet);

/// "2026-01-31T12:00:00Z".
std::string utc_now();

double seconds_since(std::chrono::steady_clock::time_point t);

/// A number as the user would write it, for messages.
std::string number_text(double v);

} // namespace maillage::cli
