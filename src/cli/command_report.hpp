#pragma once

#include "command.hpp"
#include "logger.hpp"
#include "option_groups.hpp"

#include "maillage/report/report.hpp"

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage report: the regional report (HTML, Markdown, SVG maps, CSV) from a run's outputs.
class CommandReport : public Command {
public:
    CommandReport();
    [[nodiscard]] const char* name() const override { return "report"; }
    [[nodiscard]] const char* synopsis() const override;
    void setup(const std::vector<std::string>& args) override;
    int run() override;
    [[nodiscard]] std::string help() const override;
    [[nodiscard]] const Logger& logger() const override { return m_log; }

    /// The report's options, once setup() has run.
    [[nodiscard]] const report::ReportOptions& options() const { return m_options; }
    [[nodiscard]] const CommonOptions& common() const { return m_common; }

private:
    po::options_description m_all{help_width};
    report::ReportOptions m_options;
    CommonOptions m_common;
    Logger m_log;
};

} // namespace maillage::cli
