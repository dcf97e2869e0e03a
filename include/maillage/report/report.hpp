#pragma once

#include <string>

namespace maillage::report {

struct ReportOptions {
    std::string run_dir; ///< folder of a `maillage analyse` run (GeoJSON or GeoPackage outputs)
    std::string out_dir; ///< where the report goes
    std::string lang = "fr";
    std::string previous_dir; ///< an earlier run to compare with (optional)
};

/// Builds the regional report of one run: index.html (self-contained: inline SVG and CSS),
/// report.md, map.svg, coverage.svg and figures.csv. Every figure comes from the run's outputs.
void build_report(const ReportOptions& options);

} // namespace maillage::report
