#include "analysis_inputs.hpp"
#include "command.hpp"
#include "commands.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/whatif.hpp"
#include "maillage/core/error.hpp"
#include "maillage/io/change_reader.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"
#include "maillage/output/whatif_outputs.hpp"

#include <omp.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

namespace maillage::cli {
namespace {

using Change = io::SiteChange;

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r\n");
    if (b == std::string::npos) {
        return {};
    }
    const auto e = s.find_last_not_of(" \t\r\n");
    return s.substr(b, e - b + 1);
}

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

class CommandWhatIf : public Command {
public:
    [[nodiscard]] const char* name() const override { return "whatif"; }
    [[nodiscard]] const char* synopsis() const override {
        return "close or open sites: what changes for the population (incremental rerun)";
    }

    CommandWhatIf() { build(); }

    void setup(const std::vector<std::string>& args) override {
        m_args = args;
        m_vm = parse(args, m_all, nullptr,
                     {"sites", "border-sites", "zones", "out", "changes", "population-grid"});
        if (m_vm.count("help") != 0U) {
            m_help = true;
            return;
        }
        finish_inputs(m_vm, m_params, m_sites, m_zones, m_strict);
        if (m_format != "geojson" && m_format != "gpkg") {
            throw usage_error("--format must be geojson or gpkg (got '" + m_format + "').");
        }
        set_log_format(m_log_format);
        for (const auto& value : m_close_args) {
            std::size_t start = 0;
            while (true) {
                const auto comma = value.find(',', start);
                const auto id = trim(value.substr(
                    start, comma == std::string::npos ? std::string::npos : comma - start));
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
        for (const auto& value : m_open_args) {
            m_cli_changes.push_back(parse_open(value));
        }
        if (m_cli_changes.empty() && m_changes_path.empty()) {
            throw usage_error("nothing to change: give sites to close (--close ID,...), sites to "
                              "open (--open LON,LAT[,NAME]) or a file of changes (--changes "
                              "FILE).");
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
        io::StagedOutput out(m_out);
        if (out.completed_interrupted_commits() > 0) {
            warn(m_out + ": completed the outputs of an earlier run that was stopped while moving "
                         "them into place",
                 m_quiet);
        }

        auto changes =
            m_changes_path.empty() ? std::vector<Change>{} : io::read_changes(m_changes_path);
        changes.insert(changes.end(), m_cli_changes.begin(), m_cli_changes.end());
        // The scenario is checked before the zones are read, so that a wrong id fails at once.
        analysis::Scenario scenario;
        auto inputs = read_inputs(m_sites, m_zones, m_quiet, [&](const io::SiteSet& read) {
            scenario = make_scenario(changes, read.sites);
        });
        const auto& sites = inputs.sites;
        const auto& zones = inputs.zones;
        const double read_s = inputs.read_s;

        // Baseline: the full analysis, keeping every cell's exact distance.
        auto params = m_params;
        params.keep_details = true;
        const auto progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        const auto tb = std::chrono::steady_clock::now();
        const auto base = analysis::analyse(*zones.ctx, sites.sites, zones.zones, params, progress);
        warn_site_placement(inputs, base, m_quiet);
        const double baseline_s = seconds_since(tb);

        // The scenario, incrementally.
        const auto ti = std::chrono::steady_clock::now();
        const auto w =
            analysis::what_if(*zones.ctx, base, sites.sites, zones.zones, scenario, params);
        const double whatif_s = seconds_since(ti);
        for (std::size_t k = 0; k < scenario.opened.size(); ++k) {
            const auto pos = w.sites.size() - scenario.opened.size() + k;
            if (w.site_results[pos].zone < 0) {
                warn("opened site " + scenario.opened[k].id + " (" + scenario.opened[k].where +
                         ") lies outside every zone; it serves the zones nearby all the same.",
                     m_quiet);
            }
        }

        nlohmann::ordered_json verification;
        double full_s = 0.0;
        if (m_verify) {
            const auto tf = std::chrono::steady_clock::now();
            const auto full = analysis::analyse(*zones.ctx, w.sites, zones.zones, params);
            full_s = seconds_since(tf);
            const auto diffs = output::compare_with_full_rerun(w, full);
            if (!diffs.empty()) {
                std::string m = "the incremental result differs from a full rerun of the "
                                "analysis with the changed sites (please report it):";
                for (const auto& d : diffs) {
                    m += "\n  " + d;
                }
                throw runtime_failure(m);
            }
            verification = {{"full_rerun", "identical"},
                            {"cells_compared", w.stats.cells_total},
                            {"zones_compared", zones.zones.size()},
                            {"full_rerun_s", full_s},
                            {"incremental_s", whatif_s}};
        }

        const auto tw = std::chrono::steady_clock::now();
        output::RunDescription run;
        note_site_parameters(m_sites, run.parameters);
        run.parameters["zones"] = m_zones.path;
        run.parameters["format"] = m_format;
        note_population_grid(m_params, base, run.parameters, m_quiet);
        auto whatif = output::make_whatif_summary(base, w, sites, zones, scenario);
        whatif["changes_file"] = m_changes_path;
        if (m_verify) {
            whatif["verification"] = verification;
        }
        output::write_whatif_outputs(
            out, m_format == "gpkg" ? output::VectorFormat::gpkg : output::VectorFormat::geojson,
            base, w, sites, zones, m_params, run, whatif);
        for (const auto& m : run.geometry->warnings()) {
            warn(m, m_quiet);
        }
        const double write_s = seconds_since(tw);

        auto timings = nlohmann::ordered_json::object();
        timings["read"] = read_s;
        auto phases = nlohmann::ordered_json::object();
        for (const auto& [phase, s] : base.timings_s) {
            phases[phase] = s;
        }
        timings["baseline"] = baseline_s;
        timings["baseline_phases"] = phases;
        phases = nlohmann::ordered_json::object();
        for (const auto& [phase, s] : w.timings_s) {
            phases[phase] = s;
        }
        timings["whatif"] = whatif_s;
        timings["whatif_phases"] = phases;
        // What the incremental step recomputed, beside its time.
        timings["whatif_cells"] = {{"recomputed", w.stats.cells_recomputed},
                                   {"total", w.stats.cells_total}};
        if (m_verify) {
            timings["full_rerun"] = full_s;
        }
        timings["write"] = write_s;
        RunRecord record{"whatif", m_args, m_started_utc, run.parameters, site_input_records(sites),
                         {}};
        record.inputs.emplace_back("zones", &zones.report);
        const auto grid_files = population_grid_files(base);
        if (base.population_grid) {
            record.inputs.emplace_back("population_grid", &grid_files);
        }
        record.parameters["changes"] = m_changes_path;
        record.parameters["threshold_km"] = m_params.threshold_km;
        record.parameters["grid_m"] = m_params.grid_m;
        // total: up to here (run.json's own hashing excepted).
        timings["total"] = seconds_since(t0);
        record.timings_nested = timings;
        write_run_record(out, record);
        out.commit();

        if (!m_quiet) {
            log_results(base, w, scenario, read_s, baseline_s, whatif_s, full_s, write_s,
                        seconds_since(t0));
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
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

private:
    void build() {
        po::options_description changes("Changes", help_width);
        changes.add_options()("close",
                              po::value<std::vector<std::string>>(&m_close_args)->composing(),
                              "close the sites with these ids (comma-separated; repeatable)")(
            "open", po::value<std::vector<std::string>>(&m_open_args)->composing(),
            "open a site at LON,LAT (WGS84 degrees), optionally named: LON,LAT,NAME (repeatable)")(
            "changes", po::value<std::string>(&m_changes_path),
            "CSV of changes: columns action (close|open), id, lon, lat, name")(
            "verify", po::bool_switch(&m_verify),
            "also run the full analysis with the changed sites and check that every cell and "
            "zone is identical (slower)");
        po::options_description outd("Output", help_width);
        outd.add_options()("out,o", po::value<std::string>(&m_out)->default_value("out-whatif"),
                           "output folder")(
            "format", po::value<std::string>(&m_format)->default_value("geojson"),
            "geojson (one file per layer) or gpkg (one whatif.gpkg)");
        po::options_description in("Inputs", help_width);
        add_input_options(in, m_sites, m_zones, m_strict);
        po::options_description calc("Computation", help_width);
        // No --by-type or --catchments: the incremental step does not update them.
        add_analysis_options(calc, m_params, false);
        m_all.add(changes)
            .add(in)
            .add(calc)
            .add(population_grid_options(m_params.population_grid))
            .add(outd)
            .add(
                common_options(m_progress, m_no_progress, m_params.threads, m_quiet, m_log_format));
    }

    static Change parse_open(const std::string& value) {
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

    /// Ids to positions; new ids for the opened sites. An unknown id to close is an input error
    /// naming it.
    analysis::Scenario make_scenario(const std::vector<Change>& changes,
                                     const std::vector<model::Site>& sites) const {
        std::map<std::string, std::uint32_t> by_id;
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
        for (const auto& c : changes) {
            if (!c.open) {
                const auto it = by_id.find(c.id);
                if (it == by_id.end()) {
                    throw input_error(
                        c.where + ": no site has the id '" + c.id + "' among the " +
                        std::to_string(sites.size()) + " sites read from " + m_sites.paths_text() +
                        (m_sites.border_paths.empty() ? "" : " and the border sites") +
                        (m_sites.options.filter.empty()
                             ? ""
                             : " (filter: " + m_sites.options.filter + ")") +
                        ", ids taken from the field '" + m_sites.options.id_field +
                        "'. Check the id; a site left out by --site-filter cannot be closed.");
                }
                if (!closed.insert(it->second).second) {
                    warn(c.where + ": site '" + c.id + "' is closed more than once.", m_quiet);
                    continue;
                }
                sc.closed.push_back(it->second);
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

    void log_results(const analysis::AnalysisResult& base, const analysis::WhatIfResult& w,
                     const analysis::Scenario& sc, double read_s, double baseline_s,
                     double whatif_s, double full_s, double write_s, double total_s) const {
        std::ostringstream t;
        t << std::fixed << std::setprecision(2) << "timings (s): read " << read_s << ", baseline "
          << baseline_s << " (";
        bool first = true;
        for (const auto& [phase, s] : base.timings_s) {
            t << (first ? "" : ", ") << phase << ' ' << s;
            first = false;
        }
        t << "), what-if " << std::setprecision(3) << whatif_s << " for "
          << w.stats.cells_recomputed << " of " << w.stats.cells_total << " cells (";
        first = true;
        for (const auto& [phase, s] : w.timings_s) {
            t << (first ? "" : ", ") << phase << ' ' << s;
            first = false;
        }
        t << std::setprecision(2) << ")";
        if (m_verify) {
            t << ", full rerun " << full_s;
        }
        t << ", write " << write_s << "; total " << total_s;
        log(t.str());
        const auto& st = w.stats;
        std::ostringstream inc;
        inc << "incremental: " << st.cells_recomputed << " of " << st.cells_total
            << " cells recomputed (" << std::fixed << std::setprecision(2)
            << (st.cells_total > 0 ? 100.0 * static_cast<double>(st.cells_recomputed) /
                                         static_cast<double>(st.cells_total)
                                   : 0.0)
            << " %): " << st.cells_closed << " whose nearest site closed, searched again; "
            << st.cells_compared << " compared with an opened site (" << st.cells_in_reach
            << " scanned within " << std::setprecision(1) << st.radius_bound_m / 1000
            << " km of one); " << st.cells_changed << " changed; " << st.zones_recomputed << " of "
            << w.zones.size() << " zones summed again";
        log(inc.str());
        if (m_verify) {
            log("verified: every cell and zone equals a full rerun with the changed sites");
        }
        const double total = base.distribution.total;
        const double th = m_params.threshold_km;
        std::ostringstream s;
        s << std::fixed << std::setprecision(0) << "closed " << sc.closed.size()
          << " site(s), opened " << sc.opened.size() << ": population whose nearest site changes "
          << w.population_moved << " (" << std::setprecision(2)
          << (total > 0 ? 100.0 * w.population_moved / total : 0.0) << " %); beyond " << th
          << " km: " << std::setprecision(0) << base.population_beyond << " -> "
          << w.population_beyond << " (" << w.population_newly_beyond << " newly beyond, "
          << w.population_back_within << " back within); mean distance " << std::setprecision(2)
          << base.distribution.mean_m / 1000 << " -> " << w.distribution.mean_m / 1000 << " km ("
          << std::showpos << std::setprecision(4)
          << (total > 0 ? w.weighted_delta_m / total / 1000 : 0.0) << std::noshowpos << " km)";
        log(s.str());
        log("results in " + m_out + "/");
    }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    SiteInputs m_sites;
    io::ZoneReadOptions m_zones;
    analysis::Parameters m_params;
    std::vector<std::string> m_close_args;
    std::vector<std::string> m_open_args;
    std::string m_changes_path;
    std::vector<Change> m_cli_changes;
    bool m_verify = false;
    std::string m_out = "out-whatif";
    std::string m_format = "geojson";
    bool m_strict = false;
    bool m_progress = false;
    bool m_no_progress = false;
    bool m_quiet = false;
    bool m_help = false;
    std::string m_log_format = "text";
    std::vector<std::string> m_args;
    std::string m_started_utc;
};

} // namespace

std::unique_ptr<Command> make_whatif() { return std::make_unique<CommandWhatIf>(); }

} // namespace maillage::cli
