// The cost model (GeodesicCost) and the cell pass against hand-worked figures and a brute force
// over every site with geo::geodesic_distance_m.

#include "maillage/analysis/cell_pass.hpp"
#include "maillage/analysis/cost_model.hpp"
#include "maillage/geo/geodesic.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>
#include <vector>

namespace {

using maillage::analysis::cell_pass;
using maillage::analysis::CellOutputs;
using maillage::analysis::GeodesicCost;
using maillage::analysis::PopulationGrid;
using maillage::geo::LonLat;

constexpr double wgs84_a = 6378137.0;

/// Nearest site by brute force: the smallest geodesic, ties to the lower position.
std::pair<std::uint32_t, double> brute_nearest(const std::vector<LonLat>& sites, LonLat p) {
    std::uint32_t best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    for (std::uint32_t s = 0; s < sites.size(); ++s) {
        const double d = maillage::geo::geodesic_distance_m(p, sites[s]);
        if (d < best_d) {
            best = s;
            best_d = d;
        }
    }
    return {best, best_d};
}

std::vector<LonLat> random_points(std::mt19937& rng, std::size_t n, double lon0, double lat0,
                                  double span) {
    std::uniform_real_distribution<double> u(0.0, span);
    std::vector<LonLat> out;
    for (std::size_t k = 0; k < n; ++k) {
        out.push_back({lon0 + u(rng), lat0 + u(rng)});
    }
    return out;
}

/// A 12 x 10 grid of 1 km cells centred on (2.5, 46.5), every third cell outside the study
/// area; two zones (west and east halves).
PopulationGrid small_grid() {
    PopulationGrid g;
    g.cell_m = 1000.0;
    g.min_x = -6000.0;
    g.max_y = 5000.0;
    g.width = 12;
    g.height = 10;
    const auto n = static_cast<std::size_t>(g.width * g.height);
    g.zone.assign(n, -1);
    g.population.assign(n, 0.0);
    g.cell_count.assign(2, 0);
    for (std::size_t c = 0; c < n; ++c) {
        if (c % 3 == 1) {
            continue;
        }
        const auto z = static_cast<std::int32_t>((c % 12) < 6 ? 0 : 1);
        g.zone[c] = z;
        g.population[c] = static_cast<double>(c % 7);
        ++g.cell_count[static_cast<std::size_t>(z)];
    }
    return g;
}

} // namespace

TEST(CostModel, HandWorkedEquator) {
    // Along the equator the geodesic is the equator, a circle of radius a: a quarter degree is
    // a * pi / 720.
    const std::vector<LonLat> sites{{0.0, 0.0}, {1.0, 0.0}};
    const GeodesicCost model(sites);
    ASSERT_EQ(model.size(), 2U);
    const double quarter = wgs84_a * std::numbers::pi / 720.0;
    const auto near = model.nearest(LonLat{0.25, 0.0});
    EXPECT_EQ(near.site, 0U);
    EXPECT_NEAR(near.cost, quarter, 1e-3);
    const auto far = model.nearest(LonLat{0.75, 0.0});
    EXPECT_EQ(far.site, 1U);
    EXPECT_NEAR(far.cost, quarter, 1e-3);
    const auto e = maillage::geo::to_ecef({0.25, 0.0});
    EXPECT_EQ(model.nearest(e).site, 0U);
    EXPECT_NEAR(model.cost(e, 1), 3.0 * quarter, 1e-3);
    // The chord to site 1 is a little shorter than the arc: within the arc, not within 80 %.
    EXPECT_TRUE(model.may_reach(e, 1, 3.0 * quarter));
    EXPECT_FALSE(model.may_reach(e, 1, 0.8 * 3.0 * quarter));
    EXPECT_EQ(model.count_within({0.25, 0.0}, quarter + 1.0), 1U);
    EXPECT_EQ(model.count_within({0.25, 0.0}, 3.0 * quarter + 1.0), 2U);
    const auto all = model.within({0.25, 0.0}, 3.0 * quarter + 1.0);
    ASSERT_EQ(all.size(), 2U);
    EXPECT_EQ(all[0].site, 0U);
    EXPECT_EQ(all[1].site, 1U);
    EXPECT_NEAR(all[1].cost, 3.0 * quarter, 1e-3);
}

TEST(CostModel, MatchesBruteForceOnRandomPoints) {
    std::mt19937 rng(12);
    const auto sites = random_points(rng, 60, 2.0, 45.0, 2.0);
    GeodesicCost model(sites);
    const auto points = random_points(rng, 500, 1.8, 44.8, 2.4);
    model.prepare(points, 100000); // the bucket table: the same answers
    for (const auto& p : points) {
        const auto [site, d] = brute_nearest(sites, p);
        const auto hit = model.nearest(p);
        EXPECT_EQ(hit.site, site);
        EXPECT_NEAR(hit.cost, d, 1e-6);
        const auto e = maillage::geo::to_ecef(p);
        EXPECT_EQ(model.nearest(e).site, site);
        EXPECT_NEAR(model.cost(e, site), d, 1e-6);
        EXPECT_TRUE(model.may_reach(e, site, d));
        std::size_t within = 0;
        for (const auto& s : sites) {
            within += maillage::geo::geodesic_distance_m(p, s) <= 20000.0 ? 1U : 0U;
        }
        EXPECT_EQ(model.count_within(p, 20000.0), within);
    }
}

TEST(CellPass, EveryCellMatchesBruteForce) {
    const auto grid = small_grid();
    const maillage::geo::EqualAreaProjection proj(2.5, 46.5);
    std::mt19937 rng(3);
    const auto sites = random_points(rng, 25, 2.38, 46.42, 0.25);
    GeodesicCost model(sites);
    const std::size_t n = grid.zone.size();
    std::vector<double> cost(n, -1.0);
    std::vector<std::uint32_t> site(n, 999);
    std::vector<float> km(n, -1.0F);
    // Progress comes from thread 0 only, which may get no row of so small a grid: when it is
    // called, it is with a fraction.
    cell_pass(grid, proj, model, {cost, site, km}, [&](double f) {
        EXPECT_GE(f, 0.0);
        EXPECT_LE(f, 1.0);
    });
    for (std::size_t c = 0; c < n; ++c) {
        if (grid.zone[c] < 0) {
            EXPECT_EQ(cost[c], -1.0); // outside: not written
            EXPECT_EQ(site[c], 999U);
            EXPECT_EQ(km[c], -1.0F);
            continue;
        }
        // The exact centre; the cell pass interpolates within micrometres of it.
        const auto [s, d] = brute_nearest(sites, proj.inverse(grid.centre(c)));
        EXPECT_EQ(site[c], s) << "cell " << c;
        EXPECT_NEAR(cost[c], d, 1e-4) << "cell " << c;
        EXPECT_EQ(km[c], static_cast<float>(cost[c] / 1000.0));
    }
}

TEST(CellPass, ListedCellsEqualTheFullPassBitForBit) {
    const auto grid = small_grid();
    const maillage::geo::EqualAreaProjection proj(2.5, 46.5);
    std::mt19937 rng(5);
    const auto sites = random_points(rng, 9, 2.4, 46.44, 0.2);
    GeodesicCost model(sites);
    const std::size_t n = grid.zone.size();
    std::vector<double> full(n, 0.0);
    std::vector<std::uint32_t> full_site(n, 0);
    cell_pass(grid, proj, model, {full, full_site, {}});
    std::vector<std::size_t> listed;
    for (std::size_t c = n; c-- > 0;) { // any order
        if (grid.zone[c] >= 0 && c % 2 == 0) {
            listed.push_back(c);
        }
    }
    std::vector<double> part(n, -1.0);
    std::vector<std::uint32_t> part_site(n, 999);
    cell_pass(grid, proj, model, listed, {part, part_site, {}});
    for (std::size_t c = 0; c < n; ++c) {
        if (grid.zone[c] >= 0 && c % 2 == 0) {
            EXPECT_EQ(part[c], full[c]);
            EXPECT_EQ(part_site[c], full_site[c]);
        } else {
            EXPECT_EQ(part[c], -1.0);
            EXPECT_EQ(part_site[c], 999U);
        }
    }
}
