// Population grid: population_share's exact splitting, and build_grid on zones that are
// rectangles in the equal-area plane, where the cells whose centre falls in each rectangle can
// be counted by hand.

#include "../support/test_support.hpp"
#include "maillage/analysis/grid.hpp"
#include "maillage/core/error.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/model/zone.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using maillage::test::read_wkt;

using maillage::analysis::build_grid;
using maillage::analysis::population_share;
using maillage::analysis::project_zones;
using maillage::geo::EqualAreaProjection;
using maillage::geo::GeosContext;
using maillage::geo::LonLat;
using maillage::geo::XY;

maillage::model::Zone make_zone(const GeosContext& ctx, const std::string& id,
                                const std::string& wkt, double population) {
    maillage::model::Zone z;
    z.id = id;
    z.population = population;
    z.geometry = read_wkt(ctx, wkt);
    z.where = "zone " + id;
    return z;
}

/// A rectangle of the equal-area plane, x0 < x < x1, y0 < y < y1 (metres).
struct Rect {
    double x0, y0, x1, y1;
    [[nodiscard]] bool contains(XY p) const { return p.x > x0 && p.x < x1 && p.y > y0 && p.y < y1; }
};

/// WKT (lon/lat) of the rectangle's four corners, taken back to lon/lat: once projected
/// again, its edges are the rectangle's straight edges.
std::string rect_wkt(const EqualAreaProjection& proj, const Rect& r) {
    const XY corners[] = {{r.x0, r.y0}, {r.x1, r.y0}, {r.x1, r.y1}, {r.x0, r.y1}, {r.x0, r.y0}};
    std::ostringstream wkt;
    wkt.precision(17);
    wkt << "POLYGON((";
    for (int i = 0; i < 5; ++i) {
        const LonLat p = proj.inverse(corners[i]);
        wkt << (i > 0 ? ", " : "") << p.lon << " " << p.lat;
    }
    wkt << "))";
    return wkt.str();
}

/// Number of cell centres (k + 1/2) * cell strictly between a and b, counted one by one.
int centres_between(double a, double b, double cell) {
    int n = 0;
    for (int k = -1000; k < 1000; ++k) {
        const double c = (k + 0.5) * cell;
        n += (c > a && c < b) ? 1 : 0;
    }
    return n;
}

} // namespace

TEST(PopulationShare, IntegerPopulationsSumExactly) {
    std::mt19937_64 rng(123);
    std::uniform_int_distribution<std::uint32_t> cells_dist(1, 5000);
    std::uniform_int_distribution<std::int64_t> pop_dist(0, 200000);
    std::vector<std::pair<double, std::uint32_t>> cases{{0, 1},
                                                        {0, 7},
                                                        {1, 1},
                                                        {1, 10},
                                                        {9, 10},
                                                        {10, 10},
                                                        {11, 10},
                                                        {999, 1000},
                                                        {1001, 35},
                                                        {7, 20},
                                                        {123456789, 3},
                                                        {8.5e15 + 1, 7},
                                                        {4294967295.0, 4294967}};
    for (int i = 0; i < 300; ++i) {
        cases.emplace_back(static_cast<double>(pop_dist(rng)), cells_dist(rng));
    }
    for (const auto& [pop, cells] : cases) {
        double sum = 0.0;
        const double mean = pop / cells;
        int low = 0;
        for (std::uint32_t i = 0; i < cells; ++i) {
            const double part = population_share(pop, cells, i);
            ASSERT_EQ(part, std::floor(part)) << pop << " / " << cells << " part " << i;
            ASSERT_LT(std::abs(part - mean), 1.0) << pop << " / " << cells << " part " << i;
            // Whole persons, never fewer than floor(mean), never more than floor(mean) + 1.
            ASSERT_GE(part, std::floor(mean)) << pop << " / " << cells;
            ASSERT_LE(part, std::floor(mean) + 1) << pop << " / " << cells;
            low += part == std::floor(mean) ? 1 : 0;
            sum += part;
        }
        EXPECT_EQ(sum, pop) << pop << " over " << cells << " cells";
        // Exactly pop mod cells parts carry the extra person.
        const auto rem = static_cast<std::uint64_t>(std::fmod(pop, cells));
        EXPECT_EQ(static_cast<std::uint64_t>(cells - low), rem) << pop << " / " << cells;
    }
}

TEST(PopulationShare, RemainderIsSpreadNotHeaped) {
    // 5 extra persons over 100 cells: no two of them in the first five cells.
    std::vector<double> parts;
    for (std::uint32_t i = 0; i < 100; ++i) {
        parts.push_back(population_share(505, 100, i));
    }
    int in_first_five = 0;
    for (int i = 0; i < 5; ++i) {
        in_first_five += parts[static_cast<std::size_t>(i)] == 6.0 ? 1 : 0;
    }
    EXPECT_LE(in_first_five, 1);
    // Spread over the zone: the last 50 cells hold some of them too.
    int in_second_half = 0;
    for (std::size_t i = 50; i < 100; ++i) {
        in_second_half += parts[i] == 6.0 ? 1 : 0;
    }
    EXPECT_GE(in_second_half, 2);
}

TEST(PopulationShare, NonIntegerPopulationSplitsEvenly) {
    for (const auto& [pop, cells] : std::vector<std::pair<double, std::uint32_t>>{
             {12.5, 16}, {0.75, 3}, {1000.25, 7}, {3.3, 10}, {1e-3, 1}}) {
        double sum = 0.0;
        for (std::uint32_t i = 0; i < cells; ++i) {
            const double part = population_share(pop, cells, i);
            EXPECT_DOUBLE_EQ(part, pop / cells);
            sum += part;
        }
        EXPECT_NEAR(sum, pop, 1e-12 * pop * cells);
    }
    // 12.5 / 16 = 0.78125 is exact in binary: the sum is exact too.
    EXPECT_EQ(population_share(12.5, 16, 3), 0.78125);
    EXPECT_EQ(population_share(10.0, 0, 0), 0.0); // no cell: nothing to give
}

TEST(BuildGrid, RectangularZonesHandCounted) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    constexpr double cell = 1000.0;
    // Edges are at least 200 m from any cell centre ((k + 1/2) km), so the count is exact.
    const std::vector<Rect> rects{
        {-4700, -3300, 2300, 1700}, // 7 x 5 = 35 cells
        {3100, -900, 6900, 4200},   // 4 x 5 = 20 cells
        {-4600, 2200, -1400, 5800}, // 4 x 4 = 16 cells
    };
    const std::vector<double> pops{1001.0, 7.0, 12.5};
    std::vector<maillage::model::Zone> zones;
    for (std::size_t i = 0; i < rects.size(); ++i) {
        zones.push_back(make_zone(ctx, "Z" + std::to_string(i), rect_wkt(proj, rects[i]), pops[i]));
    }
    const auto projected = project_zones(ctx, zones, proj);
    ASSERT_EQ(projected.geometry.size(), 3U);
    const auto grid = build_grid(ctx, zones, projected, cell);

    const int hand[] = {35, 20, 16};
    ASSERT_EQ(grid.cell_count.size(), 3U);
    for (std::size_t i = 0; i < rects.size(); ++i) {
        const auto& r = rects[i];
        const int counted = centres_between(r.x0, r.x1, cell) * centres_between(r.y0, r.y1, cell);
        EXPECT_EQ(counted, hand[i]);
        EXPECT_EQ(grid.cell_count[i], static_cast<std::uint32_t>(hand[i])) << "zone " << i;
        // Zone areas: the rectangles' (corners moved by at most a millimetre).
        EXPECT_NEAR(projected.area_m2[i] / ((r.x1 - r.x0) * (r.y1 - r.y0)), 1.0, 1e-6);
    }

    // The grid covers the zones, aligned on multiples of the cell size.
    EXPECT_EQ(grid.cell_m, cell);
    EXPECT_EQ(std::fmod(grid.min_x, cell), 0.0);
    EXPECT_EQ(std::fmod(grid.max_y, cell), 0.0);
    EXPECT_LE(grid.min_x, -4700.0);
    EXPECT_GE(grid.max_y, 5800.0);
    EXPECT_GE(grid.min_x + grid.width * cell, 6900.0);
    EXPECT_LE(grid.max_y - grid.height * cell, -3300.0);
    const std::size_t n =
        static_cast<std::size_t>(grid.width) * static_cast<std::size_t>(grid.height);
    ASSERT_EQ(grid.zone.size(), n);
    ASSERT_EQ(grid.population.size(), n);

    // Every cell: in the rectangle holding its centre, else -1 with no population.
    std::vector<double> zone_sum(3, 0.0);
    double total = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
        const XY centre = grid.centre(c);
        int expected = -1;
        for (std::size_t i = 0; i < rects.size(); ++i) {
            if (rects[i].contains(centre)) {
                expected = static_cast<int>(i);
            }
        }
        ASSERT_EQ(grid.zone[c], expected)
            << "cell " << c << " centre (" << centre.x << ", " << centre.y << ")";
        if (expected < 0) {
            EXPECT_EQ(grid.population[c], 0.0);
        } else {
            zone_sum[static_cast<std::size_t>(expected)] += grid.population[c];
        }
        total += grid.population[c];
    }
    for (std::size_t i = 0; i < 3; ++i) {
        EXPECT_EQ(zone_sum[i], pops[i]) << "zone " << i;
    }
    EXPECT_EQ(total, 1001.0 + 7.0 + 12.5);
}

TEST(BuildGrid, LaterZoneWinsWhereZonesOverlap) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    const Rect first{-2200, -2200, 2200, 2200}; // alone: 4 x 4 cells
    const Rect second{-200, -2200, 3800, 2200}; // overlaps the 2 east columns of the first
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "A", rect_wkt(proj, first), 80));
    zones.push_back(make_zone(ctx, "B", rect_wkt(proj, second), 16));
    const auto projected = project_zones(ctx, zones, proj);
    const auto grid = build_grid(ctx, zones, projected, 1000.0);
    EXPECT_EQ(grid.cell_count[0], 8U);
    EXPECT_EQ(grid.cell_count[1], 16U);
    double sum_a = 0.0;
    double sum_b = 0.0;
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        const XY p = grid.centre(c);
        const int expected = second.contains(p) ? 1 : (first.contains(p) ? 0 : -1);
        EXPECT_EQ(grid.zone[c], expected);
        (grid.zone[c] == 0 ? sum_a : sum_b) += grid.population[c];
    }
    EXPECT_EQ(sum_a, 80.0);
    EXPECT_EQ(sum_b, 16.0);
}

TEST(BuildGrid, ZoneSmallerThanACellGetsNoCell) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    const Rect big{-2700, -2700, 2700, 2700}; // 6 x 6 (centres -2500 .. 2500)
    const Rect tiny{3100, 100, 3200, 200};    // 100 m wide, between cell centres
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "big", rect_wkt(proj, big), 250));
    zones.push_back(make_zone(ctx, "tiny", rect_wkt(proj, tiny), 40));
    const auto projected = project_zones(ctx, zones, proj);
    const auto grid = build_grid(ctx, zones, projected, 1000.0);
    EXPECT_EQ(grid.cell_count[0], 36U);
    EXPECT_EQ(centres_between(big.x0, big.x1, 1000.0) * centres_between(big.y0, big.y1, 1000.0),
              36);
    EXPECT_EQ(grid.cell_count[1], 0U);
    double total = 0.0;
    for (std::size_t c = 0; c < grid.zone.size(); ++c) {
        EXPECT_NE(grid.zone[c], 1);
        total += grid.population[c];
    }
    EXPECT_EQ(total, 250.0); // the tiny zone's population is not on the grid
    EXPECT_NEAR(projected.area_m2[1], 100.0 * 100.0, 1e-2);

    // Alone, the tiny zone still gets a (one-cell) grid, and no cell.
    std::vector<maillage::model::Zone> alone;
    alone.push_back(make_zone(ctx, "tiny", rect_wkt(proj, tiny), 40));
    const auto p2 = project_zones(ctx, alone, proj);
    const auto g2 = build_grid(ctx, alone, p2, 1000.0);
    EXPECT_EQ(g2.cell_count[0], 0U);
    EXPECT_GE(g2.width, 1);
    EXPECT_GE(g2.height, 1);
    for (const auto z : g2.zone) {
        EXPECT_EQ(z, -1);
    }
}

TEST(RasterizeInto, CellsWhoseCentreIsInsideGetTheLaterGeometry) {
    const GeosContext ctx;
    maillage::analysis::PopulationGrid grid;
    grid.cell_m = 100.0;
    grid.min_x = -1000.0;
    grid.max_y = 500.0;
    grid.width = 20;  // x from -1000 to 1000, centres at -950, -850, ...
    grid.height = 10; // y from 500 down to -500
    std::vector<maillage::geo::GeomPtr> geoms;
    geoms.push_back(read_wkt(ctx, "POLYGON((-930 -430, 120 -430, 120 370, -930 370, -930 -430))"));
    geoms.push_back(read_wkt(ctx, "POLYGON((-20 -20, 580 -20, 580 280, -20 280, -20 -20))"));
    // A triangle: centres strictly inside x > 610, y > -480, y < x - 620 (hand test below).
    geoms.push_back(read_wkt(ctx, "POLYGON((610 -480, 990 -480, 990 370, 610 -480))"));
    std::vector<std::int32_t> out{7, 7, 7}; // replaced, whatever it held
    maillage::analysis::rasterize_into(ctx, geoms, grid, out);
    ASSERT_EQ(out.size(), 200U);
    int counts[4] = {0, 0, 0, 0};
    for (std::size_t c = 0; c < out.size(); ++c) {
        const XY p = grid.centre(c);
        int expected = 0;
        if (p.x > -930 && p.x < 120 && p.y > -430 && p.y < 370) {
            expected = 1;
        }
        if (p.x > -20 && p.x < 580 && p.y > -20 && p.y < 280) {
            expected = 2;
        }
        // Edge from (610, -480) to (990, 370): y = -480 + (x - 610) * 850 / 380.
        if (p.x < 990 && p.y > -480 && p.y < -480 + (p.x - 610) * 850.0 / 380.0) {
            expected = 3;
        }
        EXPECT_EQ(out[c], expected) << "centre (" << p.x << ", " << p.y << ")";
        ++counts[out[c]];
    }
    // By hand: rectangle 1 spans centres x -850..50 (10) by y -350..350 (8) = 80 cells, of
    // which rectangle 2 takes x 50 (1) by y 50..250 (3) = 3; rectangle 2 has x 50..550 (6) by
    // 3 = 18 cells.
    EXPECT_EQ(counts[1], 77);
    EXPECT_EQ(counts[2], 18);
    EXPECT_GT(counts[3], 0);
}

TEST(ProjectZones, ReferenceOfAConvexZoneIsItsCentroid) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    const Rect r{1000, 2000, 7000, 4000};
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "R", rect_wkt(proj, r), 1));
    const auto projected = project_zones(ctx, zones, proj);
    const LonLat centre = proj.inverse({4000.0, 3000.0});
    EXPECT_NEAR(projected.reference[0].lon, centre.lon, 1e-8);
    EXPECT_NEAR(projected.reference[0].lat, centre.lat, 1e-8);
}

TEST(ProjectZones, ReferenceOfACShapedZoneLiesInside) {
    const GeosContext ctx;
    const EqualAreaProjection proj(5.15, 45.15);
    // A "C" opening east: a bar 0.05 degree wide at the west, two arms 0.05 high.
    // Its centroid is about (5.11875, 45.15), in the notch, outside the polygon.
    const std::string wkt = "POLYGON((5 45, 5.3 45, 5.3 45.05, 5.05 45.05, 5.05 45.25, 5.3 45.25, "
                            "5.3 45.3, 5 45.3, 5 45))";
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "C", wkt, 100));
    const auto projected = project_zones(ctx, zones, proj);
    ASSERT_EQ(projected.reference.size(), 1U);
    const LonLat ref = projected.reference[0];

    auto point = [&](double x, double y) {
        return maillage::geo::own(ctx, GEOSGeom_createPointFromXY_r(ctx.get(), x, y), "point");
    };
    const auto& lonlat = zones[0].geometry;
    // The premise: the centroid is outside.
    ASSERT_EQ(GEOSIntersects_r(ctx.get(), lonlat.get(), point(5.11875, 45.15).get()), 0);
    // The reference point is inside, in lon/lat and in the projection.
    EXPECT_EQ(GEOSIntersects_r(ctx.get(), lonlat.get(), point(ref.lon, ref.lat).get()), 1)
        << "reference (" << ref.lon << ", " << ref.lat << ")";
    const XY xy = proj.forward(ref);
    EXPECT_EQ(GEOSIntersects_r(ctx.get(), projected.geometry[0].get(), point(xy.x, xy.y).get()), 1);
    // And not on the boundary: strictly within.
    EXPECT_EQ(GEOSWithin_r(ctx.get(), point(ref.lon, ref.lat).get(), lonlat.get()), 1);
}

namespace {

/// A grid of `w` x `h` cells of `cell_m` centred on the projection's origin, every cell wanted.
maillage::analysis::PopulationGrid square_grid(double cell_m, int w, int h) {
    maillage::analysis::PopulationGrid g;
    g.cell_m = cell_m;
    g.width = w;
    g.height = h;
    g.min_x = -0.5 * cell_m * w;
    g.max_y = 0.5 * cell_m * h;
    g.zone.assign(static_cast<std::size_t>(w) * static_cast<std::size_t>(h), 0);
    return g;
}

double gap_m(const maillage::geo::Ecef& a, const maillage::geo::Ecef& b) {
    return std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y) +
                     (a.z - b.z) * (a.z - b.z));
}

} // namespace

// CellPositions against the exact inverse projection of every centre (within 0.1 mm; the
// reference: the
// closed-form inverse, itself tested against PROJ and round trips in test_equal_area.cpp), on
// rows spread over grids from 10 m to 1.5 km cells, regional, polar, and one that reaches past
// the hemisphere where interpolation stops; row() equal to at() bit for bit.
TEST(CellPositions, WithinAMicrometreOfTheExactCentreAndTheSameByRowOrByCell) {
    using maillage::analysis::CellPositions;
    using maillage::geo::EqualAreaProjection;
    struct Case {
        double lon_0, lat_0, cell_m;
        int w, h;
        int k; // expected cells per segment
    };
    const std::vector<Case> cases{
        {4.5, 45.5, 100.0, 6000, 5000, 40},     // the region at 100 m
        {4.5, 45.5, 200.0, 3001, 2501, 20},     // odd sizes: the last segment is cut
        {4.5, 45.5, 10.0, 4000, 300, 400},      // 10 m: 4 km segments
        {4.5, 45.5, 999.0, 700, 600, 4},        // just under 1 km
        {4.5, 45.5, 1000.0, 700, 600, 4},       // 1 km: 4 km segments
        {4.5, 45.5, 1500.0, 400, 400, 1},       // exact
        {0.0, 90.0, 500.0, 2000, 2000, 8},      // polar aspect
        {0.0, -90.0, 250.0, 800, 800, 16},      // south polar aspect
        {170.0, 0.0, 2.0e3 / 3.0, 30000, 9, 6}, // 20,000 km wide: past 1.2 Earth radii
    };
    for (const auto& cs : cases) {
        const EqualAreaProjection proj(cs.lon_0, cs.lat_0);
        const auto g = square_grid(cs.cell_m, cs.w, cs.h);
        const CellPositions pos(g, proj);
        EXPECT_EQ(pos.segment_cells(), cs.k) << cs.cell_m;
        double worst = 0.0;
        std::vector<maillage::geo::Ecef> row(static_cast<std::size_t>(g.width));
        const int step = std::max(1, g.height / 9);
        for (int r = 0; r < g.height; r += step) {
            const std::size_t base =
                static_cast<std::size_t>(r) * static_cast<std::size_t>(g.width);
            pos.row(r, g.zone.data() + base, row.data());
            for (int c = 0; c < g.width; ++c) {
                const auto cell = base + static_cast<std::size_t>(c);
                const auto exact = proj.inverse_ecef(g.centre(cell));
                const auto one = pos.at(cell);
                const auto& by_row = row[static_cast<std::size_t>(c)];
                ASSERT_EQ(one.x, by_row.x) << cs.cell_m << " row " << r << " col " << c;
                ASSERT_EQ(one.y, by_row.y);
                ASSERT_EQ(one.z, by_row.z);
                worst = std::max(worst, gap_m(one, exact));
            }
        }
        std::cout << "cells of " << cs.cell_m << " m: worst " << worst << " m\n";
        EXPECT_LT(worst, 1e-4) << "cells of " << cs.cell_m << " m, centre " << cs.lon_0 << ", "
                               << cs.lat_0;
        if (cs.k == 1) {
            EXPECT_EQ(worst, 0.0);
        }
    }
}

TEST(CellPositions, RowFillsOnlyWhatItIsAskedForInExactMode) {
    // 1.5 km cells: exact mode; cells outside the study area (-1) are not computed.
    const maillage::geo::EqualAreaProjection proj(4.5, 45.5);
    auto g = square_grid(1500.0, 10, 1);
    for (int c = 0; c < 10; c += 2) {
        g.zone[static_cast<std::size_t>(c)] = -1;
    }
    const maillage::analysis::CellPositions pos(g, proj);
    std::vector<maillage::geo::Ecef> row(10, maillage::geo::Ecef{-1.0, -1.0, -1.0});
    pos.row(0, g.zone.data(), row.data());
    for (int c = 0; c < 10; ++c) {
        const auto& e = row[static_cast<std::size_t>(c)];
        if (c % 2 == 0) {
            EXPECT_EQ(e.x, -1.0);
        } else {
            EXPECT_EQ(e.x, proj.inverse_ecef(g.centre(static_cast<std::size_t>(c))).x);
        }
    }
}

TEST(BuildGrid, TooManyCellsIsAValueErrorNotAUsageError) {
    // 5.4 km x 5.4 km at 0.1 m: 54,000 x 54,000 = 2.9e9 cells, over the 2e9 limit. The cell
    // size is a value the caller gave: the library says what is wrong with it (value_error),
    // the CLI reports it as a usage error.
    const GeosContext ctx;
    const EqualAreaProjection proj(5.0, 45.0);
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "big", rect_wkt(proj, Rect{-2700, -2700, 2700, 2700}), 250));
    const auto projected = project_zones(ctx, zones, proj);
    try {
        (void)build_grid(ctx, zones, projected, 0.1);
        ADD_FAILURE() << "no error for a grid of 2.9e9 cells";
    } catch (const maillage::value_error& e) {
        EXPECT_NE(std::string(e.what()).find("would have"), std::string::npos) << e.what();
    }
}
