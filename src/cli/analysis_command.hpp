#pragma once

// The lifecycle of the commands built on the analysis (analyse, access, suggest, whatif):
// setup() parses and checks the options (CommonOptions, InputOptions, OutputOptions,
// then the command's own); run() stages the output folder, reads the inputs, computes, writes,
// records run.json, commits (or publishes to PostGIS) and logs the timings and results. A
// command says only what is its own, in the hooks below.

#include "analysis_inputs.hpp"
#include "command.hpp"
#include "logger.hpp"
#include "option_groups.hpp"

#include "maillage/analysis/analysis.hpp"
#include "maillage/io/output_dir.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace maillage::cli {

/// A command built on the analysis. The derived class builds m_all in its constructor (with
/// the groups of m_inputs, m_output and m_common) and fills the hooks.
class AnalysisCommand : public Command {
public:
    /// Parses `args`, checks the common options (a --help stops there), makes the logger,
    /// then checks the command's options (validate()).
    void setup(const std::vector<std::string>& args) final;
    /// The help with --help; else the whole lifecycle. Returns the exit code (0).
    int run() final;
    [[nodiscard]] const Logger& logger() const final { return m_log; }

    /// The values of the options, once setup() has run.
    [[nodiscard]] const CommonOptions& common() const { return m_common; }
    [[nodiscard]] const InputOptions& inputs() const { return m_inputs; }
    [[nodiscard]] const OutputOptions& output() const { return m_output; }
    [[nodiscard]] const analysis::Parameters& parameters() const { return m_params; }

protected:
    explicit AnalysisCommand(OutputOptions::Spec output) : m_output(std::move(output)) {}

    /// What a run carries from one stage to the next.
    struct Run {
        // Not noexcept: the members' default constructors may allocate.
        Run() noexcept(false) = default;
        ~Run() = default;
        Run(const Run&) = delete; ///< one run, never copied nor moved
        Run& operator=(const Run&) = delete;
        Run(Run&&) = delete;
        Run& operator=(Run&&) = delete;

        std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
        std::string started_utc;
        Inputs inputs;
        analysis::ProgressFn progress;
        /// The phases in order: read, the computation's, write (run.json adds total).
        std::vector<std::pair<std::string, double>> timings;
        /// The run's parameters (summary.json), set by write(); run.json records them too.
        nlohmann::ordered_json parameters;
        /// The population grid's files, when the analysis read one.
        std::optional<model::ReadReport> population_grid;
    };

    /// The command's own options whose relative paths in a config file are taken from the
    /// file's folder (the inputs' and --out are already known).
    [[nodiscard]] virtual std::vector<std::string> own_path_options() const { return {}; }
    /// Checks the options after the common ones, in the command's order: m_output.validate(),
    /// m_inputs.validate(vm), its own (usage_error).
    virtual void validate(const po::variables_map& vm) = 0;

    /// Reads what the command needs before the sites (whatif: its file of changes).
    virtual void read_first(Run& /*run*/) {}
    /// Checks the sites once read, before the zones are read, so that an error in them comes
    /// at once (whatif: an unknown id to close).
    virtual void check_sites(const io::SiteSet& /*sites*/) {}
    /// Reads what the command needs besides the sites and zones, after them.
    virtual void read_more(Run& /*run*/) {}
    /// The phase of read_more() in the timings; null (the default): counted in "read".
    [[nodiscard]] virtual const char* read_more_phase() const { return nullptr; }
    /// The computation: analyse() and the command's own; appends its phases to run.timings.
    virtual void compute(Run& run) = 0;
    /// Writes the outputs into `out` and sets run.parameters.
    virtual void write(Run& run, io::StagedOutput& out) = 0;
    /// The command's own inputs and parameters in run.json (after the sites and zones, before
    /// the population grid); may nest the timings (RunRecord::timings_nested, to which the
    /// lifecycle adds "total").
    virtual void add_to_record(const Run& /*run*/, RunRecord& /*record*/) const {}
    /// The timings line of the log: "timings (s): PHASE S, ...; total S".
    virtual void log_timings(const Run& run) const;
    /// The result lines of the log, between the timings and "results in" (not when quiet).
    virtual void log_results(const Run& run) const = 0;

    /// The analysis of the sites and zones read, with the progress reporter; warns where the
    /// sites lie and keeps the population grid's files.
    analysis::AnalysisResult analyse(Run& run) const;
    /// The sites' and zones' parameters, as every command records them first.
    void note_inputs(nlohmann::ordered_json& parameters) const;

    po::options_description m_all{help_width};
    po::variables_map m_vm;
    std::vector<std::string> m_args;
    CommonOptions m_common;
    InputOptions m_inputs;
    OutputOptions m_output;
    analysis::Parameters m_params;
    Logger m_log;

private:
    /// The folder to stage the outputs in: --out, or a temporary folder for a PostGIS output
    /// (whose abandoned predecessors it removes).
    [[nodiscard]] std::string staging_folder() const;
    void read(Run& run);
    void write_record(const Run& run, io::StagedOutput& out) const;
    void commit(const Run& run, io::StagedOutput& out) const;
    void log_end(const Run& run) const;
};

} // namespace maillage::cli
