#pragma once

#include "analysis_command.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/whatif.hpp"
#include "maillage/io/change_reader.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace maillage::cli {

/// maillage whatif: the analysis rerun incrementally with sites closed and/or opened, and what
/// changes for the population.
class CommandWhatIf : public AnalysisCommand {
public:
    CommandWhatIf();
    [[nodiscard]] const char* name() const override { return "whatif"; }
    [[nodiscard]] const char* synopsis() const override;
    [[nodiscard]] std::string help() const override;

    /// The changes given by --close and --open, in order, once setup() has run.
    [[nodiscard]] const std::vector<io::SiteChange>& command_line_changes() const {
        return m_cli_changes;
    }
    /// --changes (empty without).
    [[nodiscard]] const std::string& changes_path() const { return m_changes_path; }

private:
    [[nodiscard]] std::vector<std::string> own_path_options() const override;
    void validate(const po::variables_map& vm) override;
    void read_first(Run& run) override;
    void check_sites(const io::SiteSet& sites) override;
    void compute(Run& run) override;
    void write(Run& run, io::StagedOutput& out) override;
    void add_to_record(const Run& run, RunRecord& record) const override;
    void log_timings(const Run& run) const override;
    void log_results(const Run& run) const override;

    /// The --close values: one change per id.
    void parse_close();
    /// Ids to positions; new ids for the opened sites. An unknown id to close is an input error
    /// naming it.
    [[nodiscard]] analysis::Scenario make_scenario(const std::vector<model::Site>& sites) const;
    /// The position of each id among the sites (the first site holding it).
    using SitesById = std::map<std::string, std::uint32_t>;
    /// The position of the site to close named by `c` (input_error when no site has its id).
    [[nodiscard]] std::uint32_t site_to_close(const io::SiteChange& c, const SitesById& by_id,
                                              const std::vector<model::Site>& sites) const;
    /// With --verify: the full analysis with the changed sites must give the same result
    /// (runtime_failure naming the differences otherwise).
    void verify(const Run& run);

    std::vector<std::string> m_close_args;
    std::vector<std::string> m_open_args;
    std::string m_changes_path;
    std::vector<io::SiteChange> m_cli_changes;
    bool m_verify = false;

    // The run's data, from read_first() and compute() to the later stages.
    std::vector<io::SiteChange> m_changes;
    analysis::Scenario m_scenario;
    analysis::AnalysisResult m_base;
    analysis::WhatIfResult m_whatif;
    nlohmann::ordered_json m_verification;
};

} // namespace maillage::cli
