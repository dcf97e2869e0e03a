// Candidate places of `maillage suggest` and the point-in-zone search behind them, on lon/lat
// rectangles where the zone of every point is known by hand.

#include "maillage/analysis/candidates.hpp"
#include "maillage/geo/geodesic.hpp"

#include "../support/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

using maillage::geo::GeosContext;
using maillage::geo::LonLat;
namespace analysis = maillage::analysis;
namespace model = maillage::model;

namespace {

/// Zone A: [0,2]x[0,2]; zone B: [1,3]x[1,3] (overlaps A on [1,2]x[1,2]); zone C: [10,11]x[0,1].
std::vector<model::Zone> three_zones(const GeosContext& ctx) {
    std::vector<model::Zone> zones;
    zones.push_back(maillage::test::rect_zone(ctx, "A", "g", 0, 0, 2, 2, 10));
    zones.push_back(maillage::test::rect_zone(ctx, "B", "g", 1, 1, 3, 3, 20));
    zones.push_back(maillage::test::rect_zone(ctx, "C", "g", 10, 0, 11, 1, 30));
    return zones;
}

model::Site place(const std::string& id, double lon, double lat) {
    model::Site s;
    s.id = id;
    s.name = "place " + id;
    s.position = {lon, lat};
    s.where = "line " + id;
    return s;
}

} // namespace

TEST(Candidates, ZonesOfPointsByHand) {
    GeosContext ctx;
    const auto zones = three_zones(ctx);
    const std::vector<LonLat> points{{0.5, 0.5}, {1.5, 1.5}, {2.5, 2.5}, {10.5, 0.5},
                                     {5.0, 5.0}, {2.0, 0.5}, {-0.1, 1.0}};
    // In A; in A and B (the later: B); in B; in C; nowhere; on A's edge (intersects: A);
    // just outside A.
    EXPECT_EQ(analysis::zones_of(ctx, zones, points),
              (std::vector<std::int32_t>{0, 1, 1, 2, -1, 0, -1}));
    EXPECT_TRUE(analysis::zones_of(ctx, zones, {}).empty());
}

TEST(Candidates, PlacesOutsideEveryZoneAreLeftOut) {
    GeosContext ctx;
    const auto zones = three_zones(ctx);
    const std::vector<model::Site> places{place("1", 5, 5),      place("2", 0.5, 0.5),
                                          place("3", 20, 20),    place("4", 30, 30),
                                          place("5", 10.5, 0.5), place("6", 40, 40)};
    const auto c = analysis::place_candidates(ctx, zones, places);
    EXPECT_EQ(c.source, "file");
    EXPECT_EQ(c.id, (std::vector<std::string>{"2", "5"}));
    EXPECT_EQ(c.name, (std::vector<std::string>{"place 2", "place 5"}));
    EXPECT_EQ(c.zone, (std::vector<std::int32_t>{0, 2}));
    ASSERT_EQ(c.position.size(), 2U);
    EXPECT_EQ(c.position[1].lon, 10.5);
    EXPECT_EQ(c.outside_study_area, 4U);
    EXPECT_EQ(c.outside_examples, "line 1, line 3, line 4"); // the first three only
}

TEST(Candidates, ZoneReferencePoints) {
    GeosContext ctx;
    const auto zones = three_zones(ctx);
    analysis::AnalysisResult r;
    r.zones.resize(3);
    r.zones[0].reference = {1, 1};
    r.zones[1].reference = {2, 2};
    r.zones[2].reference = {10.5, 0.5};
    const auto c = analysis::zone_candidates(r, zones);
    EXPECT_EQ(c.source, "zones");
    EXPECT_EQ(c.id, (std::vector<std::string>{"A", "B", "C"}));
    EXPECT_EQ(c.name, (std::vector<std::string>{"zone A", "zone B", "zone C"}));
    EXPECT_EQ(c.zone, (std::vector<std::int32_t>{0, 1, 2}));
    EXPECT_EQ(c.position[2].lat, 0.5);
    EXPECT_EQ(c.outside_study_area, 0U);
}

TEST(Candidates, GridCellCentresLieInTheirZoneAtTheGridSpacing) {
    GeosContext ctx;
    std::vector<model::Zone> zones;
    // About 22 km x 22 km at 45°N: a 5 km grid puts some 20 centres in it.
    zones.push_back(maillage::test::rect_zone(ctx, "Z", "g", 4.0, 45.0, 4.28, 45.2, 100));
    analysis::AnalysisResult r;
    r.projection = maillage::geo::EqualAreaProjection(4.14, 45.1);
    const auto c = analysis::grid_candidates(ctx, r, zones, 5000.0);
    EXPECT_EQ(c.source, "grid");
    // Area of the rectangle / cell area, give or take the cells of the edges.
    const double area = std::abs(maillage::test::geodesic_polygon_area(
        {{4.0, 45.0}, {4.28, 45.0}, {4.28, 45.2}, {4.0, 45.2}, {4.0, 45.0}}));
    const double expected = area / (5000.0 * 5000.0);
    EXPECT_GT(static_cast<double>(c.position.size()), expected - 10);
    EXPECT_LT(static_cast<double>(c.position.size()), expected + 10);
    std::set<std::string> ids(c.id.begin(), c.id.end());
    EXPECT_EQ(ids.size(), c.id.size());
    double closest = 1e300;
    for (std::size_t k = 0; k < c.position.size(); ++k) {
        const auto p = c.position[k];
        EXPECT_TRUE(p.lon > 4.0 && p.lon < 4.28 && p.lat > 45.0 && p.lat < 45.2) << c.id[k];
        EXPECT_EQ(c.zone[k], 0);
        EXPECT_EQ(c.name[k], "zone Z");
        EXPECT_EQ(c.id[k].rfind("cell-", 0), 0U);
        for (std::size_t j = 0; j < k; ++j) {
            closest = std::min(closest, maillage::geo::geodesic_distance_m(p, c.position[j]));
        }
    }
    // Neighbouring centres are one cell apart (equal-area: to within a few metres here).
    EXPECT_NEAR(closest, 5000.0, 50.0);
}
