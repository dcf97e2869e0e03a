// setup() of maillage analyse: the values parsed from good command lines, and the usage errors
// of bad ones (messages as tests/data/bad/cases.json states them).

#include "cli_test_support.hpp"
#include "command_analyse.hpp"
#include "commands.hpp"

#include <gtest/gtest.h>

namespace maillage::cli::test {
namespace {

const std::vector<std::string> small = {"--zones", "z.geojson", "--sites", "s.csv"};

std::vector<std::string> with_small(std::vector<std::string> args) {
    args.insert(args.begin(), small.begin(), small.end());
    return args;
}

void expect_error(const std::vector<std::string>& args, const std::vector<std::string>& fragments) {
    expect_usage_error(&make_analyse, with_small(args), fragments);
}

TEST(AnalyseSetup, GoodCommandLineGivesItsValues) {
    CommandAnalyse cmd;
    cmd.setup({"--zones",
               "z.geojson",
               "--sites",
               "a.csv",
               "--sites",
               "b.csv",
               "--border-sites",
               "c.csv",
               "--threshold-km",
               "7.5",
               "--grid-m",
               "500",
               "--by-type",
               "--catchments",
               "--format",
               "gpkg",
               "--qgis-project",
               "--out",
               "res",
               "--threads",
               "3",
               "--quiet",
               "--log-format",
               "json",
               "--strict",
               "--zone-id",
               "insee",
               "--site-filter",
               "x = 1",
               "--population-grid",
               "g.tif",
               "--population-grid-crs",
               "EPSG:3035"});
    EXPECT_EQ(cmd.inputs().sites.paths, (std::vector<std::string>{"a.csv", "b.csv"}));
    EXPECT_EQ(cmd.inputs().sites.border_paths, std::vector<std::string>{"c.csv"});
    EXPECT_EQ(cmd.inputs().sites.options.filter, "x = 1");
    EXPECT_TRUE(cmd.inputs().sites.options.strict);
    EXPECT_EQ(cmd.inputs().zones.path, "z.geojson");
    EXPECT_EQ(cmd.inputs().zones.id_field, "insee");
    EXPECT_TRUE(cmd.inputs().zones.strict);
    EXPECT_EQ(cmd.parameters().threshold_km, 7.5);
    EXPECT_EQ(cmd.parameters().grid_m, 500.0);
    EXPECT_TRUE(cmd.parameters().by_type);
    EXPECT_TRUE(cmd.parameters().catchments);
    EXPECT_EQ(cmd.parameters().population_grid.path, "g.tif");
    EXPECT_EQ(cmd.parameters().population_grid.crs, "EPSG:3035");
    EXPECT_NE(cmd.parameters().population_grid.source, nullptr); // a reader, opening nothing yet
    EXPECT_EQ(cmd.output().out, "res");
    EXPECT_EQ(cmd.output().format, "gpkg");
    EXPECT_TRUE(cmd.output().qgis_project);
    EXPECT_FALSE(cmd.output().postgis());
    EXPECT_EQ(cmd.output().vector_format(), output::VectorFormat::gpkg);
    EXPECT_EQ(cmd.common().threads, 3);
    EXPECT_TRUE(cmd.common().quiet);
    EXPECT_EQ(cmd.logger().format(), Logger::Format::json);
    EXPECT_TRUE(cmd.logger().quiet());
    EXPECT_FALSE(cmd.common().help);
}

TEST(AnalyseSetup, NoOptionMeansTheShippedDataAndTheDocumentedDefaults) {
    const FakeDataDir data;
    CommandAnalyse cmd;
    cmd.setup({});
    EXPECT_EQ(cmd.inputs().sites.paths,
              std::vector<std::string>{fake_data_dir + "/structures-aura-dila-2017.csv"});
    EXPECT_EQ(cmd.inputs().sites.border_paths,
              std::vector<std::string>{fake_data_dir + "/structures-voisines-dila-2017.csv"});
    EXPECT_EQ(cmd.inputs().sites.options.filter, "spro_core = 1");
    EXPECT_EQ(cmd.inputs().zones.path, fake_data_dir + "/communes-aura-cog2026.geojson");
    EXPECT_EQ(cmd.parameters().threshold_km, 20.0);
    EXPECT_EQ(cmd.parameters().grid_m, 200.0);
    EXPECT_TRUE(cmd.parameters().population_grid.path.empty());
    EXPECT_EQ(cmd.parameters().population_grid.source, nullptr); // no grid, no reader
    EXPECT_EQ(cmd.output().out, "out");
    EXPECT_EQ(cmd.output().format, "geojson");
    EXPECT_EQ(cmd.output().pg_schema, "maillage");
    EXPECT_EQ(cmd.common().threads, 0);
    EXPECT_EQ(cmd.logger().format(), Logger::Format::text);
    EXPECT_FALSE(cmd.logger().quiet());
}

TEST(AnalyseSetup, ShippedSitesWithoutBorderSitesOrFilter) {
    const FakeDataDir data;
    CommandAnalyse cmd;
    cmd.setup({"--no-border-sites", "--site-filter", ""});
    EXPECT_TRUE(cmd.inputs().sites.border_paths.empty());
    EXPECT_EQ(cmd.inputs().sites.options.filter, "");
}

TEST(AnalyseSetup, GivenSitesGetNoShippedBorderSites) {
    CommandAnalyse cmd;
    cmd.setup(small);
    EXPECT_TRUE(cmd.inputs().sites.border_paths.empty());
    EXPECT_EQ(cmd.inputs().sites.options.filter, "");
}

TEST(AnalyseSetup, PostgisOutputWithSchemaAndRunId) {
    CommandAnalyse cmd;
    cmd.setup(with_small({"--out", "PG:dbname=x", "--pg-schema", "s1", "--run-id", "r1"}));
    EXPECT_TRUE(cmd.output().postgis());
    EXPECT_EQ(cmd.output().vector_format(), output::VectorFormat::gpkg);
    EXPECT_EQ(cmd.output().pg_schema, "s1");
    EXPECT_EQ(cmd.output().run_id_or("2026-01-01T00:00:00Z"), "r1");
}

TEST(AnalyseSetup, HelpStopsBeforeTheChecks) {
    CommandAnalyse cmd;
    cmd.setup({"--help", "--format", "shp", "--threshold-km", "-5"});
    EXPECT_TRUE(cmd.common().help);
}

TEST(AnalyseSetup, UnknownFormat) {
    expect_error({"--format", "shp"}, {"(got 'shp')", "geojson or gpkg"});
}

TEST(AnalyseSetup, BadThreshold) {
    expect_error({"--threshold-km", "-5"}, {"(got -5)", "0 or more"});
    expect_error({"--threshold-km=-5"}, {"(got -5)", "0 or more"});
    expect_error({"--threshold-km", "nan"}, {"(got nan)", "0 or more"});
    expect_error({"--threshold-km", "abc"},
                 {"--threshold-km 'abc' is not a number",
                  "Expected: distance beyond which a place is underserved (km)"});
    expect_error({"--threshold-km", "--out", "o"},
                 {"option --threshold-km has no value", "Give --threshold-km its value"});
}

TEST(AnalyseSetup, BadGrid) {
    expect_error({"--grid-m", "0"}, {"(got 0)", "greater than 0"});
    expect_error({"--grid-m", "-200"}, {"(got -200)", "greater than 0"});
    expect_error({"--grid-m", "5"}, {"--grid-m 5", "use 10 or more"});
    expect_error({"--grid-m", "1,5"}, {"'1,5'", "Write decimals with a point (1.5)"});
}

TEST(AnalyseSetup, BadCommonOptions) {
    expect_error({"--threads", "-1"}, {"(got -1)", "0 (all cores) or more"});
    expect_error({"--log-format", "xml"}, {"(got 'xml')", "text or json"});
}

TEST(AnalyseSetup, UnknownOrStrayWords) {
    expect_error({"--bogus", "1"}, {"unknown option '--bogus'"});
    expect_error({"--treshold-km", "5"},
                 {"unknown option '--treshold-km'", "Did you mean --threshold-km?"});
    expect_error({"extra"}, {"'extra'", "Is an option's name missing"});
    expect_error({"--config", "/nonexistent/missing.ini"},
                 {"cannot open the file", "Check the path"});
}

TEST(AnalyseSetup, BadPostgisSchemaBeforeAnyWork) {
    expect_error({"--out", "o", "--pg-schema", "bad schema"},
                 {"--pg-schema 'bad schema'", "1 to 63 letters, digits"});
}

TEST(AnalyseSetup, ContradictoryBorderSites) {
    expect_error({"--border-sites", "b.csv", "--no-border-sites"},
                 {"--border-sites and --no-border-sites", "give one of them"});
}

TEST(AnalyseSetup, PopulationGridOptionsWithoutAGrid) {
    expect_error({"--population-grid-field", "ind"},
                 {"--population-grid-field needs --population-grid"});
    expect_error({"--population-grid-crs", "EPSG:3035"}, {"needs --population-grid"});
}

TEST(AnalyseSetup, RepeatedOptionIsAnErrorOfBoost) {
    // main() turns boost's errors into usage errors ("more than once" in cases.json).
    auto cmd = make_analyse();
    EXPECT_THROW(cmd->setup(with_small({"--threshold-km", "5", "--threshold-km", "6"})),
                 po::multiple_occurrences);
}

} // namespace
} // namespace maillage::cli::test
