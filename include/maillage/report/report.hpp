#pragma once

#include <cstddef>
#include <string>

namespace maillage::report {

struct ReportOptions {
    std::string run_dir; ///< folder of a `maillage analyse` run (GeoJSON or GeoPackage outputs)
    std::string out_dir; ///< where the report goes
    std::string lang = "fr";
    std::string previous_dir; ///< an earlier run to compare with (optional)
    /// The page's title; empty: made from the data (region, run date, threshold).
    std::string title;
    /// A table of the groups' names (code -> name, io::read_group_names); empty: none.
    std::string group_names;
    /// The folder of the shipped data (geodata/): the region's name for the default title.
    std::string data_dir;
    bool pdf = false; ///< also print index.html to report.pdf with headless Chromium
};

/// Prints `html` to `pdf` (A4, as the page's print CSS says) with a headless Chromium
/// (chromium, chromium-browser or google-chrome, the first found on PATH). Throws
/// runtime_failure when no browser is found, when it fails or when it takes longer than
/// `timeout_s` seconds (it is then killed).
void print_pdf(const std::string& html, const std::string& pdf, int timeout_s = 120);

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
