// Context zones of the E2SFCA (context_demand, compute_access with a context): a hand-worked case
// where a border site's ratio changes because of the people across the border, and a brute force
// over every (demand point, site) pair that places the context zones' cells itself (the study
// grid's lattice extended, its own point-in-polygon test) and checks the conservation of supply
// over all the demand, inside and outside the study area.

#include "maillage/analysis/access.hpp"
#include "maillage/analysis/analysis.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geodesic.hpp"

#include "../support/test_support.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <string>
#include <vector>

namespace {

using maillage::analysis::Decay;
using maillage::geo::GeosContext;
using maillage::geo::LonLat;

struct Rect {
    double lon0, lat0, lon1, lat1;
};

maillage::model::Zone make_zone(const GeosContext& ctx, const std::string& id, const Rect& r,
                                double population) {
    return maillage::test::rect_zone(ctx, id, "G", r.lon0, r.lat0, r.lon1, r.lat1, population);
}

using maillage::test::make_site;

/// A square of about 30 m around (lon, lat): no cell of a 5 km grid, a point demand.
Rect tiny(double lon, double lat) {
    return {lon - 0.0002, lat - 0.0002, lon + 0.0002, lat + 0.0002};
}

// ---------------------------------------------------------------------------------------------
// Hand-worked: a border site shared with the people across the border.
//
// On the meridian lon 5.0 (0.1 degree of latitude is 11.12 km there), default bands 0-10:1,
// 10-20:0.68, 20-30:0.22. Study zone P at lat 45.00 (1000 inhabitants); context zone Q across
// the "border" at lat 45.10 (3000). Sites: A at 45.05 (capacity 1; 5.56 km from P and from Q:
// weight 1 for both), B at 44.90 (capacity 2; 11.12 km from P: 0.68; 22.24 km from Q: 0.22).
//
// Without the context zone:
//   D_A = 1000 x 1 = 1000            R_A = 1/1000
//   D_B = 1000 x 0.68 = 680          R_B = 2/680
//   A_P = 1/1000 + 0.68 x 2/680 = 0.001 + 0.002 = 0.003          (300 per 100,000)
// With it:
//   D_A = 1000 + 3000 x 1 = 4000     R_A = 1/4000 = 0.00025
//   D_B = 680 + 3000 x 0.22 = 1340   R_B = 2/1340
//   A_P = 0.00025 + 0.68 x 2/1340 = 0.00025 + 0.00101492537 = 0.00126492537
//   A_Q = 0.00025 + 0.22 x 2/1340 = 0.00025 + 0.00032835821 = 0.00057835821
// Conservation: 1000 A_P + 3000 A_Q = 1.26492537 + 1.73507463 = 3 = S_A + S_B.
// ---------------------------------------------------------------------------------------------

TEST(AccessContext, HandWorkedBorderSite) {
    GeosContext ctx;
    std::vector<maillage::model::Zone> zones;
    zones.push_back(make_zone(ctx, "P", tiny(5.0, 45.0), 1000));
    std::vector<maillage::model::Zone> context;
    context.push_back(make_zone(ctx, "Q", tiny(5.0, 45.10), 3000));
    const std::vector<maillage::model::Site> sites = {make_site("A", 5.0, 45.05, 1.0),
                                                      make_site("B", 5.0, 44.90, 2.0)};
    // The premise: every distance at least 1 km from a band edge.
    for (const auto& [p, s, expected_km] :
         std::vector<std::tuple<LonLat, LonLat, double>>{{{5.0, 45.0}, {5.0, 45.05}, 5.56},
                                                         {{5.0, 45.1}, {5.0, 45.05}, 5.56},
                                                         {{5.0, 45.0}, {5.0, 44.90}, 11.12},
                                                         {{5.0, 45.1}, {5.0, 44.90}, 22.24}}) {
        EXPECT_NEAR(maillage::geo::geodesic_distance_m(p, s) / 1000.0, expected_km, 0.02);
    }
    maillage::analysis::Parameters params;
    params.grid_m = 5000.0;
    const auto base = maillage::analysis::analyse(ctx, sites, zones, params);
    ASSERT_EQ(base.point_demands, 1U);
    const maillage::analysis::AccessParameters ap;

    const auto alone = maillage::analysis::compute_access(sites, zones, base, ap);
    EXPECT_NEAR(alone.site_demand[0], 1000.0, 1e-9);
    EXPECT_NEAR(alone.site_demand[1], 680.0, 1e-9);
    EXPECT_NEAR(alone.zone_index[0], 0.003, 1e-15);

    const auto c = maillage::analysis::context_demand(ctx, context, zones, base);
    EXPECT_EQ(c.zones, 1U);
    EXPECT_EQ(c.point_demands, 1U);
    EXPECT_DOUBLE_EQ(c.population, 3000.0);
    EXPECT_DOUBLE_EQ(c.population_demand, 3000.0);
    EXPECT_DOUBLE_EQ(c.population_in_study_area, 0.0);
    EXPECT_TRUE(c.overlapping.empty());
    const auto a = maillage::analysis::compute_access(sites, zones, base, ap, {}, &c);
    EXPECT_NEAR(a.site_demand[0], 4000.0, 1e-9);
    EXPECT_NEAR(a.site_demand[1], 1340.0, 1e-9);
    EXPECT_NEAR(a.site_context_demand[0], 3000.0, 1e-9);
    EXPECT_NEAR(a.site_context_demand[1], 660.0, 1e-9);
    EXPECT_NEAR(a.site_ratio[0], 0.00025, 1e-18);
    EXPECT_NEAR(a.site_ratio[1], 2.0 / 1340.0, 1e-18);
    EXPECT_NEAR(a.zone_index[0], 0.00025 + 0.68 * 2.0 / 1340.0, 1e-15);
    EXPECT_NEAR(a.zone_index[0], 0.00126492537, 1e-11);
    // Not reported: the study area's figures are over P alone.
    EXPECT_DOUBLE_EQ(a.population_total, 1000.0);
    EXPECT_NEAR(a.mean_index, 0.00126492537, 1e-11);
    EXPECT_DOUBLE_EQ(a.context_population, 3000.0);
    EXPECT_DOUBLE_EQ(a.context_population_in_reach, 3000.0);
    EXPECT_EQ(a.context_sites, 2U);
    EXPECT_NEAR(a.weighted_sum, 1000 * 0.00126492537, 1e-8);
    EXPECT_NEAR(a.context_weighted_sum, 3000 * 0.00057835821, 1e-8);
    EXPECT_NEAR(a.weighted_sum + a.context_weighted_sum, 3.0, 1e-12);
    EXPECT_DOUBLE_EQ(a.supply_served, 3.0);
}

// ---------------------------------------------------------------------------------------------
// Cells: context squares around the study squares, against a brute force.
// ---------------------------------------------------------------------------------------------

const std::vector<std::pair<Rect, double>> study_rects = {{{4.90, 44.95, 5.03, 45.04}, 12000.5},
                                                          {{5.03, 44.95, 5.16, 45.04}, 4000.25}};
// West and east of the study area, one across the north, a tiny one (a point demand), and one
// that is a study zone again (the study area wins: no demand from it).
const std::vector<std::pair<Rect, double>> context_rects = {{{4.77, 44.95, 4.90, 45.04}, 5000.5},
                                                            {{5.16, 44.90, 5.29, 45.06}, 2500.75},
                                                            {{4.85, 45.04, 5.20, 45.12}, 7000.5},
                                                            {tiny(5.45, 45.00), 400},
                                                            {{4.90, 44.95, 5.03, 45.04}, 999.5}};

/// The zones PREFIX0, PREFIX1, ... of a list of rectangles with their populations.
std::vector<maillage::model::Zone> zones_of(const GeosContext& ctx, const std::string& prefix,
                                            const std::vector<std::pair<Rect, double>>& rects) {
    std::vector<maillage::model::Zone> out;
    for (std::size_t i = 0; i < rects.size(); ++i) {
        out.push_back(make_zone(ctx, prefix + std::to_string(i), rects[i].first, rects[i].second));
    }
    return out;
}

/// Even-odd test of a point against a projected quadrilateral.
bool inside(const std::array<maillage::geo::XY, 4>& q, maillage::geo::XY p) {
    bool in = false;
    for (std::size_t i = 0, j = 3; i < 4; j = i++) {
        if ((q[i].y > p.y) != (q[j].y > p.y) &&
            p.x < (q[j].x - q[i].x) * (p.y - q[i].y) / (q[j].y - q[i].y) + q[i].x) {
            in = !in;
        }
    }
    return in;
}

TEST(AccessContext, CellsMatchBruteForceAndSupplyIsConserved) {
    GeosContext ctx;
    const auto zones = zones_of(ctx, "Z", study_rects);
    const auto context = zones_of(ctx, "C", context_rects);
    // A1 on the west border, A2 on the east one, A3 inside, A4 only reaching context people
    // (29 km north of the study area, 20 km from C2), A5 reaching nobody.
    const std::vector<maillage::model::Site> sites = {
        make_site("A1", 4.90, 45.00, 2.0), make_site("A2", 5.16, 45.00, 1.0),
        make_site("A3", 5.00, 44.99, 1.5), make_site("A4", 5.00, 45.30, 1.0),
        make_site("A5", 7.00, 46.00, 3.0)};
    maillage::analysis::Parameters params;
    params.grid_m = 1000.0;
    const auto base = maillage::analysis::analyse(ctx, sites, zones, params);
    const auto decay = Decay::bands({{0, 8000, 1}, {8000, 16000, 0.5}, {16000, 24000, 0.25}});
    maillage::analysis::AccessParameters ap;
    ap.decay = decay;
    const auto c = maillage::analysis::context_demand(ctx, context, zones, base);
    const auto a = maillage::analysis::compute_access(sites, zones, base, ap, {}, &c);

    // The brute force: the study grid's lattice (same origin and cell size) over the context
    // zones' extent; a cell is context demand when its centre lies in a context zone (the later
    // one where they overlap) and in no study zone; each context zone's population spread evenly
    // over the cells whose centre lies in it (non-whole populations: equal shares).
    const auto& proj = base.projection;
    const double cell = base.grid.cell_m;
    auto quad = [&](const Rect& r) {
        return std::array<maillage::geo::XY, 4>{
            proj.forward(LonLat{r.lon0, r.lat0}), proj.forward(LonLat{r.lon1, r.lat0}),
            proj.forward(LonLat{r.lon1, r.lat1}), proj.forward(LonLat{r.lon0, r.lat1})};
    };
    std::vector<std::array<maillage::geo::XY, 4>> cq;
    std::vector<std::array<maillage::geo::XY, 4>> sq;
    for (const auto& [r, p] : context_rects) {
        cq.push_back(quad(r));
    }
    for (const auto& [r, p] : study_rects) {
        sq.push_back(quad(r));
    }
    struct Cell {
        LonLat at;
        std::size_t zone;
        bool study;
    };
    std::vector<Cell> cells;
    std::vector<double> zone_cells(context.size(), 0.0);
    for (long row = -40; row < 60; ++row) {
        for (long col = -40; col < 80; ++col) {
            const maillage::geo::XY p{base.grid.min_x + (static_cast<double>(col) + 0.5) * cell,
                                      base.grid.max_y - (static_cast<double>(row) + 0.5) * cell};
            long owner = -1;
            for (std::size_t i = 0; i < cq.size(); ++i) {
                if (inside(cq[i], p)) {
                    owner = static_cast<long>(i);
                }
            }
            if (owner < 0) {
                continue;
            }
            bool study = false;
            for (const auto& q : sq) {
                study = study || inside(q, p);
            }
            cells.push_back({proj.inverse(p), static_cast<std::size_t>(owner), study});
            zone_cells[static_cast<std::size_t>(owner)] += 1.0;
        }
    }
    const std::size_t ns = sites.size();
    auto w = [&](LonLat p, std::size_t s) {
        return decay.weight(maillage::geo::geodesic_distance_m(p, sites[s].position));
    };
    std::vector<double> study_demand(ns, 0.0);
    std::vector<double> context_demand(ns, 0.0);
    double context_pop = 0.0;
    double in_study_pop = 0.0;
    std::vector<std::pair<LonLat, double>> context_points; // (position, population)
    for (const auto& cl : cells) {
        const double pop = context_rects[cl.zone].second / zone_cells[cl.zone];
        if (cl.study) {
            in_study_pop += pop;
            continue;
        }
        context_points.emplace_back(cl.at, pop);
    }
    // The tiny zone: no cell, its population on its centre.
    ASSERT_EQ(zone_cells[3], 0.0);
    context_points.emplace_back(LonLat{5.45, 45.00}, 400.0);
    for (const auto& [p, pop] : context_points) {
        context_pop += pop;
        for (std::size_t s = 0; s < ns; ++s) {
            context_demand[s] += pop * w(p, s);
        }
    }
    const auto& g = base.grid;
    std::vector<LonLat> centres(g.zone.size());
    for (std::size_t k = 0; k < g.zone.size(); ++k) {
        if (g.zone[k] < 0) {
            continue;
        }
        centres[k] = proj.inverse(g.centre(k));
        for (std::size_t s = 0; s < ns; ++s) {
            study_demand[s] += g.population[k] * w(centres[k], s);
        }
    }
    std::vector<double> ratio(ns, 0.0);
    double served = 0.0;
    for (std::size_t s = 0; s < ns; ++s) {
        const double d = study_demand[s] + context_demand[s];
        ratio[s] = d > 0 ? sites[s].capacity / d : 0.0;
        served += d > 0 ? sites[s].capacity : 0.0;
    }
    auto index = [&](LonLat p) {
        double v = 0.0;
        for (std::size_t s = 0; s < ns; ++s) {
            v += ratio[s] * w(p, s);
        }
        return v;
    };
    double study_sum = 0.0;
    for (std::size_t k = 0; k < g.zone.size(); ++k) {
        if (g.zone[k] >= 0) {
            study_sum += g.population[k] * index(centres[k]);
        }
    }
    double context_sum = 0.0;
    for (const auto& [p, pop] : context_points) {
        context_sum += pop * index(p);
    }

    // The premises: people on both sides of both borders, the duplicate zone wholly inside.
    EXPECT_GT(context_points.size(), 300U);
    EXPECT_NEAR(in_study_pop, 999.5 + 0.0, 1e-6); // only C4, a copy of Z0, lies in the study area
    EXPECT_EQ(served, 2.0 + 1.0 + 1.5 + 1.0);

    // Context demand as placed by the code.
    EXPECT_EQ(c.zones, 5U);
    EXPECT_NEAR(c.population, 5000.5 + 2500.75 + 7000.5 + 400 + 999.5, 1e-9);
    EXPECT_NEAR(c.population_in_study_area, in_study_pop, 1e-6);
    EXPECT_NEAR(c.population_demand, context_pop, 1e-6);
    EXPECT_EQ(c.point_demands, 1U);
    EXPECT_EQ(c.zones_inside, 1U);
    ASSERT_EQ(c.overlapping.size(), 1U);
    EXPECT_EQ(c.overlapping[0], 4U);
    EXPECT_NEAR(a.context_population, context_pop, 1e-6);

    for (std::size_t s = 0; s < ns; ++s) {
        SCOPED_TRACE("site " + sites[s].id);
        EXPECT_NEAR(a.site_context_demand[s], context_demand[s], 1e-9 * context_demand[s] + 1e-9);
        EXPECT_NEAR(a.site_demand[s], study_demand[s] + context_demand[s],
                    1e-9 * (study_demand[s] + context_demand[s]) + 1e-9);
        if (ratio[s] > 0) {
            EXPECT_NEAR(a.site_ratio[s], ratio[s], 1e-9 * ratio[s]);
        }
    }
    EXPECT_TRUE(std::isnan(a.site_ratio[4]));
    // A1, A2 (border sites) and A4 (context only) have context demand; A4 none in the study area.
    EXPECT_GT(a.site_context_demand[0], 0.0);
    EXPECT_GT(a.site_context_demand[1], 0.0);
    EXPECT_GT(a.site_context_demand[3], 0.0);
    EXPECT_EQ(study_demand[3], 0.0);
    EXPECT_EQ(a.context_sites, 4U);

    // Conservation over all the demand, inside and outside the study area.
    EXPECT_NEAR(study_sum + context_sum, served, 1e-9 * served);
    EXPECT_NEAR(a.weighted_sum, study_sum, 1e-9 * study_sum);
    EXPECT_NEAR(a.context_weighted_sum, context_sum, 1e-9 * context_sum);
    EXPECT_NEAR(a.weighted_sum + a.context_weighted_sum, a.supply_served, 1e-9 * served);
    EXPECT_DOUBLE_EQ(a.supply_served, served);
    // The study area's figures are over its own people only.
    EXPECT_NEAR(a.population_total, 12000.5 + 4000.25, 1e-9);
    EXPECT_NEAR(a.mean_index, study_sum / (12000.5 + 4000.25), 1e-9 * a.mean_index);
    for (std::size_t k = 0; k < g.zone.size(); ++k) {
        if (g.zone[k] < 0) {
            EXPECT_TRUE(std::isnan(a.cell_index[k]));
        }
    }
}

TEST(AccessContext, SameBitsWithOneAndTwoThreads) {
    GeosContext ctx;
    const auto zones = zones_of(ctx, "Z", study_rects);
    const auto context = zones_of(ctx, "C", context_rects);
    const std::vector<maillage::model::Site> sites = {make_site("A1", 4.90, 45.00, 2.0),
                                                      make_site("A2", 5.16, 45.00, 1.0)};
    maillage::analysis::Parameters params;
    params.grid_m = 500.0;
    std::vector<maillage::analysis::AccessResult> runs;
    const int threads = maillage::core::max_threads();
    for (const int t : {1, 2}) {
        maillage::core::set_threads(t); // as the command does
        const auto base = maillage::analysis::analyse(ctx, sites, zones, params);
        const auto c = maillage::analysis::context_demand(ctx, context, zones, base);
        runs.push_back(maillage::analysis::compute_access(sites, zones, base, {}, {}, &c));
    }
    maillage::core::set_threads(threads);
    EXPECT_EQ(runs[0].site_demand, runs[1].site_demand);
    EXPECT_EQ(runs[0].context_weighted_sum, runs[1].context_weighted_sum);
    EXPECT_EQ(runs[0].context_population_in_reach, runs[1].context_population_in_reach);
    EXPECT_EQ(runs[0].zone_index, runs[1].zone_index);
}

} // namespace
