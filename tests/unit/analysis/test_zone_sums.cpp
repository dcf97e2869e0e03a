// The zone and group summation against hand-worked sums.

#include "maillage/analysis/zone_sums.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace {

using maillage::analysis::group_zones;
using maillage::analysis::no_threshold;
using maillage::analysis::PopulationGrid;
using maillage::analysis::sum_cells_by_zone;
using maillage::analysis::ZoneSums;

/// One row of 6 cells: zones 1, -1, 0, 1, 0, 2 (zone 2 has nobody).
PopulationGrid row_grid() {
    PopulationGrid g;
    g.cell_m = 100.0;
    g.width = 6;
    g.height = 1;
    g.zone = {1, -1, 0, 1, 0, 2};
    g.population = {2.0, 9.0, 1.0, 3.0, 4.0, 0.0};
    g.cell_count = {2, 2, 1};
    return g;
}

} // namespace

TEST(ZoneSums, HandWorkedSums) {
    const auto g = row_grid();
    const std::vector<double> value{10.0, 99.0, 20.0, 30.0, 40.0, 50.0};
    const auto sums = sum_cells_by_zone(g, value, 4, 25.0);
    ASSERT_EQ(sums.size(), 4U);
    // Zone 0: cells 2 and 4: 1 x 20 + 4 x 40 = 180 over 5 persons; 4 persons beyond 25.
    EXPECT_EQ(sums[0].weighted, 180.0);
    EXPECT_EQ(sums[0].population, 5.0);
    EXPECT_EQ(sums[0].plain, 60.0);
    EXPECT_EQ(sums[0].max, 40.0);
    EXPECT_EQ(sums[0].beyond, 4.0);
    EXPECT_EQ(sums[0].mean(2), 36.0);
    // Zone 1: cells 0 and 3: 2 x 10 + 3 x 30 = 110 over 5; 3 beyond.
    EXPECT_EQ(sums[1].weighted, 110.0);
    EXPECT_EQ(sums[1].population, 5.0);
    EXPECT_EQ(sums[1].beyond, 3.0);
    EXPECT_EQ(sums[1].mean(2), 22.0);
    // Zone 2: nobody: the plain mean of its cell.
    EXPECT_EQ(sums[2].population, 0.0);
    EXPECT_EQ(sums[2].mean(1), 50.0);
    // Zone 3: no cell at all.
    EXPECT_EQ(sums[3].weighted, 0.0);
    EXPECT_EQ(sums[3].mean(0), 0.0);
}

TEST(ZoneSums, OnlyTheSelectedZones) {
    const auto g = row_grid();
    const std::vector<double> value{10.0, 99.0, 20.0, 30.0, 40.0, 50.0};
    const std::vector<bool> only{false, true, false};
    const auto sums = sum_cells_by_zone(g, value, 3, no_threshold, &only);
    EXPECT_EQ(sums[0].population, 0.0);
    EXPECT_EQ(sums[0].weighted, 0.0);
    EXPECT_EQ(sums[1].weighted, 110.0);
    EXPECT_EQ(sums[1].beyond, 0.0); // no threshold
    EXPECT_EQ(sums[1].max, 30.0);
    EXPECT_EQ(sums[2].plain, 0.0);
}

TEST(ZoneSums, PointDemand) {
    ZoneSums s;
    s.add(5.0, 1.0, 0.0);
    s.set_point(7.0, 3.0, 6.0); // replaces any cell sum
    EXPECT_EQ(s.weighted, 21.0);
    EXPECT_EQ(s.population, 3.0);
    EXPECT_EQ(s.plain, 7.0);
    EXPECT_EQ(s.max, 7.0);
    EXPECT_EQ(s.beyond, 3.0);
    EXPECT_EQ(s.mean(0), 7.0);
    s.set_point(7.0, 0.0, 8.0);
    EXPECT_EQ(s.beyond, 0.0);
    EXPECT_EQ(s.mean(0), 7.0);
}

TEST(ZoneGroups, SortedNamesAndZoneOrder) {
    std::vector<maillage::model::Zone> zones(5);
    const char* names[] = {"north", "east", "north", "", "east"};
    for (std::size_t i = 0; i < zones.size(); ++i) {
        zones[i].group = names[i];
    }
    const auto g = group_zones(zones);
    ASSERT_EQ(g.names.size(), 3U);
    EXPECT_EQ(g.names[0], "");
    EXPECT_EQ(g.names[1], "east");
    EXPECT_EQ(g.names[2], "north");
    const std::vector<std::size_t> expected{2, 1, 2, 0, 1};
    EXPECT_EQ(g.of_zone, expected);
}
