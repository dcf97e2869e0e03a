#pragma once

#include "analysis_command.hpp"

#include "maillage/analysis/analysis.hpp"

#include <string>

namespace maillage::cli {

/// maillage analyse: the distance from every inhabitant to the nearest site, the population
/// beyond a threshold, the underserved zones, and the layers (files or PostGIS).
class CommandAnalyse : public AnalysisCommand {
public:
    CommandAnalyse();
    [[nodiscard]] const char* name() const override { return "analyse"; }
    [[nodiscard]] const char* synopsis() const override;
    [[nodiscard]] std::string help() const override;

private:
    void validate(const po::variables_map& vm) override;
    void compute(Run& run) override;
    void write(Run& run, io::StagedOutput& out) override;
    void add_to_record(const Run& run, RunRecord& record) const override;
    void log_results(const Run& run) const override;

    analysis::AnalysisResult m_result;
};

} // namespace maillage::cli
