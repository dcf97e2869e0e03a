#pragma once

// The sections of the report that depend on the run: each is made apart from the page and
// spliced in before its closing script, in the order of build_report.

#include "run.hpp"
#include "texts.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace maillage::report {

/// A section of the report, made apart from the page and spliced in.
struct ReportSection {
    std::string html; ///< inserted into index.html
    std::string md;   ///< appended to report.md
    std::string csv;  ///< appended to figures.csv (figure,group,value,unit lines)
};

/// A number with a fixed count of decimals and a point, as figures.csv writes them.
std::string plain(double v, int decimals);

/// Formats a number for the page's language: number(v, decimals).
using NumberFormat = std::function<std::string(double, int)>;

/// Figures as (label, value) lines.
using Figures = std::vector<std::pair<std::string, std::string>>;

/// The figures as a block of boxes in HTML (`<div class="figure">` each, inside a block the
/// caller opens) and a list in Markdown ("- label" `sep` "value").
void write_figures(std::ostream& html, std::ostream& md, const Figures& figures,
                   const std::string& sep);

/// The head of a table in HTML: `<table id="ID">` and its header row, up to `<tbody>`.
void html_table_head(std::ostream& html, const std::string& id,
                     const std::vector<std::string>& headings);

/// The head of a table: in HTML `<table id="ID">` and its header row, up to `<tbody>`; in Markdown
/// the header line and `md_align` (the alignment line, such as "|---|---:|").
void table_head(std::ostream& html, std::ostream& md, const std::string& id,
                const std::vector<std::string>& headings, const std::string& md_align);

/// A numeric cell of a sortable table: `<td class="n" data-v="V">TEXT</td>` (TEXT escaped).
void number_cell(std::ostream& html, double v, const std::string& text);

/// The first 20 names joined with ", " (then ", …" when `count`, the number of things named, is
/// over 20); "—" when there are none.
std::string list_names(const std::vector<std::string>& names, std::size_t count);

/// A network in words for a reader of French (`fr`) or English: model::network_label with the
/// data's label from summary.json's type_labels (older runs have none: the built-in table).
std::string network_name(const nlohmann::json& summary, const std::string& code, bool fr);

/// `analyse --by-type`: the distance to the nearest site of each network, when `summary` has a
/// "by_type" member.
std::optional<ReportSection> by_type_section(const nlohmann::json& summary, bool french,
                                             const NumberFormat& number);

/// `analyse --catchments`: each site's service area, when `summary` has a "catchments" member
/// (and the folder its catchments layer).
std::optional<ReportSection> catchments_section(const std::filesystem::path& run_dir,
                                                const nlohmann::json& summary, bool french,
                                                const NumberFormat& number);

/// `--population-grid`: where the grid's population went and how far the zones' totals from it
/// are from the zones' own figures, when `summary` has a "population_grid" member.
std::optional<ReportSection> population_grid_section(const nlohmann::json& summary, bool fr);

/// `maillage access`: the E2SFCA index, the groups from the lowest, the most populated zones
/// below the chosen share of the mean, when `summary` has an "access" member and the folder
/// its access_zones layer.
std::optional<ReportSection> access_section(const std::filesystem::path& run_dir,
                                            const nlohmann::json& summary, bool fr);

/// `maillage suggest`: the chosen sites in order with the coverage they bring, when `summary`
/// has a "suggest" member.
std::optional<ReportSection> suggest_section(const nlohmann::json& summary, bool fr);

/// `--previous`: what changed since the previous run (sites matched by id, zones whose mean
/// distance moved by more than 1 km, groups before and after).
ReportSection changes_section(const Run& run, const Run& previous,
                              const std::vector<GroupRow>& groups, const Texts& t, bool fr);

/// `maillage whatif`: the scenario, when `summary` has a "whatif" member (and the folder its
/// whatif_zones layer).
std::optional<ReportSection> whatif_section(const std::filesystem::path& run_dir,
                                            const nlohmann::json& summary, bool french,
                                            const NumberFormat& number);

} // namespace maillage::report
