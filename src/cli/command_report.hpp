#pragma once

#include "basic_command.hpp"

#include "maillage/report/report.hpp"

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage report: the regional report (HTML, Markdown, SVG maps, CSV) from a run's outputs.
class CommandReport : public BasicCommand {
public:
    CommandReport();
    [[nodiscard]] const char* name() const override { return "report"; }
    [[nodiscard]] const char* synopsis() const override;
    void setup(const std::vector<std::string>& args) override;
    int run() override;
    [[nodiscard]] std::string help() const override;

    /// The report's options, once setup() has run.
    [[nodiscard]] const report::ReportOptions& options() const { return m_options; }

private:
    report::ReportOptions m_options;
    std::string m_pg_schema = "maillage"; ///< --run PG:...: the schema of the run's tables
    std::string m_run_id;                 ///< --run PG:...: the run (default: the latest)
};

} // namespace maillage::cli
