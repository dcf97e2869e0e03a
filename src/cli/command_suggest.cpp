#include "analysis_inputs.hpp"
#include "commands.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/candidates.hpp"
#include "maillage/analysis/suggest.hpp"
#include "maillage/core/error.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/output/outputs.hpp"
#include "maillage/output/suggest_outputs.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <optional>
#include <sstream>

namespace maillage::cli {
namespace {

class CommandSuggest : public Command {
public:
    [[nodiscard]] const char* name() const override { return "suggest"; }
    [[nodiscard]] const char* synopsis() const override {
        return "where to add sites: the candidates bringing the most population within reach";
    }

    CommandSuggest() { build(); }

    void setup(const std::vector<std::string>& args) override {
        m_args = args;
        m_vm = parse(args, m_all, nullptr,
                     {"sites", "border-sites", "zones", "out", "candidates", "population-grid"});
        if (m_vm.count("help") != 0U) {
            m_help = true;
            return;
        }
        if (m_format != "geojson" && m_format != "gpkg") {
            throw usage_error("--format must be geojson or gpkg (got '" + m_format + "').");
        }
        set_log_format(m_log_format);
        if (m_add < 1) {
            throw usage_error("--add must be a number of sites, 1 or more (got " +
                              std::to_string(m_add) + ").");
        }
        if (m_objective_name == "coverage") {
            m_objective = analysis::SuggestObjective::coverage;
        } else if (m_objective_name == "mean-distance") {
            m_objective = analysis::SuggestObjective::mean_distance;
        } else {
            throw usage_error("--objective must be coverage or mean-distance (got '" +
                              m_objective_name + "').");
        }
        if (m_vm.count("candidate-grid-m") != 0U) {
            if (!m_candidates.path.empty()) {
                throw usage_error("--candidates and --candidate-grid-m are alternatives: give "
                                  "one of them (or neither, for the zones' reference points).");
            }
            if (!(m_candidate_grid_m >= 10.0) || !std::isfinite(m_candidate_grid_m)) {
                throw usage_error("--candidate-grid-m must be a cell size in metres, 10 or more "
                                  "(got " +
                                  fmt(m_candidate_grid_m) + ").");
            }
        }
        m_candidates.option_stem = "candidate";
        m_candidates.number_without_id = m_vm["candidate-id"].defaulted();
        finish_inputs(m_vm, m_params, m_sites, m_zones, m_strict);
        m_candidates.strict = m_strict;
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

        auto inputs = read_inputs(m_sites, m_zones, m_quiet);
        auto& sites = inputs.sites;
        auto& zones = inputs.zones;
        std::vector<std::pair<std::string, double>> timings{{"read", inputs.read_s}};
        std::optional<io::SiteSet> file_candidates;
        if (!m_candidates.path.empty()) {
            const auto tc = std::chrono::steady_clock::now();
            file_candidates = io::read_sites(m_candidates);
            for (const auto& n : file_candidates->report.skipped) {
                warn(m_candidates.path + ": " + n.where + ": skipped: " + n.reason, m_quiet);
            }
            timings.emplace_back("read candidates", seconds_since(tc));
        }

        const analysis::ProgressFn progress = progress_reporter(m_progress, m_no_progress, m_quiet);
        auto result = analysis::analyse(*zones.ctx, sites.sites, zones.zones, m_params, progress);
        warn_site_placement(inputs, result, m_quiet);
        for (const auto& phase : result.timings_s) {
            timings.push_back(phase);
        }

        auto tp = std::chrono::steady_clock::now();
        const auto cands = candidates(result, zones, file_candidates);
        auto demands = analysis::demands_of(result, sites.sites, zones.zones);
        timings.emplace_back("candidates", seconds_since(tp));
        if (!m_quiet) {
            log(std::to_string(cands.position.size()) + " candidates (" + cands.source + "), " +
                std::to_string(demands.size()) + " demand points");
        }

        tp = std::chrono::steady_clock::now();
        analysis::SuggestOptions so;
        so.add = static_cast<std::size_t>(m_add);
        so.threshold_m = m_params.threshold_km * 1000.0;
        so.objective = m_objective;
        so.lazy = !m_no_lazy;
        const auto picks = analysis::suggest_sites(std::move(demands), cands.position, so);
        timings.emplace_back("suggest", seconds_since(tp));
        for (const auto& [phase, sec] : picks.timings_s) {
            timings.emplace_back("suggest: " + phase, sec);
        }

        const auto rows = output::suggested_sites(picks, cands, zones.zones, m_objective);
        const auto tw = std::chrono::steady_clock::now();
        output::RunDescription run;
        note_site_parameters(m_sites, run.parameters);
        run.parameters["zones"] = m_zones.path;
        run.parameters["format"] = m_format;
        run.parameters["add"] = m_add;
        run.parameters["objective"] = m_objective_name;
        run.parameters["candidates"] = cands.source == "file" ? m_candidates.path : cands.source;
        if (cands.source == "grid") {
            run.parameters["candidate_grid_m"] = m_candidate_grid_m;
        }
        note_population_grid(m_params, result, run.parameters, m_quiet);
        output::SuggestSummaryOptions summary;
        summary.objective = m_objective_name;
        summary.add = m_add;
        summary.threshold_km = m_params.threshold_km;
        summary.lazy = !m_no_lazy;
        summary.candidates_path = m_candidates.path;
        summary.candidates_report = file_candidates ? &file_candidates->report : nullptr;
        summary.grid_m = m_candidate_grid_m;
        run.summary_extra["suggest"] = output::suggest_summary(picks, rows, cands, summary);
        const auto format =
            m_format == "gpkg" ? output::VectorFormat::gpkg : output::VectorFormat::geojson;
        output::write_outputs(out, format, result, sites, zones, m_params, run);
        for (const auto& m : run.geometry->warnings()) {
            warn(m, m_quiet);
        }
        output::write_suggested(out, format, rows);
        const double write_s = seconds_since(tw);
        timings.emplace_back("write", write_s);
        timings.emplace_back("total", seconds_since(t0));

        RunRecord record{
            "suggest", m_args, m_started_utc, run.parameters, site_input_records(sites), timings};
        record.inputs.emplace_back("zones", &zones.report);
        if (file_candidates) {
            record.inputs.emplace_back("candidates", &file_candidates->report);
        }
        const auto grid_files = population_grid_files(result);
        if (result.population_grid) {
            record.inputs.emplace_back("population_grid", &grid_files);
        }
        record.parameters["threshold_km"] = m_params.threshold_km;
        record.parameters["grid_m"] = m_params.grid_m;
        write_run_record(out, record);
        out.commit();

        if (!m_quiet) {
            log_results(timings, picks, rows);
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage suggest [OPTIONS]\n\n"
          << "Where to add sites: keeps the existing sites and chooses, one at a time, the N\n"
          << "candidate places that bring the most population within the threshold (maximal\n"
          << "covering location, greedy) or, with --objective mean-distance, that most reduce\n"
          << "the population-weighted distance to the nearest site (p-median gain).\n"
          << "Candidates: --candidates FILE, or --candidate-grid-m M (grid cells), or by default\n"
          << "the reference points of the zones. Writes the analysis of the existing sites (as\n"
          << "`analyse` does) and the chosen sites in order (suggested.geojson, suggested.csv),\n"
          << "with the coverage curve in summary.json.\n\n"
          << m_all;
        return o.str();
    }

private:
    void build() {
        po::options_description in("Inputs", help_width);
        add_input_options(in, m_sites, m_zones, m_strict);
        po::options_description cand("Candidates", help_width);
        cand.add_options()("candidates", po::value<std::string>(&m_candidates.path),
                           "candidate places: any OGR point layer, or a CSV with lon/lat "
                           "columns (default: the zones' reference points)")(
            "candidates-crs", po::value<std::string>(&m_candidates.crs),
            "CRS of the candidates, overriding the layer's (CSV default EPSG:4326)")(
            "candidate-id", po::value<std::string>(&m_candidates.id_field)->default_value("id"),
            "candidate id field (when the default is absent: numbered 1, 2, ...)")(
            "candidate-name", po::value<std::string>(&m_candidates.name_field),
            "candidate name field (default: nom, else name)")(
            "candidate-filter", po::value<std::string>(&m_candidates.filter),
            "OGR attribute filter on the candidates")(
            "candidate-grid-m", po::value<double>(&m_candidate_grid_m),
            "candidates: the centres of the cells of a grid of this size (m, equal-area) in the "
            "study area");
        po::options_description calc("Computation", help_width);
        add_analysis_options(calc, m_params);
        calc.add_options()("add", po::value<int>(&m_add)->default_value(5),
                           "number of sites to add")(
            "objective", po::value<std::string>(&m_objective_name)->default_value("coverage"),
            "coverage (population brought within the threshold) or mean-distance (reduction of "
            "the population-weighted distance)")(
            "no-lazy", po::bool_switch(&m_no_lazy),
            "evaluate every candidate at every step (same result, slower; for checking)");
        po::options_description outd("Output", help_width);
        outd.add_options()("out,o", po::value<std::string>(&m_out)->default_value("out"),
                           "output folder")(
            "format", po::value<std::string>(&m_format)->default_value("geojson"),
            "geojson (one file per layer) or gpkg (one maillage.gpkg)");
        m_all.add(in)
            .add(cand)
            .add(calc)
            .add(population_grid_options(m_params.population_grid))
            .add(outd)
            .add(
                common_options(m_progress, m_no_progress, m_params.threads, m_quiet, m_log_format));
    }

    /// The candidates of the run (--candidates, --candidate-grid-m, or the zones), with the
    /// messages of the command about them.
    [[nodiscard]] analysis::Candidates candidates(const analysis::AnalysisResult& r,
                                                  const io::ZoneSet& zones,
                                                  const std::optional<io::SiteSet>& file) const {
        if (file) {
            auto c = analysis::place_candidates(*zones.ctx, zones.zones, file->sites);
            if (c.position.empty()) {
                throw input_error(
                    m_candidates.path + ": none of the " + std::to_string(file->sites.size()) +
                    " candidates lies in a zone of the study area (e.g. " + c.outside_examples +
                    "); new sites are placed in the study area only. Check the "
                    "candidates' coordinates and CRS (--candidates-crs).");
            }
            if (c.outside_study_area > 0) {
                warn(m_candidates.path + ": " + std::to_string(c.outside_study_area) +
                         " candidate(s) outside every zone left out (e.g. " + c.outside_examples +
                         "): new sites are placed in the study area only; border sites count as "
                         "existing coverage.",
                     m_quiet);
            }
            return c;
        }
        if (m_vm.count("candidate-grid-m") != 0U) {
            auto c = analysis::grid_candidates(*zones.ctx, r, zones.zones, m_candidate_grid_m);
            if (c.position.empty()) {
                throw input_error("no cell of the " + fmt(m_candidate_grid_m) +
                                  " m candidate grid has its centre in a zone; choose a smaller "
                                  "--candidate-grid-m.");
            }
            return c;
        }
        return analysis::zone_candidates(r, zones.zones);
    }

    void log_results(const std::vector<std::pair<std::string, double>>& timings,
                     const analysis::SuggestResult& s,
                     const std::vector<output::SuggestedSite>& rows) const {
        std::ostringstream t;
        t << std::fixed << std::setprecision(2) << "timings (s):";
        for (std::size_t k = 0; k < timings.size(); ++k) {
            t << (k == 0 ? " " : (timings[k].first == "total" ? "; " : ", ")) << timings[k].first
              << ' ' << timings[k].second;
        }
        log(t.str());
        const double pop = s.population;
        auto line = [&](const std::string& head, double covered, double wsum) {
            std::ostringstream o;
            o << std::fixed << head << ": within " << fmt(m_params.threshold_km) << " km "
              << std::setprecision(0) << covered << " (" << std::setprecision(2)
              << (pop > 0 ? 100.0 * covered / pop : 0.0) << " %), beyond " << std::setprecision(0)
              << pop - covered << ", mean distance " << std::setprecision(2)
              << (pop > 0 ? wsum / pop / 1000.0 : 0.0) << " km";
            return o.str();
        };
        log(line("before", s.covered_before, s.weighted_sum_before_m));
        for (const auto& r : rows) {
            std::ostringstream o;
            o << std::fixed << "  " << r.rank << ". " << r.name << " (" << r.id << ", "
              << std::setprecision(5) << r.position.lon << ", " << r.position.lat << "): +"
              << std::setprecision(0) << r.newly_covered << " within reach, mean distance -"
              << std::setprecision(3) << r.mean_km_drop << " km";
            log(o.str());
        }
        if (!s.picks.empty()) {
            log(line("after " + std::to_string(s.picks.size()) + " new site(s)",
                     s.picks.back().covered, s.picks.back().weighted_sum_m));
        }
        if (!s.exhausted && rows.size() < static_cast<std::size_t>(m_add)) {
            warn("only " + std::to_string(rows.size()) + " candidate(s) to choose from; " +
                     std::to_string(m_add) + " sites were asked for.",
                 m_quiet);
        }
        if (s.exhausted) {
            warn("only " + std::to_string(s.picks.size()) + " of the " + std::to_string(m_add) +
                     " sites asked for bring any gain: no other candidate " +
                     (m_objective == analysis::SuggestObjective::coverage
                          ? "brings anyone within the threshold."
                          : "brings anyone closer to a site."),
                 m_quiet);
        }
        log("results in " + m_out + "/");
    }

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    SiteInputs m_sites;
    io::ZoneReadOptions m_zones;
    io::SiteReadOptions m_candidates;
    analysis::Parameters m_params;
    double m_candidate_grid_m = 0.0;
    int m_add = 5;
    std::string m_objective_name = "coverage";
    analysis::SuggestObjective m_objective = analysis::SuggestObjective::coverage;
    bool m_no_lazy = false;
    std::string m_out = "out";
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

std::unique_ptr<Command> make_suggest() { return std::make_unique<CommandSuggest>(); }

} // namespace maillage::cli
