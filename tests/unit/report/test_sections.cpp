// The pieces the report's sections share (src/report/sections.hpp), and the suggest section on
// a hand-made summary.json member: the expected text is written out here by hand.

#include "../../../src/report/sections.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>

namespace {

using maillage::report::html_table_head;
using maillage::report::list_names;
using maillage::report::number_cell;
using maillage::report::table_head;
using maillage::report::write_figures;

TEST(ReportSections, ListNamesStopsAtTwenty) {
    EXPECT_EQ(list_names({}, 0), "—");
    EXPECT_EQ(list_names({"a", "b"}, 2), "a, b");
    std::vector<std::string> names;
    for (int i = 1; i <= 21; ++i) {
        names.push_back("s" + std::to_string(i));
    }
    std::string twenty = "s1";
    for (int i = 2; i <= 20; ++i) {
        twenty += ", s" + std::to_string(i);
    }
    EXPECT_EQ(list_names(names, names.size()), twenty + ", …");
    // Twenty names given of more than twenty things: the ellipsis says there are more.
    names.pop_back();
    EXPECT_EQ(list_names(names, names.size()), twenty);
    EXPECT_EQ(list_names(names, 25), twenty + ", …");
}

TEST(ReportSections, TableHeadInHtmlAndMarkdown) {
    std::ostringstream html;
    std::ostringstream md;
    table_head(html, md, "t", {"A & B", "C"}, "|---|---:|");
    EXPECT_EQ(html.str(), "<table id=\"t\">\n<thead><tr><th>A &amp; B</th><th>C</th></tr>"
                          "</thead>\n<tbody>\n");
    EXPECT_EQ(md.str(), "| A & B | C |\n|---|---:|\n");
    std::ostringstream only;
    html_table_head(only, "t", {"A & B", "C"});
    EXPECT_EQ(only.str(), html.str());
}

TEST(ReportSections, NumberCellKeepsTheValueForSorting) {
    std::ostringstream html;
    number_cell(html, 1234.5, "1,234.5 <km>");
    EXPECT_EQ(html.str(), "<td class=\"n\" data-v=\"1234.5\">1,234.5 &lt;km&gt;</td>");
}

TEST(ReportSections, FiguresAsBoxesAndList) {
    std::ostringstream html;
    std::ostringstream md;
    write_figures(html, md, {{"Sites", "12"}, {"Mean", "3.5"}}, ": ");
    EXPECT_EQ(html.str(), "<div class=\"figure\"><b>12</b>Sites</div>\n"
                          "<div class=\"figure\"><b>3.5</b>Mean</div>\n");
    EXPECT_EQ(md.str(), "- Sites: 12\n- Mean: 3.5\n");
}

TEST(ReportSections, SuggestSectionFromTheSummaryKeys) {
    const auto summary = nlohmann::json::parse(R"({
        "parameters": {"threshold_km": 10},
        "suggest": {"objective": "coverage",
                    "candidates": {"source": "grid", "count": 40},
                    "before": {"covered_share": 0.5, "mean_km": 8.25},
                    "picks": [{"rank": 1, "name": "", "candidate_id": "c7", "zone_name": "Z",
                               "newly_covered": 120, "covered_share": 0.75,
                               "mean_km": 6.5}]}})");
    const auto s = maillage::report::suggest_section(summary, false);
    ASSERT_TRUE(s.has_value());
    EXPECT_EQ(s->csv, "suggest_newly_covered,0,0,\nsuggest_covered_share_pct,0,50.0000,%\n"
                      "suggest_mean_km,0,8.2500,km\nsuggest_newly_covered,1,120,\n"
                      "suggest_covered_share_pct,1,75.0000,%\nsuggest_mean_km,1,6.5000,km\n");
    EXPECT_NE(s->md.find("The 1 places which, added one by one to the existing sites, bring the "
                         "most inhabitants within 10 km of a site, chosen among 40 candidates "
                         "(the cells of a grid) by the greedy method."),
              std::string::npos);
    EXPECT_NE(s->md.find("| 1 | c7 | Z | 120 | 75.00 | 6.50 |"), std::string::npos);
    EXPECT_FALSE(maillage::report::suggest_section(nlohmann::json::object(), false).has_value());
}

} // namespace
