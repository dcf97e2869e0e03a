// Regression tests of the defects found while fuzzing the readers (docs/fuzzing.md). Each input
// is kept in tests/data/fuzz/ (written by make_seeds.py), where it also seeds the fuzzers.

#include "maillage/analysis/underserved.hpp"
#include "maillage/io/zone_reader.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

std::string fuzz_input(const std::string& name) {
    return std::string(MAILLAGE_TEST_DATA) + "/fuzz/" + name;
}

} // namespace

TEST(FuzzRegression, ZoneWithoutGeometryAndAHugePopulation) {
    // Feature 1 (B) has population 1e300 and no geometry, feature 2 (C) 70.5 and none either.
    // The skip message used to convert the population to long long: undefined behaviour for
    // 1e300 (UBSan: float-cast-overflow), and 70.5 printed as 70. the message prints it with %.10g:
    // "1e+300".
    maillage::io::ZoneReadOptions o;
    o.path = fuzz_input("regression_zone_no_geometry_huge_population.geojson");
    const auto set = maillage::io::read_zones(o);
    ASSERT_EQ(set.zones.size(), 1U);
    EXPECT_EQ(set.zones[0].id, "A");
    ASSERT_EQ(set.report.skipped.size(), 2U);
    EXPECT_EQ(set.report.skipped[0].where, "feature 1 (code B)");
    EXPECT_EQ(
        set.report.skipped[0].reason,
        "no geometry (population 1e+300 not counted): give the zone its polygon, or remove it");
    EXPECT_EQ(set.report.skipped[1].where, "feature 2 (code C)");
    EXPECT_EQ(set.report.skipped[1].reason,
              "no geometry (population 70.5 not counted): give the zone its polygon, or remove it");
}

TEST(FuzzRegression, CircleVerticesOfAnEnormousRadiusOrAZeroTolerance) {
    // 1 - 2 / 1e20 rounds to 1 in double, so acos gives 0 and pi / 0 is infinite: the count
    // used to be that infinity converted to int (undefined behaviour), and is now the cap,
    // 100000. The same for a zero tolerance. Found by review while writing the config harness:
    // --threshold-km accepts any finite distance.
    using maillage::analysis::circle_vertices;
    EXPECT_EQ(circle_vertices(1e20, 2.0), 100000);
    EXPECT_EQ(circle_vertices(1e300, 2.0), 100000);
    EXPECT_EQ(circle_vertices(1000.0, 0.0), 100000);
}
