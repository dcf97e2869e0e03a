// maillage access: the E2SFCA accessibility index (see docs/method.md, section 10).

#include "command_access.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/access_outputs.hpp"
#include "maillage/output/outputs.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <sstream>

namespace maillage::cli {
namespace {

/// A number of a --bands value: strict, '.' as decimal separator.
double band_number(const std::string& text, const std::string& band, const std::string& what) {
    const auto v = io::parse_number(text);
    if (!v) {
        throw usage_error("--bands: band '" + band + "': " + what + " '" + text +
                          "' is not a number (write bands as FROM-TO:WEIGHT in km, e.g. " +
                          analysis::default_access_bands + ").");
    }
    return *v;
}

/// One band of --bands, starting where the previous one ends (`previous_to`, km, set to the
/// band's end).
analysis::Decay::Band parse_band(const std::string& band, double& previous_to) {
    const auto colon = band.find(':');
    const auto dash = band.find('-');
    if (colon == std::string::npos || dash == std::string::npos || dash > colon) {
        throw usage_error("--bands: band '" + band + "' is not FROM-TO:WEIGHT (km), e.g. " +
                          analysis::default_access_bands + ".");
    }
    const double from = band_number(band.substr(0, dash), band, "FROM");
    const double to = band_number(band.substr(dash + 1, colon - dash - 1), band, "TO");
    const double weight = band_number(band.substr(colon + 1), band, "WEIGHT");
    if (from != previous_to) {
        throw usage_error("--bands: band '" + band + "' starts at " + fmt(from) +
                          " km; bands must start at 0 and each start where the previous one "
                          "ends (" +
                          fmt(previous_to) + " km).");
    }
    if (!(to > from)) {
        throw usage_error("--bands: band '" + band + "' must end after it starts (FROM < TO).");
    }
    if (!(weight >= 0)) {
        throw usage_error("--bands: band '" + band + "' has a negative weight " + fmt(weight) +
                          "; weights are 0 or more.");
    }
    previous_to = to;
    return {from * 1000.0, to * 1000.0, weight};
}

} // namespace

analysis::Decay parse_bands(const std::string& text) {
    if (!text.empty() && text.back() == ',') {
        throw usage_error("--bands '" + text + "' ends with a comma; remove it.");
    }
    std::stringstream in(text);
    std::string band;
    std::vector<analysis::Decay::Band> bands;
    double previous_to = 0.0;
    while (std::getline(in, band, ',')) {
        bands.push_back(parse_band(band, previous_to));
    }
    if (bands.empty()) {
        throw usage_error("--bands is empty; give bands such as " +
                          std::string(analysis::default_access_bands) + ".");
    }
    return analysis::Decay::bands(std::move(bands));
}

CommandAccess::CommandAccess()
    : AnalysisCommand({.command = "access",
                       .out_help = "output folder (may be the folder of a maillage analyse run)",
                       .gpkg_name = model::schema::files::access_gpkg,
                       .run_record = "access_run.json",
                       .groups = false}) {
    po::options_description in("Inputs", help_width);
    m_inputs.add_to(in);
    in.add_options()(
        "context-zones", po::value<std::vector<std::string>>(&m_context_paths)->composing(),
        "zones outside the study area whose population is demand on the sites (step 1) but "
        "is not reported; repeatable; read with --population, --zone-id, --zone-name "
        "(default: the shipped neighbouring communes when --zones is not given)")(
        "context-zones-crs", po::value<std::string>(&m_context_crs),
        "CRS of the context zones, overriding the layers' (--zones-crs is for --zones only)")(
        "no-context-zones", po::bool_switch(&m_no_context),
        "no context zones, not even the shipped default");
    po::options_description calc("Computation", help_width);
    calc.add_options()("capacity", po::value<std::string>(&m_capacity),
                       "site field holding each site's supply (default: 1 per site)")(
        "decay", po::value<std::string>(&m_decay)->default_value("bands"),
        "distance decay: bands or gaussian")(
        "bands", po::value<std::string>(&m_bands)->default_value(analysis::default_access_bands),
        "with --decay bands: FROM-TO:WEIGHT,... in km (FROM < d <= TO; 0 beyond the last)")(
        "d0-km", po::value<double>(&m_d0_km)->default_value(30.0),
        "with --decay gaussian: catchment radius d0 (km)")(
        "below", po::value<double>(&m_access.below)->default_value(0.5),
        "flag the zones whose index is below this share of the regional mean")(
        "grid-m", po::value<double>(&m_params.grid_m)->default_value(200.0),
        "population grid cell size (m, equal-area)");
    po::options_description outd("Output", help_width);
    m_output.add_to(outd);
    m_all.add(in).add(calc).add(m_inputs.population_grid_group()).add(outd).add(m_common.group());
}

const char* CommandAccess::synopsis() const {
    return "accessibility index (E2SFCA, as the French APL) per zone and grid cell";
}

std::string CommandAccess::help() const {
    std::ostringstream o;
    o << "Usage: maillage access [OPTIONS]\n\n"
      << "Spatial accessibility index by the enhanced two-step floating catchment area "
         "method\n"
      << "(E2SFCA, Luo & Qi 2009; the method of the French APL): each site's supply divided "
         "by the\n"
      << "distance-weighted population around it, summed back over the sites in reach of "
         "each grid\n"
      << "cell and zone. Index per 100,000 inhabitants. Distances are WGS84 geodesics.\n"
      << "With no input option, uses the shipped Auvergne-Rhône-Alpes data (470 SPRO-type "
         "sites),\n"
      << "with the neighbouring communes as context zones (demand on the sites near the "
         "border,\n"
      << "not reported); --no-context-zones turns them off.\n\n"
      << m_all;
    return o.str();
}

std::vector<std::string> CommandAccess::own_path_options() const { return {"context-zones"}; }

void CommandAccess::check_decay(const po::variables_map& vm) {
    if (m_decay != "bands" && m_decay != "gaussian") {
        throw usage_error("--decay must be bands or gaussian (got '" + m_decay + "').");
    }
    const bool bands_given = vm.count("bands") != 0U && !vm["bands"].defaulted();
    const bool d0_given = vm.count("d0-km") != 0U && !vm["d0-km"].defaulted();
    if (m_decay == "gaussian") {
        if (bands_given) {
            throw usage_error("--bands is for --decay bands; with --decay gaussian give "
                              "--d0-km instead.");
        }
        m_access.decay = analysis::Decay::gaussian(m_d0_km * 1000.0);
    } else {
        if (d0_given) {
            throw usage_error("--d0-km is for --decay gaussian; with bands give --bands.");
        }
        m_access.decay = parse_bands(m_bands);
    }
}

void CommandAccess::validate(const po::variables_map& vm) {
    check_decay(vm);
    if (!(m_access.below > 0) || !std::isfinite(m_access.below)) {
        throw usage_error("--below must be a share of the regional mean greater than 0, e.g. "
                          "0.5 (got " +
                          fmt(m_access.below) + ").");
    }
    m_output.validate();
    // Context zones: the shipped neighbouring communes with the shipped study area only.
    if (m_no_context && !m_context_paths.empty()) {
        throw usage_error("--context-zones and --no-context-zones contradict each other; give "
                          "one or the other.");
    }
    if (m_context_paths.empty() && !m_no_context && vm.count("zones") == 0U) {
        m_context_paths.push_back(data_dir() + "/communes-voisines-cog2026.geojson");
        m_context_default = true;
    }
    m_inputs.validate(vm);
    // Access has no --threshold-km: the default passes.
    check_analysis_parameters(m_params);
    m_inputs.sites.options.capacity_field = m_capacity;
}

void CommandAccess::read_more(Run& /*run*/) {
    m_context_sets = read_context_zones();
    for (auto& set : m_context_sets) {
        m_context_files.files.insert(m_context_files.files.end(), set.report.files.begin(),
                                     set.report.files.end());
        std::move(set.zones.begin(), set.zones.end(), std::back_inserter(m_context_zones));
        set.zones.clear();
    }
}

void CommandAccess::compute(Run& run) {
    const auto& sites = run.inputs.sites;
    const auto& zones = run.inputs.zones;
    m_base = analyse(run);
    double context_s = 0.0;
    if (!m_context_zones.empty()) {
        const auto tx = std::chrono::steady_clock::now();
        m_context = analysis::context_demand(*m_context_sets.front().ctx, m_context_zones,
                                             zones.zones, m_base);
        context_s = seconds_since(tx);
        report_context_overlap(*m_context);
    }
    m_result = analysis::compute_access(sites.sites, zones.zones, m_base, m_access, run.progress,
                                        m_context ? &*m_context : nullptr);
    if (m_context) {
        log_context(*m_context, m_result);
    }
    warn_unreached(sites);
    for (const auto* list : {&m_base.timings_s, &m_result.timings_s}) {
        run.timings.insert(run.timings.end(), list->begin(), list->end());
    }
    if (m_context) {
        run.timings.emplace_back("context grid", context_s);
    }
}

void CommandAccess::warn_unreached(const io::SiteSet& sites) const {
    if (m_result.unreached_sites.empty()) {
        return;
    }
    std::string names;
    for (std::size_t k = 0; k < m_result.unreached_sites.size() && k < 5; ++k) {
        const auto& s = sites.sites[m_result.unreached_sites[k]];
        names += (k == 0 ? "" : ", ") + s.id + (s.name.empty() ? "" : " (" + s.name + ")");
    }
    if (m_result.unreached_sites.size() > 5) {
        names += ", ...";
    }
    m_log.warn(std::to_string(m_result.unreached_sites.size()) + " site(s) reach nobody within " +
               fmt(m_access.decay.radius_m() / 1000) +
               " km: their ratio is undefined and they are left out of the index: " + names +
               " (listed in summary.json, access.sites_reaching_nobody).");
}

nlohmann::ordered_json CommandAccess::existing_summary() const {
    // summary.json is shared with `maillage analyse` when both write into one folder: its
    // other members are kept and "access" is replaced.
    nlohmann::ordered_json existing;
    const auto summary_path = std::filesystem::path(m_output.out) / model::schema::files::summary;
    if (std::filesystem::exists(summary_path)) {
        std::ifstream in(summary_path);
        try {
            in >> existing;
        } catch (const nlohmann::json::exception&) {
            m_log.warn(summary_path.string() +
                       " is not valid JSON; it is replaced by the figures of this run.");
            existing = nullptr;
        }
    }
    return existing;
}

void CommandAccess::write(Run& run, io::StagedOutput& out) {
    const auto existing = existing_summary();
    output::AccessRunDescription desc;
    desc.lang = m_output.lang;
    note_inputs(desc.parameters);
    desc.parameters["capacity"] = m_capacity.empty() ? "1 per site" : m_capacity;
    desc.parameters["format"] = m_output.format;
    note_population_grid(m_params, m_base, desc.parameters, m_log);
    desc.parameters["context_zones"] = m_context_paths;
    desc.context = context_json();
    output::write_access_outputs(out, m_output.vector_format(), m_result, m_base, run.inputs.sites,
                                 run.inputs.zones, m_access, desc, existing);
    for (const auto& m : desc.geometry->warnings()) {
        m_log.warn(m);
    }
    run.parameters = desc.parameters;
}

void CommandAccess::add_to_record(const Run& /*run*/, RunRecord& record) const {
    record.parameters["decay"] = m_access.decay.to_json();
    record.parameters["below"] = m_access.below;
    record.parameters["grid_m"] = m_params.grid_m;
    if (!m_context_sets.empty()) {
        record.inputs.emplace_back("context_zones", &m_context_files);
    }
}

void CommandAccess::log_results(const Run& /*run*/) const {
    std::ostringstream s;
    s << std::fixed << std::setprecision(3)
      << "accessibility (E2SFCA, supply per 100,000 inhabitants): regional mean "
      << m_result.mean_index * analysis::access_per_inhabitants << "; " << m_result.zones_below
      << " zones (" << std::setprecision(0) << m_result.population_below << " inhabitants) below "
      << std::setprecision(2) << m_access.below << " x the mean; "
      << m_result.unreached_sites.size() << " site(s) reach nobody";
    m_log.info(s.str());
}

std::vector<io::ZoneSet> CommandAccess::read_context_zones() const {
    std::vector<io::ZoneSet> sets;
    for (const auto& path : m_context_paths) {
        io::ZoneReadOptions o = m_inputs.zones;
        o.path = path;
        o.crs = m_context_crs;
        o.group_field = "none";
        try {
            sets.push_back(io::read_zones(o));
        } catch (const input_error& e) {
            // The zone reader's hints name the options of --zones.
            std::string m = e.what();
            for (auto at = m.find("--zones-crs"); at != std::string::npos;
                 at = m.find("--zones-crs", at + 19)) {
                m.replace(at, 11, "--context-zones-crs");
            }
            throw input_error("--context-zones: " + m);
        }
        warn_read_report(sets.back().report, m_log);
    }
    return sets;
}

void CommandAccess::report_context_overlap(const analysis::ContextDemand& c) const {
    if (c.overlapping.empty()) {
        return;
    }
    std::string names;
    for (std::size_t k = 0; k < c.overlapping.size() && k < 5; ++k) {
        names += (k == 0 ? "" : ", ") + m_context_zones[c.overlapping[k]].id;
    }
    if (c.overlapping.size() > 5) {
        names += ", ...";
    }
    std::ostringstream o;
    o << std::fixed << std::setprecision(0) << c.overlapping.size()
      << " context zone(s) overlap the study area by more than a sliver (" << c.zones_inside
      << " wholly inside): " << names << ". The study area wins: their cells there, and "
      << c.population_in_study_area
      << " inhabitants in all, are left out of the context demand (summary.json, "
         "access.context_zones). Check that the context zones are not the study zones.";
    m_log.warn(o.str());
}

void CommandAccess::log_context(const analysis::ContextDemand& c,
                                const analysis::AccessResult& r) const {
    std::ostringstream o;
    o << std::fixed << std::setprecision(0) << "context zones: " << c.zones << " zones ("
      << (m_context_default ? "shipped neighbouring communes" : "--context-zones") << "), "
      << c.population << " inhabitants, " << r.context_population
      << " of them outside the study area as demand, " << r.context_population_in_reach
      << " within reach of a site; demand on " << r.context_sites << " site(s)";
    if (!m_params.population_grid.path.empty()) {
        o << " (spread evenly over their cells: --population-grid is for the study area)";
    }
    m_log.info(o.str());
}

nlohmann::ordered_json CommandAccess::context_json() const {
    const analysis::ContextDemand* c = m_context ? &*m_context : nullptr;
    nlohmann::ordered_json j;
    j["used"] = c != nullptr;
    j["default"] = m_context_default;
    if (c == nullptr) {
        j["reason"] = m_no_context ? "--no-context-zones" : "--zones given without --context-zones";
        return j;
    }
    auto files = nlohmann::ordered_json::array();
    for (const auto& set : m_context_sets) {
        files.push_back(output::input_summary(set.report));
    }
    j["inputs"] = files;
    j["population_spread"] = m_params.population_grid.path.empty()
                                 ? "even, as the study zones"
                                 : "even (--population-grid is read for the study area only)";
    j["zones"] = c->zones;
    j["population"] = c->population;
    j["population_in_study_area"] = c->population_in_study_area;
    j["zones_overlapping_study_area"] = c->overlapping.size();
    j["zones_inside_study_area"] = c->zones_inside;
    j["zones_on_reference_point"] = c->point_demands;
    j["grid"] = {{"width", c->grid.width},
                 {"height", c->grid.height},
                 {"cells", std::count_if(c->grid.zone.begin(), c->grid.zone.end(),
                                         [](auto z) { return z >= 0; })}};
    return j;
}

std::unique_ptr<Command> make_access() { return std::make_unique<CommandAccess>(); }

} // namespace maillage::cli
