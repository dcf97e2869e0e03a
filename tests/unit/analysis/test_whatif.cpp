// what_if() against two independent references: a full analyse() of the scenario's sites (every
// cell's distance and nearest site, every zone's figures, bit for bit), and a brute force over
// the scenario's sites from each cell centre. Plus a hand-worked case: a village whose only
// nearby site closes, then one opens. Zones and sites are SYNTHETIC, made here.

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/whatif.hpp"
#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using maillage::analysis::analyse;
using maillage::analysis::AnalysisResult;
using maillage::analysis::Scenario;
using maillage::analysis::what_if;
using maillage::geo::GeosContext;
using maillage::geo::LonLat;
using maillage::model::Site;
using maillage::model::Zone;

Zone make_zone(const GeosContext& ctx, const std::string& id, const std::string& group, double lon0,
               double lat0, double lon1, double lat1, double population) {
    const std::string wkt = "POLYGON((" + std::to_string(lon0) + " " + std::to_string(lat0) + ", " +
                            std::to_string(lon1) + " " + std::to_string(lat0) + ", " +
                            std::to_string(lon1) + " " + std::to_string(lat1) + ", " +
                            std::to_string(lon0) + " " + std::to_string(lat1) + ", " +
                            std::to_string(lon0) + " " + std::to_string(lat0) + "))";
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.get());
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx.get(), reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx.get(), reader);
    Zone z;
    z.id = id;
    z.name = "zone " + id;
    z.group = group;
    z.population = population;
    z.geometry = maillage::geo::own(ctx, g, "WKT read");
    z.where = "test " + id;
    return z;
}

Site make_site(const std::string& id, double lon, double lat) {
    Site s;
    s.id = id;
    s.name = "site " + id;
    s.position = {lon, lat};
    s.where = "test";
    return s;
}

struct Case {
    GeosContext ctx;
    std::vector<Zone> zones;
    std::vector<Site> sites;
    maillage::analysis::Parameters params;
};

/// A 3 x 3 block of ~10 km squares near (5, 45) in two groups, plus a zone too small for a cell
/// (a point demand). Sites: inside, on edges, two at the very same place (an exact tie), one
/// outside the study area.
void fill(Case& c) {
    int k = 0;
    for (int i = 0; i < 3; ++i) {
        for (int j = 0; j < 3; ++j) {
            const double lon0 = 4.90 + 0.13 * i;
            const double lat0 = 44.95 + 0.09 * j;
            c.zones.push_back(make_zone(c.ctx, "Z" + std::to_string(k), i < 2 ? "A" : "B", lon0,
                                        lat0, lon0 + 0.13, lat0 + 0.09, 1000.0 * (k + 1) + 7));
            ++k;
        }
    }
    c.zones.push_back(make_zone(c.ctx, "tiny", "B", 5.40, 45.30, 5.401, 45.3007, 55));
    c.sites.push_back(make_site("S0", 4.95, 44.99));
    c.sites.push_back(make_site("S1", 5.12, 45.02));
    c.sites.push_back(make_site("S2", 5.50, 45.50)); // outside
    c.sites.push_back(make_site("S3", 5.075, 45.185));
    c.sites.push_back(make_site("S4", 5.25, 45.10));
    c.sites.push_back(make_site("S5", 5.25, 45.10)); // same place as S4
    c.sites.push_back(make_site("S6", 5.03, 45.13)); // on a corner of four zones
    c.params.threshold_km = 6.0;
    c.params.grid_m = 500.0;
    c.params.keep_details = true;
}

struct BruteNearest {
    std::uint32_t site = 0;
    double distance_m = INFINITY;
};

BruteNearest brute_nearest(const std::vector<Site>& sites, LonLat p) {
    BruteNearest best;
    for (std::uint32_t i = 0; i < sites.size(); ++i) {
        const double d = maillage::geo::geodesic_distance_m(p, sites[i].position);
        if (d < best.distance_m) {
            best = {i, d};
        }
    }
    return best;
}

/// Every figure of what_if() equals the full rerun's, exactly; cells agree with a brute force.
void check_scenario(const Case& c, const AnalysisResult& base, const Scenario& sc,
                    const std::string& label) {
    SCOPED_TRACE(label);
    const auto w = what_if(c.ctx, base, c.sites, c.zones, sc, c.params);
    const auto after_sites = maillage::analysis::scenario_sites(c.sites, sc);
    ASSERT_EQ(w.sites.size(), after_sites.size());
    ASSERT_EQ(after_sites.size(), c.sites.size() - sc.closed.size() + sc.opened.size());
    const auto full = analyse(c.ctx, after_sites, c.zones, c.params);
    const auto& g = full.grid;
    ASSERT_EQ(w.cell_m.size(), g.zone.size());
    std::size_t cells = 0;
    std::size_t wrong = 0;
    double moved = 0.0;
    double newly = 0.0;
    double back = 0.0;
    const double th = c.params.threshold_km * 1000.0;
    for (std::size_t cell = 0; cell < g.zone.size(); ++cell) {
        if (g.zone[cell] < 0) {
            continue;
        }
        ++cells;
        if (w.cell_site[cell] != full.cell_site[cell] || w.cell_m[cell] != full.cell_m[cell] ||
            w.cell_km[cell] != full.cell_km[cell]) {
            if (++wrong < 5) {
                ADD_FAILURE() << "cell " << cell << ": incremental site " << w.cell_site[cell]
                              << " at " << w.cell_m[cell] << " m, full rerun site "
                              << full.cell_site[cell] << " at " << full.cell_m[cell] << " m";
            }
        }
        const auto bf = brute_nearest(after_sites, full.projection.inverse(g.centre(cell)));
        EXPECT_NEAR(w.cell_m[cell], bf.distance_m, 1e-3) << "cell " << cell;
        // Same site, or one at the same distance (S4 and S5 tie exactly).
        EXPECT_NEAR(maillage::geo::geodesic_distance_m(full.projection.inverse(g.centre(cell)),
                                                       after_sites[w.cell_site[cell]].position),
                    bf.distance_m, 1e-3);
        // The changes, recomputed here from the base and the full rerun by site id.
        const double pop = g.population[cell];
        const double before = base.cell_m[cell];
        const double after = full.cell_m[cell];
        if (c.sites[base.cell_site[cell]].id != after_sites[full.cell_site[cell]].id) {
            moved += pop;
        }
        newly += (before <= th && after > th) ? pop : 0.0;
        back += (before > th && after <= th) ? pop : 0.0;
    }
    EXPECT_EQ(wrong, 0U);
    EXPECT_EQ(w.stats.cells_total, cells);
    for (std::size_t i = 0; i < c.zones.size(); ++i) {
        SCOPED_TRACE("zone " + c.zones[i].id);
        const auto& a = w.zones[i];
        const auto& f = full.zones[i];
        EXPECT_EQ(a.nearest_site, f.nearest_site);
        EXPECT_EQ(a.nearest_m, f.nearest_m);
        EXPECT_EQ(a.sites_within, f.sites_within);
        EXPECT_EQ(a.mean_m, f.mean_m);
        EXPECT_EQ(a.max_m, f.max_m);
        EXPECT_EQ(a.population_beyond, f.population_beyond);
        EXPECT_EQ(a.weighted_sum_m, f.weighted_sum_m);
        if (f.cells == 0) {
            const double pop = c.zones[i].population;
            if (c.sites[base.zones[i].nearest_site].id != after_sites[f.nearest_site].id) {
                moved += pop;
            }
            newly += (base.zones[i].nearest_m <= th && f.nearest_m > th) ? pop : 0.0;
            back += (base.zones[i].nearest_m > th && f.nearest_m <= th) ? pop : 0.0;
        }
    }
    for (std::size_t s = 0; s < after_sites.size(); ++s) {
        EXPECT_EQ(w.site_results[s].catchment_population, full.sites[s].catchment_population)
            << "site " << s;
        EXPECT_EQ(w.site_results[s].catchment_zones, full.sites[s].catchment_zones);
        EXPECT_EQ(w.site_results[s].zone, full.sites[s].zone) << "site " << s;
    }
    EXPECT_EQ(w.sites_outside, full.sites_outside);
    EXPECT_EQ(w.distribution.total, full.distribution.total);
    EXPECT_EQ(w.distribution.mean_m, full.distribution.mean_m);
    EXPECT_EQ(w.distribution.p50_m, full.distribution.p50_m);
    EXPECT_EQ(w.distribution.p90_m, full.distribution.p90_m);
    EXPECT_EQ(w.distribution.max_m, full.distribution.max_m);
    EXPECT_EQ(w.distribution.coverage, full.distribution.coverage);
    EXPECT_EQ(w.population_beyond, full.population_beyond);
    EXPECT_EQ(w.population_moved, moved); // whole persons: exact in any order
    EXPECT_EQ(w.population_newly_beyond, newly);
    EXPECT_EQ(w.population_back_within, back);
    ASSERT_EQ(w.groups.size(), full.groups.size());
    for (std::size_t k = 0; k < w.groups.size(); ++k) {
        EXPECT_EQ(w.groups[k].group, full.groups[k].group);
        EXPECT_EQ(w.groups[k].weighted_after_m, full.groups[k].weighted_sum_m);
        EXPECT_EQ(w.groups[k].beyond_after, full.groups[k].population_beyond);
        EXPECT_EQ(w.groups[k].sites_after, full.groups[k].sites);
        EXPECT_EQ(w.groups[k].weighted_before_m, base.groups[k].weighted_sum_m);
        EXPECT_EQ(w.groups[k].sites_before, base.groups[k].sites);
    }
    // Only affected cells were recomputed: those whose site closed, or that an opened site
    // reached; never more than the study area.
    EXPECT_LE(w.stats.cells_recomputed, cells);
    EXPECT_LE(w.stats.cells_changed, w.stats.cells_recomputed);
}

TEST(WhatIf, EqualsFullRerunOnChosenScenarios) {
    Case c;
    fill(c);
    const auto base = analyse(c.ctx, c.sites, c.zones, c.params);
    ASSERT_EQ(base.cell_m.size(), base.grid.zone.size());
    ASSERT_GT(base.point_demands, 0U); // the tiny zone
    check_scenario(c, base, {{1}, {}}, "close S1");
    check_scenario(c, base, {{4}, {}}, "close S4 (S5 at the same place takes over)");
    check_scenario(c, base, {{5}, {}}, "close S5");
    check_scenario(c, base, {{0, 1, 3, 4, 5, 6}, {}}, "close all but the far site");
    check_scenario(c, base, {{}, {make_site("N1", 5.10, 45.10)}}, "open one in the middle");
    check_scenario(c, base, {{}, {make_site("N1", 5.12, 45.02)}}, "open one on S1 (a tie)");
    check_scenario(c, base, {{}, {make_site("N1", 5.401, 45.3003)}}, "open one near tiny");
    check_scenario(c, base, {{}, {make_site("N1", 120.0, -30.0)}}, "open one far away");
    check_scenario(c, base, {{2}, {make_site("N1", 5.30, 45.20), make_site("N2", 4.91, 44.96)}},
                   "close the far site, open two");
    check_scenario(c, base, {{0, 6}, {make_site("N1", 4.97, 45.00), make_site("N2", 4.97, 45.00)}},
                   "close two, open two at one place");
}

TEST(WhatIf, EqualsFullRerunOnRandomScenarios) {
    Case c;
    fill(c);
    c.params.grid_m = 800.0;
    const auto base = analyse(c.ctx, c.sites, c.zones, c.params);
    std::mt19937 rng(20240601);
    std::uniform_real_distribution<double> lon(4.85, 5.35);
    std::uniform_real_distribution<double> lat(44.92, 45.25);
    for (int t = 0; t < 12; ++t) {
        Scenario sc;
        for (std::uint32_t s = 0; s < c.sites.size(); ++s) {
            if (rng() % 3 == 0 && sc.closed.size() + 1 < c.sites.size()) {
                sc.closed.push_back(s);
            }
        }
        const int opened = static_cast<int>(rng() % 4);
        for (int k = 0; k < opened; ++k) {
            sc.opened.push_back(make_site("N" + std::to_string(k), lon(rng), lat(rng)));
        }
        check_scenario(c, base, sc, "random scenario " + std::to_string(t));
    }
}

// Hand-worked: a village of about 2 km x 2 km (1,000 inhabitants) with its only nearby site A at
// its centre, and a town with site B 30 km to the east. Threshold 20 km.
// Close A: every villager's nearest site becomes B, 29 to 31 km away: 1,000 moved, 1,000 newly
// beyond, mean distance up by about 29.2 km for the village (0.77 km -> 30 km). Then open C
// 5 km east of the village: the villagers go to C (4 to 6 km), none beyond, C serves 1,000.
TEST(WhatIf, HandWorkedVillage) {
    Case c;
    // 1 degree of longitude is 78.85 km at 45 N: 0.0254 deg = 2.0 km; 0.018 deg of latitude = 2.0
    // km.
    c.zones.push_back(make_zone(c.ctx, "village", "V", 5.0, 45.0, 5.0254, 45.018, 1000));
    c.zones.push_back(make_zone(c.ctx, "town", "T", 5.37, 44.99, 5.40, 45.03, 9000));
    const LonLat a{5.0127, 45.009};
    const auto b = maillage::geo::geodesic_destination(a, 90.0, 30000.0);
    const auto cc = maillage::geo::geodesic_destination(a, 90.0, 5000.0);
    c.sites.push_back(make_site("A", a.lon, a.lat));
    c.sites.push_back(make_site("B", b.lon, b.lat));
    c.params.threshold_km = 20.0;
    c.params.grid_m = 200.0;
    c.params.keep_details = true;
    const auto base = analyse(c.ctx, c.sites, c.zones, c.params);
    ASSERT_EQ(base.point_demands, 0U);
    EXPECT_EQ(base.population_beyond, 0.0);

    const auto closed = what_if(c.ctx, base, c.sites, c.zones, {{0}, {}}, c.params);
    EXPECT_EQ(closed.population_moved, 1000.0);
    EXPECT_EQ(closed.population_newly_beyond, 1000.0);
    EXPECT_EQ(closed.population_back_within, 0.0);
    EXPECT_EQ(closed.population_beyond, 1000.0);
    EXPECT_TRUE(closed.zone_delta[0].changed);
    EXPECT_FALSE(closed.zone_delta[1].changed); // the town keeps B
    EXPECT_EQ(closed.zone_delta[1].population_moved, 0.0);
    // Mean distance from the centre of a 2 km square: 0.7652 km (0.38260 x side); after, ~30 km.
    EXPECT_NEAR(base.zones[0].mean_m, 765.2, 25.0);
    EXPECT_NEAR(closed.zones[0].mean_m, 30000.0, 150.0);
    // Farthest cell centre: within one cell (200 m) of the west edge, 31 km from B at most
    // (corner: sqrt(31^2 + 1^2) = 31.02 km).
    EXPECT_GT(closed.zones[0].max_m, 30800.0);
    EXPECT_LT(closed.zones[0].max_m, 31020.0);
    // Only the village's cells were searched again (about 100 cells of 200 m), none compared.
    EXPECT_EQ(closed.stats.cells_closed, base.grid.cell_count[0]);
    EXPECT_NEAR(static_cast<double>(closed.stats.cells_closed), 100.0, 12.0);
    EXPECT_EQ(closed.stats.cells_compared, 0U);
    EXPECT_EQ(closed.groups.size(), 2U);
    EXPECT_EQ(closed.groups[1].group, "V");
    EXPECT_EQ(closed.groups[1].newly_beyond, 1000.0);
    EXPECT_EQ(closed.groups[0].population_moved, 0.0);
    EXPECT_EQ(closed.site_results[0].catchment_population, 10000.0); // B serves all

    Scenario both{{0}, {make_site("C", cc.lon, cc.lat)}};
    const auto reopened = what_if(c.ctx, base, c.sites, c.zones, both, c.params);
    EXPECT_EQ(reopened.population_moved, 1000.0);
    EXPECT_EQ(reopened.population_newly_beyond, 0.0);
    EXPECT_EQ(reopened.population_beyond, 0.0);
    EXPECT_EQ(reopened.site_results[1].catchment_population, 1000.0); // C, opened
    EXPECT_EQ(reopened.site_results[0].catchment_population, 9000.0); // B
    EXPECT_NEAR(reopened.zones[0].mean_m, 5000.0, 150.0);
    EXPECT_EQ(reopened.zones[0].nearest_site, 1U);

    // From the baseline with A closed for good: C brings the village back within the threshold.
    std::vector<Site> only_b{c.sites[1]};
    const auto base_b = analyse(c.ctx, only_b, c.zones, c.params);
    EXPECT_EQ(base_b.population_beyond, 1000.0);
    const auto open_c =
        what_if(c.ctx, base_b, only_b, c.zones, {{}, {make_site("C", cc.lon, cc.lat)}}, c.params);
    EXPECT_EQ(open_c.population_back_within, 1000.0);
    EXPECT_EQ(open_c.population_moved, 1000.0);
    EXPECT_EQ(open_c.population_beyond, 0.0);
    EXPECT_LT(open_c.weighted_delta_m, -1000.0 * 24000.0);
}

TEST(WhatIf, ClosingEverySiteIsAnInputError) {
    Case c;
    fill(c);
    const auto base = analyse(c.ctx, c.sites, c.zones, c.params);
    Scenario all;
    for (std::uint32_t s = 0; s < c.sites.size(); ++s) {
        all.closed.push_back(s);
    }
    EXPECT_THROW(what_if(c.ctx, base, c.sites, c.zones, all, c.params), maillage::input_error);
}

TEST(WhatIf, NeedsTheBaselineDetails) {
    Case c;
    fill(c);
    c.params.keep_details = false;
    const auto base = analyse(c.ctx, c.sites, c.zones, c.params);
    EXPECT_THROW(what_if(c.ctx, base, c.sites, c.zones, {{1}, {}}, c.params),
                 maillage::runtime_failure);
}

} // namespace
