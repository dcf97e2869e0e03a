// setup() of maillage access: the decay, the context zones and the output, and the usage errors
// of tests/cli/test_access.py.

#include "cli_test_support.hpp"
#include "command_access.hpp"
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
    expect_usage_error(&make_access, with_small(args), fragments);
}

TEST(AccessSetup, GaussianDecayCapacityAndBelow) {
    CommandAccess cmd;
    cmd.setup(with_small({"--decay", "gaussian", "--d0-km", "20", "--capacity", "places", "--below",
                          "0.7", "--grid-m", "1000", "--format", "gpkg"}));
    EXPECT_TRUE(cmd.access().decay.is_gaussian());
    EXPECT_EQ(cmd.access().below, 0.7);
    EXPECT_EQ(cmd.capacity(), "places");
    EXPECT_EQ(cmd.inputs().sites.options.capacity_field, "places");
    EXPECT_EQ(cmd.parameters().grid_m, 1000.0);
    EXPECT_EQ(cmd.output().vector_format(), output::VectorFormat::gpkg);
    EXPECT_EQ(cmd.output().spec().run_record, "access_run.json");
}

TEST(AccessSetup, BandsDecayReachesItsLastBand) {
    CommandAccess cmd;
    cmd.setup(with_small({"--bands", "0-10:1,10-25:0.5"}));
    EXPECT_FALSE(cmd.access().decay.is_gaussian());
    EXPECT_EQ(cmd.access().decay.radius_m(), 25000.0);
}

TEST(AccessSetup, ShippedDataComesWithTheShippedContextZones) {
    const FakeDataDir data;
    CommandAccess cmd;
    cmd.setup({});
    EXPECT_TRUE(cmd.context_default());
    EXPECT_EQ(cmd.context_paths(),
              std::vector<std::string>{fake_data_dir + "/communes-voisines-cog2026.geojson"});
    EXPECT_EQ(cmd.access().below, 0.5);
    EXPECT_EQ(cmd.output().out, "out");
}

TEST(AccessSetup, GivenZonesOrNoContextZonesMeanNone) {
    const FakeDataDir data;
    CommandAccess given;
    given.setup(small);
    EXPECT_TRUE(given.context_paths().empty());
    CommandAccess none;
    none.setup({"--no-context-zones"});
    EXPECT_TRUE(none.context_paths().empty());
    EXPECT_FALSE(none.context_default());
    CommandAccess explicit_zones;
    explicit_zones.setup(
        with_small({"--context-zones", "c1.geojson", "--context-zones", "c2.gpkg"}));
    EXPECT_EQ(explicit_zones.context_paths(), (std::vector<std::string>{"c1.geojson", "c2.gpkg"}));
    EXPECT_FALSE(explicit_zones.context_default());
}

TEST(AccessSetup, BadBands) {
    expect_error({"--bands", "0-10:1,12-20:0.5"}, {"starts at 12"});
    expect_error({"--bands", "0-10:x"}, {"'x' is not a number"});
    expect_error({"--bands", "0-10:-1"}, {"negative weight"});
}

TEST(AccessSetup, DecayOptionsOfTheOtherDecay) {
    expect_error({"--decay", "gaussian", "--bands", "0-10:1"}, {"--d0-km"});
    expect_error({"--d0-km", "20"}, {"--decay gaussian"});
    expect_error({"--decay", "gaussian", "--d0-km", "0"}, {"--d0-km"});
    expect_error({"--decay", "linear"}, {"bands or gaussian"});
}

TEST(AccessSetup, BadBelow) {
    expect_error({"--below", "0"}, {"--below"});
    expect_error({"--below", "abc"}, {"below"});
}

TEST(AccessSetup, CommonAndOutputChecks) {
    expect_error({"--format", "shp"}, {"(got 'shp')", "geojson or gpkg"});
    expect_error({"--grid-m", "5"}, {"--grid-m 5", "use 10 or more"});
    expect_error({"--threads", "-1"}, {"(got -1)", "0 (all cores) or more"});
    expect_error({"--log-format", "xml"}, {"(got 'xml')", "text or json"});
    expect_error({"--border-sites", "b.csv", "--no-border-sites"},
                 {"--border-sites and --no-border-sites"});
}

// Moved from tests/unit/analysis/test_access.cpp with the parsing of --bands.
TEST(AccessBands, BadBandsAreUsageErrors) {
    for (const char* bad :
         {"", "0-10", "0-10:", "0:1", "5-10:1", "0-10:1,12-20:0.5", "0-10:1,8-20:0.5", "0-0:1",
          "0-10:-1", "0-10:abc", "0-1e400:1", "0-10:1,", "a-b:c", "0-10:1;10-20:0.5"}) {
        EXPECT_THROW((void)parse_bands(bad), usage_error) << "'" << bad << "'";
    }
}

// The messages that test_access.py checks on the program.
TEST(AccessBands, Messages) {
    expect_error({"--bands", "0-10:1,12-20:0.5"}, {"starts at 12"});
    expect_error({"--bands", "0-10:x"}, {"'x' is not a number"});
    expect_error({"--bands", "0-10:-1"}, {"negative weight"});
    expect_error({"--decay", "gaussian", "--bands", "0-10:1"}, {"--d0-km"});
}

TEST(AccessBands, ByHand) {
    const auto d = parse_bands("0-10:1,10-20:0.68,20-30:0.22");
    ASSERT_EQ(d.band_list().size(), 3U);
    EXPECT_EQ(d.band_list()[1].from_m, 10000.0);
    EXPECT_EQ(d.band_list()[1].to_m, 20000.0);
    EXPECT_EQ(d.band_list()[1].weight, 0.68);
    EXPECT_EQ(d.radius_m(), 30000.0);
    EXPECT_EQ(parse_bands("0-5:1,5-12.5:0.5,12.5-40:0").radius_m(), 12500.0);
}

TEST(AccessSetup, NoThresholdOption) { expect_error({"--threshold-km", "5"}, {"unknown option"}); }

} // namespace
} // namespace maillage::cli::test
