// setup() of nearest, info, suggest and whatif, through make_*() (their classes are not
// public): good command lines pass, bad ones give the usage errors of the CLI tests
// (tests/data/bad/cases.json, test_suggest.py, test_whatif.py).

#include "cli_test_support.hpp"
#include "command_info.hpp"
#include "command_nearest.hpp"
#include "command_suggest.hpp"
#include "command_whatif.hpp"
#include "commands.hpp"

#include <gtest/gtest.h>

namespace maillage::cli::test {
namespace {

const std::vector<std::string> small = {"--zones", "z.geojson", "--sites", "s.csv"};

std::vector<std::string> with_small(std::vector<std::string> args) {
    args.insert(args.begin(), small.begin(), small.end());
    return args;
}

TEST(NearestSetup, GoodAndBad) {
    EXPECT_NO_THROW(make_nearest()->setup(
        {"--sites", "s.csv", "--points", "p.csv", "-k", "3", "--out", "near.csv"}));
    const std::vector<std::string> base = {"--sites", "s.csv", "--points",
                                           "p.csv",   "--out", "near.csv"};
    auto with = [&](std::vector<std::string> extra) {
        extra.insert(extra.begin(), base.begin(), base.end());
        return extra;
    };
    expect_usage_error(&make_nearest, with({"-k", "0"}), {"(got 0)", "between 1 and 1000"});
    expect_usage_error(&make_nearest, with({"-k", "x"}),
                       {"-k 'x' is not a number", "Expected: number of nearest sites"});
    expect_usage_error(&make_nearest, with({"--max-km", "-5"}),
                       {"(got -5)", "0 or more, or -1 for none"});
}

TEST(InfoSetup, GoodAndBad) {
    EXPECT_NO_THROW(make_info()->setup({"layer.geojson"}));
    expect_usage_error(&make_info, {"layer.geojson", "--bogus"}, {"unknown option '--bogus'"});
}

TEST(SuggestSetup, GoodAndBad) {
    EXPECT_NO_THROW(make_suggest()->setup(with_small({"--add", "2", "--format", "gpkg"})));
    expect_usage_error(&make_suggest, with_small({"--add", "0"}), {"--add"});
    expect_usage_error(&make_suggest, with_small({"--objective", "nearest"}), {"--objective"});
    expect_usage_error(&make_suggest,
                       with_small({"--candidates", "c.csv", "--candidate-grid-m", "500"}),
                       {"alternatives"});
    expect_usage_error(&make_suggest, with_small({"--candidate-grid-m", "5"}),
                       {"--candidate-grid-m"});
    expect_usage_error(&make_suggest, with_small({"--format", "shp"}), {"--format"});
}

TEST(WhatifSetup, GoodAndBad) {
    EXPECT_NO_THROW(make_whatif()->setup(with_small({"--close", "a1", "--open", "5.3,45.05,new"})));
    expect_usage_error(&make_whatif, with_small({"--open", "5.0;45.0"}), {"no comma", "LON,LAT"});
    expect_usage_error(&make_whatif, with_small({"--open", "5.0,abc"}),
                       {"latitude 'abc' is not a number"});
    expect_usage_error(&make_whatif, with_small({"--close", "a,,b"}), {"empty site id"});
    expect_usage_error(&make_whatif, with_small({"--open", "5.1,95"}), {"out of range", "swapped"});
    expect_usage_error(&make_whatif, small, {"nothing to change"});
}

// The values setup() leaves, and the cases of tests/data/bad/cases.json on these commands.
TEST(NearestSetup, ValuesAndCases) {
    CommandNearest cmd;
    cmd.setup({"--sites", "s.csv", "--points", "p.csv", "-k", "3", "--max-km", "20", "--out",
               "near.gpkg", "--threads", "2", "--log-format", "json", "--strict"});
    EXPECT_EQ(cmd.k(), 3);
    EXPECT_EQ(cmd.max_km(), 20.0);
    EXPECT_EQ(cmd.format(), output::VectorFormat::gpkg);
    EXPECT_EQ(cmd.common().threads, 2);
    EXPECT_EQ(cmd.logger().format(), Logger::Format::json);
    EXPECT_TRUE(cmd.sites().options.strict);
    // A missing required option is Boost's error, which main() turns into a usage error.
    EXPECT_THROW(make_nearest()->setup({"--sites", "s.csv", "--out", "near.csv"}),
                 po::required_option);
    expect_usage_error(
        &make_nearest,
        {"--sites", "s.csv", "--points", "p.csv", "--out", "n.csv", "--threads", "-1"},
        {"(got -1)"});
    CommandNearest help;
    help.setup({"--help"}); // without the required options
    EXPECT_TRUE(help.common().help);
}

TEST(InfoSetup, ValuesAndCases) {
    CommandInfo cmd;
    cmd.setup(
        {"layer.geojson", "--id", "code", "--population", "pop", "--json", "--log-format", "json"});
    EXPECT_EQ(cmd.path(), "layer.geojson");
    EXPECT_EQ(cmd.options().id_field, "code");
    EXPECT_EQ(cmd.options().population_field, "pop");
    EXPECT_TRUE(cmd.json());
    EXPECT_EQ(cmd.logger().format(), Logger::Format::json);
    EXPECT_THROW(make_info()->setup({}), po::required_option);
    expect_usage_error(&make_info, {"a.geojson", "--log-format", "xml"}, {"(got 'xml')"});
    CommandInfo help;
    help.setup({"-h"});
    EXPECT_TRUE(help.common().help);
}

TEST(InfoSetup, RoleTakesTheReadingOptionsOfAnalyse) {
    CommandInfo sites;
    sites.setup({"s.csv", "--role", "sites", "--site-id", "code", "--site-filter", "a = 1",
                 "--lon-field", "lng_wgs84", "--lat-field", "lat_wgs84", "--strict"});
    EXPECT_EQ(sites.role(), "sites");
    EXPECT_EQ(sites.site_options().path, "s.csv");
    EXPECT_EQ(sites.site_options().id_field, "code");
    EXPECT_EQ(sites.site_options().filter, "a = 1");
    EXPECT_EQ(sites.site_options().lon_field, "lng_wgs84");
    EXPECT_EQ(sites.site_options().lat_field, "lat_wgs84");
    EXPECT_TRUE(sites.site_options().strict);
    CommandInfo zones;
    zones.setup({"z.gpkg", "--role", "zones", "--zone-id", "insee", "--population", "pop",
                 "--group-by", "INSEE_DEP"});
    EXPECT_EQ(zones.zone_options().path, "z.gpkg");
    EXPECT_EQ(zones.zone_options().id_field, "insee");
    EXPECT_EQ(zones.zone_options().population_field, "pop");
    EXPECT_EQ(zones.zone_options().group_field, "INSEE_DEP");
    EXPECT_FALSE(zones.zone_options().strict);
    expect_usage_error(&make_info, {"a.csv", "--role", "points"}, {"sites or zones"});
    expect_usage_error(&make_info, {"a.csv", "--role", "sites", "--id", "x"}, {"--site-id"});
    expect_usage_error(&make_info, {"a.csv", "--role", "sites", "--population", "p"},
                       {"--population"});
    expect_usage_error(&make_info, {"a.csv", "--lon-field", "x"}, {"--role sites"});
    expect_usage_error(&make_info, {"a.csv", "--strict"}, {"--role"});
}

TEST(SuggestSetup, Values) {
    CommandSuggest cmd;
    cmd.setup(with_small({"--add", "3", "--objective", "mean-distance", "--candidates", "c.csv",
                          "--strict", "--quiet"}));
    EXPECT_EQ(cmd.add(), 3);
    EXPECT_EQ(cmd.objective(), analysis::SuggestObjective::mean_distance);
    EXPECT_EQ(cmd.candidate_options().path, "c.csv");
    EXPECT_EQ(cmd.candidate_options().option_stem, "candidate");
    EXPECT_TRUE(cmd.candidate_options().strict);
    EXPECT_TRUE(cmd.candidate_options().number_without_id);
    EXPECT_TRUE(cmd.logger().quiet());
    EXPECT_EQ(cmd.output().out, "out");
    expect_usage_error(&make_suggest, with_small({"--threshold-km", "-1"}), {"--threshold-km"});
}

TEST(WhatifSetup, Values) {
    CommandWhatIf cmd;
    cmd.setup(
        with_small({"--close", "a1, a2", "--open", "5.3,45.05,Nouveau", "--changes", "c.csv"}));
    const auto& c = cmd.command_line_changes();
    ASSERT_EQ(c.size(), 3U);
    EXPECT_EQ(c[0].id, "a1");
    EXPECT_EQ(c[1].id, "a2");
    EXPECT_TRUE(c[2].open);
    EXPECT_EQ(c[2].name, "Nouveau");
    EXPECT_EQ(c[2].position.lon, 5.3);
    EXPECT_EQ(cmd.changes_path(), "c.csv");
    EXPECT_EQ(cmd.output().out, "out-whatif");
    EXPECT_TRUE(cmd.parameters().keep_details);
    expect_usage_error(&make_whatif, with_small({"--close", "a1", "--by-type"}),
                       {"unknown option"});
}

} // namespace
} // namespace maillage::cli::test
