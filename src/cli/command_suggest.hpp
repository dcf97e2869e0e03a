#pragma once

#include "analysis_command.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/candidates.hpp"
#include "maillage/analysis/suggest.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/output/suggest_outputs.hpp"

#include <optional>
#include <string>
#include <vector>

namespace maillage::cli {

/// maillage suggest: where to add sites; the candidates that bring the most population within
/// the threshold (or most reduce the mean distance), chosen greedily after the analysis.
class CommandSuggest : public AnalysisCommand {
public:
    CommandSuggest();
    [[nodiscard]] const char* name() const override { return "suggest"; }
    [[nodiscard]] const char* synopsis() const override;
    [[nodiscard]] std::string help() const override;

    /// The candidates' reading options (--candidates...), once setup() has run.
    [[nodiscard]] const io::SiteReadOptions& candidate_options() const { return m_candidates; }
    /// --add.
    [[nodiscard]] int add() const { return m_add; }
    /// --objective.
    [[nodiscard]] analysis::SuggestObjective objective() const { return m_objective; }

private:
    [[nodiscard]] std::vector<std::string> own_path_options() const override;
    void validate(const po::variables_map& vm) override;
    void read_more(Run& run) override;
    [[nodiscard]] const char* read_more_phase() const override;
    void compute(Run& run) override;
    void write(Run& run, io::StagedOutput& out) override;
    void add_to_record(const Run& run, RunRecord& record) const override;
    void log_results(const Run& run) const override;

    /// The candidates of the run (--candidates, --candidate-grid-m, or the zones), with the
    /// messages of the command about them.
    [[nodiscard]] analysis::Candidates candidates(const io::ZoneSet& zones) const;
    /// A result line of the log: population within the threshold, beyond, mean distance.
    [[nodiscard]] std::string coverage_line(const std::string& head, double covered,
                                            double weighted_sum_m) const;

    io::SiteReadOptions m_candidates;
    double m_candidate_grid_m = 0.0;
    int m_add = 5;
    std::string m_objective_name = "coverage";
    analysis::SuggestObjective m_objective = analysis::SuggestObjective::coverage;
    bool m_no_lazy = false;

    // The run's data, from read_more() and compute() to the later stages.
    std::optional<io::SiteSet> m_file_candidates;
    analysis::AnalysisResult m_result;
    analysis::Candidates m_cands;
    analysis::SuggestResult m_picks;
    std::vector<output::SuggestedSite> m_rows;
};

} // namespace maillage::cli
