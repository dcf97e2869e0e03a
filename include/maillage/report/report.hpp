#pragma once

#include <cstddef>
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

/// The run that `--previous auto` compares with: among the sibling folders of `run_dir` that hold
/// a summary.json and a run.json, the one whose run.json `started_utc` is the latest before
/// `run_dir`'s own. Throws input_error (what was looked at, what to do) when `run_dir` has no
/// readable run.json or no such folder exists.
struct PreviousRun {
    std::string dir;
    std::string started_utc;
    std::size_t candidates = 0; ///< folders that held a summary.json and a readable run.json
};
PreviousRun find_previous_run(const std::string& run_dir);

} // namespace maillage::report
