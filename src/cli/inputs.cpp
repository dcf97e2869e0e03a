#include "inputs.hpp"

#include <array>
#include <ctime>
#include <sstream>

namespace maillage::cli {

po::options_description input_options(io::SiteReadOptions& sites, io::ZoneReadOptions& zones,
                                      bool& strict) {
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

void resolve_inputs(const po::variables_map& vm, io::SiteReadOptions& sites,
                    io::ZoneReadOptions& zones, bool strict) {
    if (sites.path.empty()) {
        sites.path = data_dir() + "/structures-aura-dila-2017.csv";
        // The shipped directory holds context services too; an explicit --site-filter
        // (even an empty one) replaces the SPRO selection.
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

void log_inputs(const io::SiteReadOptions& options, const io::SiteSet& sites,
                const io::ZoneReadOptions& zone_options, const io::ZoneSet& zones, bool quiet) {
    if (quiet) {
        return;
    }
    for (const auto* rep : {&sites.report, &zones.report}) {
        if (rep->text_recoded) {
            log("warning: " + rep->path +
                ": text is not UTF-8; read as Windows-1252. Save the file as UTF-8 "
                "to be sure of the accents.");
        }
        for (const auto& n : rep->skipped) {
            log("warning: " + rep->path + ": " + n.where + ": skipped: " + n.reason);
        }
    }
    log("read " + std::to_string(sites.sites.size()) + " sites from " + options.path +
        (options.filter.empty() ? "" : " (filter: " + options.filter + ")") + ", " +
        std::to_string(zones.zones.size()) + " zones from " + zone_options.path +
        (zones.report.repaired.empty() ? ""
                                       : " (" + std::to_string(zones.report.repaired.size()) +
                                             " invalid polygons repaired)"));
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

std::string number_text(double v) {
    std::ostringstream o;
    o << v;
    return o.str();
}

} // namespace maillage::cli
