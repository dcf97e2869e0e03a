// maillage whatif: sites closed and/or opened, the analysis rerun incrementally.

#include "command_whatif.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/output/whatif_outputs.hpp"

#include <charconv>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace maillage::cli {
namespace {

using Change = io::SiteChange;

using core::trim;

/// A number in the --open syntax: '.' decimals only (',' separates the fields).
std::optional<double> strict_number(const std::string& text) {
    const auto t = trim(text);
    if (t.empty()) {
        return std::nullopt;
    }
    const char* b = t.data();
    if (*b == '+') {
        ++b;
    }
    double v = 0.0;
    const auto [ptr, ec] = std::from_chars(b, t.data() + t.size(), v);
    if (ec != std::errc() || ptr != t.data() + t.size() || !std::isfinite(v)) {
        return std::nullopt;
    }
    return v;
}

/// One --open value: LON,LAT or LON,LAT,NAME (usage_error on anything else).
Change parse_open(const std::string& value) {
    const std::string syntax = "; expected LON,LAT or LON,LAT,NAME in WGS84 degrees, e.g. "
                               "--open 4.85,45.76,\"Lyon 7e\"";
    const auto c1 = value.find(',');
    if (c1 == std::string::npos) {
        throw usage_error("--open '" + value + "': no comma between longitude and latitude" +
                          syntax + ".");
    }
    const auto c2 = value.find(',', c1 + 1);
    const auto lon_text = value.substr(0, c1);
    const auto lat_text =
        value.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
    const auto lon = strict_number(lon_text);
    if (!lon) {
        throw usage_error("--open '" + value + "': longitude '" + trim(lon_text) +
                          "' is not a number" + syntax + ".");
    }
    const auto lat = strict_number(lat_text);
    if (!lat) {
        throw usage_error("--open '" + value + "': latitude '" + trim(lat_text) +
                          "' is not a number" + syntax + ".");
    }
    if (const auto p = io::lonlat_range_problem(*lon, *lat); !p.empty()) {
        throw usage_error("--open '" + value + "': " + p + ".");
    }
    Change c;
    c.open = true;
    c.position = {*lon, *lat};
    c.name = c2 == std::string::npos ? "" : trim(value.substr(c2 + 1));
    c.where = "--open '" + value + "'";
    return c;
}

/// The time of the phase `name` in the run's timings (0 when absent).
double timing_of(const std::vector<std::pair<std::string, double>>& timings,
                 const std::string& name) {
    for (const auto& [phase, s] : timings) {
        if (phase == name) {
            return s;
        }
    }
    return 0.0;
}

/// "PHASE S, PHASE S" (the stream's format).
void put_phases(std::ostream& o, const std::vector<std::pair<std::string, double>>& phases) {
    bool first = true;
    for (const auto& [phase, s] : phases) {
        o << (first ? "" : ", ") << phase << ' ' << s;
        first = false;
    }
}

nlohmann::ordered_json phases_json(const std::vector<std::pair<std::string, double>>& phases) {
    auto j = nlohmann::ordered_json::object();
    for (const auto& [phase, s] : phases) {
        j[phase] = s;
    }
    return j;
}

} // namespace

CommandWhatIf::CommandWhatIf()
    : AnalysisCommand(
          {.command = "whatif", .default_out = "out-whatif", .gpkg_name = "whatif.gpkg"}) {
    po::options_description changes("Changes", help_width);
    changes.add_options()("close", po::value<std::vector<std::string>>(&m_close_args)->composing(),
                          "close the sites with these ids (comma-separated; repeatable)")(
        "open", po::value<std::vector<std::string>>(&m_open_args)->composing(),
        "open a site at LON,LAT (WGS84 degrees), optionally named: LON,LAT,NAME (repeatable)")(
        "changes", po::value<std::string>(&m_changes_path),
        "CSV of changes: columns action (close|open), id, lon, lat, name")(
        "verify", po::bool_switch(&m_verify),
        "also run the full analysis with the changed sites and check that every cell and "
        "zone is identical (slower)");
    po::options_description outd("Output", help_width);
    m_output.add_to(outd);
    po::options_description in("Inputs", help_width);
    m_inputs.add_to(in);
    po::options_description calc("Computation", help_width);
    // No --by-type or --catchments: the incremental step does not update them.
    add_analysis_options(calc, m_params, false);
    m_all.add(changes)
        .add(in)
        .add(calc)
        .add(m_inputs.population_grid_group())
        .add(outd)
        .add(m_common.group());
}

const char* CommandWhatIf::synopsis() const {
    return "close or open sites: what changes for the population (incremental rerun)";
}

std::string CommandWhatIf::help() const {
    std::ostringstream o;
    o << "Usage: maillage whatif [OPTIONS] (--close ID,... | --open LON,LAT[,NAME] | --changes "
         "FILE)...\n\n"
      << "Reruns the analysis with sites closed and/or opened and reports what changes: the\n"
      << "population whose nearest site changes, the population that falls beyond the "
         "threshold\n"
      << "(or comes back within), the change of the mean distance, per group, and the zones "
         "whose\n"
      << "distance rose or fell. Only the cells whose nearest site is affected are "
         "recomputed.\n"
      << "A negative longitude needs the '=' form: --open=-1.55,47.21.\n\n"
      << m_all;
    return o.str();
}

std::vector<std::string> CommandWhatIf::own_path_options() const { return {"changes"}; }

void CommandWhatIf::validate(const po::variables_map& vm) {
    m_inputs.validate(vm);
    check_analysis_parameters(m_params);
    m_output.validate();
    parse_close();
    for (const auto& value : m_open_args) {
        m_cli_changes.push_back(parse_open(value));
    }
    if (m_cli_changes.empty() && m_changes_path.empty()) {
        throw usage_error("nothing to change: give sites to close (--close ID,...), sites to "
                          "open (--open LON,LAT[,NAME]) or a file of changes (--changes "
                          "FILE).");
    }
    // The baseline keeps every cell's exact distance, which the incremental step starts from.
    m_params.keep_details = true;
}

void CommandWhatIf::parse_close() {
    for (const auto& value : m_close_args) {
        std::size_t start = 0;
        while (true) {
            const auto comma = value.find(',', start);
            const auto id = trim(value.substr(start, comma == std::string::npos ? std::string::npos
                                                                                : comma - start));
            if (id.empty()) {
                throw usage_error("--close '" + value +
                                  "': an empty site id; give ids separated by commas, e.g. "
                                  "--close 69123-01,69123-02.");
            }
            m_cli_changes.push_back({false, id, "", {}, "--close"});
            if (comma == std::string::npos) {
                break;
            }
            start = comma + 1;
        }
    }
}

void CommandWhatIf::read_first(Run& /*run*/) {
    m_changes = m_changes_path.empty() ? std::vector<Change>{} : io::read_changes(m_changes_path);
    m_changes.insert(m_changes.end(), m_cli_changes.begin(), m_cli_changes.end());
}

void CommandWhatIf::check_sites(const io::SiteSet& sites) {
    // The scenario is checked before the zones are read, so that a wrong id fails at once.
    m_scenario = make_scenario(sites.sites);
}

std::uint32_t CommandWhatIf::site_to_close(const Change& c, const SitesById& by_id,
                                           const std::vector<model::Site>& sites) const {
    if (const auto it = by_id.find(c.id); it != by_id.end()) {
        return it->second;
    }
    const auto& in = m_inputs.sites;
    throw input_error(c.where + ": no site has the id '" + c.id + "' among the " +
                      std::to_string(sites.size()) + " sites read from " + in.paths_text() +
                      (in.border_paths.empty() ? "" : " and the border sites") +
                      (in.options.filter.empty() ? "" : " (filter: " + in.options.filter + ")") +
                      ", ids taken from the field '" + in.options.id_field +
                      "'. Check the id; a site left out by --site-filter cannot be closed.");
}

analysis::Scenario CommandWhatIf::make_scenario(const std::vector<model::Site>& sites) const {
    SitesById by_id;
    for (std::uint32_t s = 0; s < sites.size(); ++s) {
        by_id.emplace(sites[s].id, s);
    }
    analysis::Scenario sc;
    std::set<std::uint32_t> closed;
    std::set<std::string> used;
    for (const auto& s : sites) {
        used.insert(s.id);
    }
    int next_new = 1;
    for (const auto& c : m_changes) {
        if (!c.open) {
            const auto at = site_to_close(c, by_id, sites);
            if (!closed.insert(at).second) {
                m_log.warn(c.where + ": site '" + c.id + "' is closed more than once.");
                continue;
            }
            sc.closed.push_back(at);
            continue;
        }
        model::Site s;
        s.position = c.position;
        s.name = c.name;
        s.type = "opened";
        s.where = c.where;
        if (!c.id.empty()) {
            if (used.contains(c.id)) {
                throw input_error(c.where + ": the id '" + c.id +
                                  "' of the site to open is already used by another site; "
                                  "give a new id or leave it empty.");
            }
            s.id = c.id;
        } else {
            do {
                s.id = "new-" + std::to_string(next_new++);
            } while (used.contains(s.id));
        }
        used.insert(s.id);
        sc.opened.push_back(std::move(s));
    }
    return sc;
}

void CommandWhatIf::compute(Run& run) {
    const auto& in = run.inputs;
    const auto tb = std::chrono::steady_clock::now();
    m_base = analyse(run);
    run.timings.emplace_back("baseline", seconds_since(tb));
    const auto ti = std::chrono::steady_clock::now();
    m_whatif = analysis::what_if(*in.zones.ctx, m_base, in.sites.sites, in.zones.zones, m_scenario,
                                 m_params);
    run.timings.emplace_back("what-if", seconds_since(ti));
    const auto& opened = m_scenario.opened;
    for (std::size_t k = 0; k < opened.size(); ++k) {
        const auto pos = m_whatif.sites.size() - opened.size() + k;
        if (m_whatif.site_results[pos].zone < 0) {
            m_log.warn("opened site " + opened[k].id + " (" + opened[k].where +
                       ") lies outside every zone; it serves the zones nearby all the same.");
        }
    }
    if (m_verify) {
        verify(run);
    }
}

void CommandWhatIf::verify(const Run& run) {
    const auto& zones = run.inputs.zones;
    const auto tf = std::chrono::steady_clock::now();
    const auto full = analysis::analyse(*zones.ctx, m_whatif.sites, zones.zones, m_params);
    const double full_s = seconds_since(tf);
    const auto diffs = output::compare_with_full_rerun(m_whatif, full);
    if (!diffs.empty()) {
        std::string m = "the incremental result differs from a full rerun of the "
                        "analysis with the changed sites (please report it):";
        for (const auto& d : diffs) {
            m += "\n  " + d;
        }
        throw runtime_failure(m);
    }
    m_verification = {{"full_rerun", "identical"},
                      {"cells_compared", m_whatif.stats.cells_total},
                      {"zones_compared", zones.zones.size()},
                      {"full_rerun_s", full_s},
                      {"incremental_s", timing_of(run.timings, "what-if")}};
}

void CommandWhatIf::write(Run& run, io::StagedOutput& out) {
    const auto& in = run.inputs;
    output::RunDescription desc;
    desc.lang = m_output.lang;
    desc.group_names = m_output.group_name_table();
    note_inputs(desc.parameters);
    desc.parameters["format"] = m_output.format;
    note_population_grid(m_params, m_base, desc.parameters, m_log);
    auto whatif = output::make_whatif_summary(m_base, m_whatif, in.sites, in.zones, m_scenario);
    whatif["changes_file"] = m_changes_path;
    if (m_verify) {
        whatif["verification"] = m_verification;
    }
    output::write_whatif_outputs(out, m_output.vector_format(), m_base, m_whatif, in.sites,
                                 in.zones, m_params, desc, whatif);
    for (const auto& m : desc.geometry->warnings()) {
        m_log.warn(m);
    }
    run.parameters = desc.parameters;
}

void CommandWhatIf::add_to_record(const Run& run, RunRecord& record) const {
    record.parameters["changes"] = m_changes_path;
    record.parameters["threshold_km"] = m_params.threshold_km;
    record.parameters["grid_m"] = m_params.grid_m;
    // The phases nested: the baseline's and the incremental step's, with what it recomputed.
    auto timings = nlohmann::ordered_json::object();
    timings["read"] = timing_of(run.timings, "read");
    timings["baseline"] = timing_of(run.timings, "baseline");
    timings["baseline_phases"] = phases_json(m_base.timings_s);
    timings["whatif"] = timing_of(run.timings, "what-if");
    timings["whatif_phases"] = phases_json(m_whatif.timings_s);
    timings["whatif_cells"] = {{"recomputed", m_whatif.stats.cells_recomputed},
                               {"total", m_whatif.stats.cells_total}};
    if (m_verify) {
        timings["full_rerun"] = m_verification["full_rerun_s"];
    }
    timings["write"] = timing_of(run.timings, "write");
    record.timings_nested = timings;
}

void CommandWhatIf::log_timings(const Run& run) const {
    std::ostringstream t;
    t << std::fixed << std::setprecision(2) << "timings (s): read "
      << timing_of(run.timings, "read") << ", baseline " << timing_of(run.timings, "baseline")
      << " (";
    put_phases(t, m_base.timings_s);
    t << "), what-if " << std::setprecision(3) << timing_of(run.timings, "what-if") << " for "
      << m_whatif.stats.cells_recomputed << " of " << m_whatif.stats.cells_total << " cells (";
    put_phases(t, m_whatif.timings_s);
    t << std::setprecision(2) << ")";
    if (m_verify) {
        t << ", full rerun " << m_verification["full_rerun_s"].get<double>();
    }
    t << ", write " << timing_of(run.timings, "write") << "; total " << seconds_since(run.started);
    m_log.info(t.str());
}

void CommandWhatIf::log_results(const Run& /*run*/) const {
    const auto& w = m_whatif;
    const auto& st = w.stats;
    std::ostringstream inc;
    inc << "incremental: " << st.cells_recomputed << " of " << st.cells_total
        << " cells recomputed (" << std::fixed << std::setprecision(2)
        << (st.cells_total > 0 ? 100.0 * static_cast<double>(st.cells_recomputed) /
                                     static_cast<double>(st.cells_total)
                               : 0.0)
        << " %): " << st.cells_closed << " whose nearest site closed, searched again; "
        << st.cells_compared << " compared with an opened site (" << st.cells_in_reach
        << " scanned within " << std::setprecision(1) << st.radius_bound_m / 1000 << " km of one); "
        << st.cells_changed << " changed; " << st.zones_recomputed << " of " << w.zones.size()
        << " zones summed again";
    m_log.info(inc.str());
    if (m_verify) {
        m_log.info("verified: every cell and zone equals a full rerun with the changed sites");
    }
    const auto& base = m_base;
    const double total = base.distribution.total;
    std::ostringstream s;
    s << std::fixed << std::setprecision(0) << "closed " << m_scenario.closed.size()
      << " site(s), opened " << m_scenario.opened.size()
      << ": population whose nearest site changes " << w.population_moved << " ("
      << std::setprecision(2) << (total > 0 ? 100.0 * w.population_moved / total : 0.0)
      << " %); beyond " << m_params.threshold_km << " km: " << std::setprecision(0)
      << base.population_beyond << " -> " << w.population_beyond << " ("
      << w.population_newly_beyond << " newly beyond, " << w.population_back_within
      << " back within); mean distance " << std::setprecision(2) << base.distribution.mean_m / 1000
      << " -> " << w.distribution.mean_m / 1000 << " km (" << std::showpos << std::setprecision(4)
      << (total > 0 ? w.weighted_delta_m / total / 1000 : 0.0) << std::noshowpos << " km)";
    m_log.info(s.str());
}

std::unique_ptr<Command> make_whatif() { return std::make_unique<CommandWhatIf>(); }

} // namespace maillage::cli
