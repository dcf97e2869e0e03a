// maillage suggest: where to add sites (maximal covering location or p-median gain, greedy).

#include "command_suggest.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/output/outputs.hpp"

#include <chrono>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace maillage::cli {

CommandSuggest::CommandSuggest() : AnalysisCommand({.command = "suggest"}) {
    po::options_description in("Inputs", help_width);
    m_inputs.add_to(in);
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
    add_coordinate_options(cand, m_candidates, "candidate-", "candidates");
    po::options_description calc("Computation", help_width);
    add_analysis_options(calc, m_params);
    calc.add_options()("add", po::value<int>(&m_add)->default_value(5), "number of sites to add")(
        "objective", po::value<std::string>(&m_objective_name)->default_value("coverage"),
        "coverage (population brought within the threshold) or mean-distance (reduction of "
        "the population-weighted distance)")(
        "no-lazy", po::bool_switch(&m_no_lazy),
        "evaluate every candidate at every step (same result, slower; for checking)");
    po::options_description outd("Output", help_width);
    m_output.add_to(outd);
    m_all.add(in)
        .add(cand)
        .add(calc)
        .add(m_inputs.population_grid_group())
        .add(outd)
        .add(m_common.group());
}

const char* CommandSuggest::synopsis() const {
    return "where to add sites: the candidates bringing the most population within reach";
}

std::string CommandSuggest::help() const {
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

std::vector<std::string> CommandSuggest::own_path_options() const { return {"candidates"}; }

void CommandSuggest::validate(const po::variables_map& vm) {
    m_output.validate();
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
    if (vm.count("candidate-grid-m") != 0U) {
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
    m_candidates.number_without_id = vm["candidate-id"].defaulted();
    m_inputs.validate(vm);
    check_analysis_parameters(m_params);
    m_candidates.strict = m_inputs.strict;
}

void CommandSuggest::read_more(Run& /*run*/) {
    if (m_candidates.path.empty()) {
        return;
    }
    m_file_candidates = io::read_sites(m_candidates);
    for (const auto& n : m_file_candidates->report.skipped) {
        m_log.warn(m_candidates.path + ": " + n.where + ": skipped: " + n.reason);
    }
}

const char* CommandSuggest::read_more_phase() const {
    return m_candidates.path.empty() ? nullptr : "read candidates";
}

void CommandSuggest::compute(Run& run) {
    const auto& in = run.inputs;
    m_result = analyse(run);
    run.timings.insert(run.timings.end(), m_result.timings_s.begin(), m_result.timings_s.end());
    auto tp = std::chrono::steady_clock::now();
    m_cands = candidates(in.zones);
    auto demands = analysis::demands_of(m_result, in.sites.sites, in.zones.zones);
    run.timings.emplace_back("candidates", seconds_since(tp));
    m_log.info(std::to_string(m_cands.position.size()) + " candidates (" + m_cands.source + "), " +
               std::to_string(demands.size()) + " demand points");
    tp = std::chrono::steady_clock::now();
    analysis::SuggestOptions so;
    so.add = static_cast<std::size_t>(m_add);
    so.threshold_m = m_params.threshold_km * 1000.0;
    so.objective = m_objective;
    so.lazy = !m_no_lazy;
    m_picks = analysis::suggest_sites(std::move(demands), m_cands.position, so);
    run.timings.emplace_back("suggest", seconds_since(tp));
    for (const auto& [phase, sec] : m_picks.timings_s) {
        run.timings.emplace_back("suggest: " + phase, sec);
    }
    m_rows = output::suggested_sites(m_picks, m_cands, in.zones.zones, m_objective);
}

analysis::Candidates CommandSuggest::candidates(const io::ZoneSet& zones) const {
    if (m_file_candidates) {
        const auto& file = *m_file_candidates;
        auto c = analysis::place_candidates(*zones.ctx, zones.zones, file.sites);
        if (c.position.empty()) {
            throw input_error(
                m_candidates.path + ": none of the " + std::to_string(file.sites.size()) +
                " candidates lies in a zone of the study area (e.g. " + c.outside_examples +
                "); new sites are placed in the study area only. Check the "
                "candidates' coordinates and CRS (--candidates-crs).");
        }
        if (c.outside_study_area > 0) {
            m_log.warn(m_candidates.path + ": " + std::to_string(c.outside_study_area) +
                       " candidate(s) outside every zone left out (e.g. " + c.outside_examples +
                       "): new sites are placed in the study area only; border sites count as "
                       "existing coverage.");
        }
        return c;
    }
    if (m_vm.count("candidate-grid-m") != 0U) {
        auto c = analysis::grid_candidates(*zones.ctx, m_result, zones.zones, m_candidate_grid_m);
        if (c.position.empty()) {
            throw input_error("no cell of the " + fmt(m_candidate_grid_m) +
                              " m candidate grid has its centre in a zone; choose a smaller "
                              "--candidate-grid-m.");
        }
        return c;
    }
    return analysis::zone_candidates(m_result, zones.zones);
}

void CommandSuggest::write(Run& run, io::StagedOutput& out) {
    output::RunDescription desc;
    desc.lang = m_output.lang;
    desc.group_names = m_output.group_name_table();
    note_inputs(desc.parameters);
    desc.parameters["format"] = m_output.format;
    desc.parameters["add"] = m_add;
    desc.parameters["objective"] = m_objective_name;
    desc.parameters["candidates"] = m_cands.source == "file" ? m_candidates.path : m_cands.source;
    if (m_cands.source == "grid") {
        desc.parameters["candidate_grid_m"] = m_candidate_grid_m;
    }
    note_population_grid(m_params, m_result, desc.parameters, m_log);
    output::SuggestSummaryOptions summary;
    summary.objective = m_objective_name;
    summary.add = m_add;
    summary.threshold_km = m_params.threshold_km;
    summary.lazy = !m_no_lazy;
    summary.candidates_path = m_candidates.path;
    summary.candidates_report = m_file_candidates ? &m_file_candidates->report : nullptr;
    summary.grid_m = m_candidate_grid_m;
    desc.summary_extra["suggest"] = output::suggest_summary(m_picks, m_rows, m_cands, summary);
    const auto format = m_output.vector_format();
    output::write_outputs(out, format, m_result, run.inputs.sites, run.inputs.zones, m_params,
                          desc);
    for (const auto& m : desc.geometry->warnings()) {
        m_log.warn(m);
    }
    output::write_suggested(out, format, m_rows, m_output.lang);
    run.parameters = desc.parameters;
}

void CommandSuggest::add_to_record(const Run& /*run*/, RunRecord& record) const {
    if (m_file_candidates) {
        record.inputs.emplace_back("candidates", &m_file_candidates->report);
    }
    record.parameters["threshold_km"] = m_params.threshold_km;
    record.parameters["grid_m"] = m_params.grid_m;
}

std::string CommandSuggest::coverage_line(const std::string& head, double covered,
                                          double weighted_sum_m) const {
    const double pop = m_picks.population;
    std::ostringstream o;
    o << std::fixed << head << ": within " << fmt(m_params.threshold_km) << " km "
      << std::setprecision(0) << covered << " (" << std::setprecision(2)
      << (pop > 0 ? 100.0 * covered / pop : 0.0) << " %), beyond " << std::setprecision(0)
      << pop - covered << ", mean distance " << std::setprecision(2)
      << (pop > 0 ? weighted_sum_m / pop / 1000.0 : 0.0) << " km";
    return o.str();
}

void CommandSuggest::log_results(const Run& /*run*/) const {
    const auto& s = m_picks;
    m_log.info(coverage_line("before", s.covered_before, s.weighted_sum_before_m));
    for (const auto& r : m_rows) {
        std::ostringstream o;
        o << std::fixed << "  " << r.rank << ". " << r.name << " (" << r.id << ", "
          << std::setprecision(5) << r.position.lon << ", " << r.position.lat << "): +"
          << std::setprecision(0) << r.newly_covered << " within reach, mean distance -"
          << std::setprecision(3) << r.mean_km_drop << " km";
        m_log.info(o.str());
    }
    if (!s.picks.empty()) {
        m_log.info(coverage_line("after " + std::to_string(s.picks.size()) + " new site(s)",
                                 s.picks.back().covered, s.picks.back().weighted_sum_m));
    }
    if (!s.exhausted && m_rows.size() < static_cast<std::size_t>(m_add)) {
        m_log.warn("only " + std::to_string(m_rows.size()) + " candidate(s) to choose from; " +
                   std::to_string(m_add) + " sites were asked for.");
    }
    if (s.exhausted) {
        m_log.warn("only " + std::to_string(s.picks.size()) + " of the " + std::to_string(m_add) +
                   " sites asked for bring any gain: no other candidate " +
                   (m_objective == analysis::SuggestObjective::coverage
                        ? "brings anyone within the threshold."
                        : "brings anyone closer to a site."));
    }
}

std::unique_ptr<Command> make_suggest() { return std::make_unique<CommandSuggest>(); }

} // namespace maillage::cli
