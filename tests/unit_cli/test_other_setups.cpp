// setup() of nearest, info, suggest and whatif, through make_*() (their classes are not
// public): good command lines pass, bad ones give the usage errors of the CLI tests
// (tests/data/bad/cases.json, test_suggest.py, test_whatif.py).

#include "cli_test_support.hpp"
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

} // namespace
} // namespace maillage::cli::test
