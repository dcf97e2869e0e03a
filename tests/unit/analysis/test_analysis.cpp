// analyse() on a small synthetic case, every figure recomputed by brute force from the grid it
// returns: cell centres taken back to lon/lat, geodesic distance to every site.

#include "maillage/analysis/analysis.hpp"
#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

namespace {

using maillage::geo::GeosContext;
using maillage::geo::LonLat;

maillage::model::Zone make_zone(const GeosContext& ctx, const std::string& id,
                                const std::string& group, double lon0, double lat0, double lon1,
                                double lat1, double population) {
    const std::string wkt = "POLYGON((" + std::to_string(lon0) + " " + std::to_string(lat0) + ", " +
                            std::to_string(lon1) + " " + std::to_string(lat0) + ", " +
                            std::to_string(lon1) + " " + std::to_string(lat1) + ", " +
                            std::to_string(lon0) + " " + std::to_string(lat1) + ", " +
                            std::to_string(lon0) + " " + std::to_string(lat0) + "))";
    GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.get());
    GEOSGeometry* g = GEOSWKTReader_read_r(ctx.get(), reader, wkt.c_str());
    GEOSWKTReader_destroy_r(ctx.get(), reader);
    maillage::model::Zone z;
    z.id = id;
    z.name = "zone " + id;
    z.group = group;
    z.population = population;
    z.geometry = maillage::geo::own(ctx, g, "WKT read");
    z.where = "test " + id;
    return z;
}

maillage::model::Site make_site(const std::string& id, double lon, double lat) {
    maillage::model::Site s;
    s.id = id;
    s.name = "site " + id;
    s.position = {lon, lat};
    s.where = "test";
    return s;
}

struct Nearest {
    std::uint32_t site = 0;
    double distance_m = INFINITY;
};

Nearest brute_nearest(const std::vector<maillage::model::Site>& sites, LonLat p) {
    Nearest best;
    for (std::uint32_t i = 0; i < sites.size(); ++i) {
        const double d = maillage::geo::geodesic_distance_m(p, sites[i].position);
        if (d < best.distance_m) { // strict: ties keep the lower position
            best = {i, d};
        }
    }
    return best;
}

struct Fixture {
    GeosContext ctx;
    std::vector<maillage::model::Zone> zones;
    std::vector<maillage::model::Site> sites;
    maillage::analysis::Parameters params;
};

/// Three squares about 10 km wide near (5, 45): two side by side, one to the north.
/// 1 degree of longitude is 78.8 km at 45 N, 1 degree of latitude 111.1 km.
void fill(Fixture& f) {
    f.zones.push_back(make_zone(f.ctx, "Z0", "A", 4.90, 44.95, 5.03, 45.04, 1000));
    f.zones.push_back(make_zone(f.ctx, "Z1", "A", 5.03, 44.95, 5.16, 45.04, 0));
    f.zones.push_back(make_zone(f.ctx, "Z2", "B", 4.95, 45.10, 5.08, 45.19, 333));
    f.sites.push_back(make_site("S0", 4.95, 44.99));   // in Z0
    f.sites.push_back(make_site("S1", 5.12, 45.02));   // in Z1
    f.sites.push_back(make_site("S2", 5.50, 45.50));   // outside the study area
    f.sites.push_back(make_site("S3", 5.075, 45.185)); // in Z2, at its north-east corner
    f.params.threshold_km = 5.0;
    f.params.grid_m = 500.0;
}

} // namespace

TEST(Analyse, SyntheticCaseMatchesBruteForce) {
    Fixture f;
    fill(f);
    const auto r = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    const double threshold_m = 5000.0;
    const double total = 1000.0 + 0.0 + 333.0;

    ASSERT_EQ(r.zones.size(), 3U);
    ASSERT_EQ(r.sites.size(), 4U);
    const auto& g = r.grid;
    const std::size_t n = static_cast<std::size_t>(g.width) * static_cast<std::size_t>(g.height);
    ASSERT_EQ(g.zone.size(), n);
    ASSERT_EQ(r.cell_km.size(), n);
    EXPECT_EQ(g.cell_m, 500.0);

    // Totals are exact.
    double catchment = 0.0;
    for (const auto& s : r.sites) {
        catchment += s.catchment_population;
    }
    EXPECT_EQ(catchment, total);
    EXPECT_EQ(r.distribution.total, total);
    EXPECT_EQ(r.point_demands, 0U);

    // Per cell, brute force from the cell centre.
    std::vector<double> zone_max(3, 0.0);
    std::vector<double> zone_beyond(3, 0.0);
    std::vector<long double> zone_weighted(3, 0.0L);
    std::vector<double> zone_pop(3, 0.0);
    std::vector<std::uint32_t> zone_cells(3, 0);
    std::vector<double> site_catchment(4, 0.0);
    double beyond = 0.0;
    double beyond_max = 0.0;
    long double weighted = 0.0L;
    for (std::size_t c = 0; c < n; ++c) {
        if (g.zone[c] < 0) {
            EXPECT_TRUE(std::isnan(r.cell_km[c])) << "cell " << c;
            continue;
        }
        const auto z = static_cast<std::size_t>(g.zone[c]);
        const LonLat p = r.projection.inverse(g.centre(c));
        const Nearest bf = brute_nearest(f.sites, p);
        EXPECT_NEAR(r.cell_km[c], bf.distance_m / 1000.0, 1e-6 * bf.distance_m / 1000.0 + 1e-6)
            << "cell " << c;
        const double pop = g.population[c];
        ++zone_cells[z];
        zone_max[z] = std::max(zone_max[z], bf.distance_m);
        zone_pop[z] += pop;
        zone_weighted[z] += static_cast<long double>(pop) * bf.distance_m;
        weighted += static_cast<long double>(pop) * bf.distance_m;
        site_catchment[bf.site] += pop;
        if (bf.distance_m > threshold_m) {
            zone_beyond[z] += pop;
            beyond += pop;
            if (pop > 0) {
                beyond_max = std::max(beyond_max, bf.distance_m);
            }
        }
    }
    for (std::size_t i = 0; i < 3; ++i) {
        SCOPED_TRACE("zone " + std::to_string(i));
        const auto& z = r.zones[i];
        // About 10 km x 10 km at 500 m: some 400 cells.
        EXPECT_GT(zone_cells[i], 300U);
        EXPECT_EQ(z.cells, zone_cells[i]);
        EXPECT_EQ(zone_pop[i], f.zones[i].population);
        const Nearest ref = brute_nearest(f.sites, z.reference);
        EXPECT_EQ(z.nearest_site, ref.site);
        EXPECT_NEAR(z.nearest_m, ref.distance_m, 1e-3);
        std::uint32_t within = 0;
        for (const auto& s : f.sites) {
            within +=
                maillage::geo::geodesic_distance_m(z.reference, s.position) <= threshold_m ? 1 : 0;
        }
        EXPECT_EQ(z.sites_within, within);
        EXPECT_NEAR(z.max_m, zone_max[i], 1e-3);
        EXPECT_EQ(z.population_beyond, zone_beyond[i]);
        EXPECT_NEAR(z.weighted_sum_m, static_cast<double>(zone_weighted[i]),
                    1e-9 * static_cast<double>(zone_weighted[i]) + 1e-6);
        if (zone_pop[i] > 0) {
            EXPECT_NEAR(z.mean_m, static_cast<double>(zone_weighted[i] / zone_pop[i]), 1e-6);
        }
        EXPECT_GT(z.area_m2, 0.9e8);
        EXPECT_LT(z.area_m2, 1.1e8);
    }
    // The zones' reference points: the centroids of these convex zones, i.e. near the middle.
    EXPECT_NEAR(r.zones[0].reference.lon, 4.965, 0.002);
    EXPECT_NEAR(r.zones[0].reference.lat, 44.995, 0.002);

    EXPECT_EQ(r.population_beyond, beyond);
    EXPECT_GT(beyond, 0.0); // the threshold does leave some people out
    EXPECT_LT(beyond, total);
    for (std::size_t s = 0; s < 4; ++s) {
        EXPECT_EQ(r.sites[s].catchment_population, site_catchment[s]) << "site " << s;
    }
    EXPECT_EQ(r.sites[2].catchment_population, 0.0); // the far site serves nobody
    EXPECT_NEAR(r.distribution.mean_m, static_cast<double>(weighted / total), 1e-6);

    // Sites: zone holding each, nearest other site.
    EXPECT_EQ(r.sites[0].zone, 0);
    EXPECT_EQ(r.sites[1].zone, 1);
    EXPECT_EQ(r.sites[2].zone, -1);
    EXPECT_EQ(r.sites[3].zone, 2);
    EXPECT_EQ(r.sites_outside, 1U);
    for (std::size_t s = 0; s < 4; ++s) {
        double other = INFINITY;
        for (std::size_t t = 0; t < 4; ++t) {
            if (t != s) {
                other = std::min(other, maillage::geo::geodesic_distance_m(f.sites[s].position,
                                                                           f.sites[t].position));
            }
        }
        EXPECT_NEAR(r.sites[s].nearest_other_m, other, 1e-3) << "site " << s;
    }
    // Catchment zones: each zone counted once, at the site nearest its reference point.
    std::uint32_t catchment_zones = 0;
    for (const auto& s : r.sites) {
        catchment_zones += s.catchment_zones;
    }
    EXPECT_EQ(catchment_zones, 3U);

    // Groups, sorted by name.
    ASSERT_EQ(r.groups.size(), 2U);
    EXPECT_EQ(r.groups[0].group, "A");
    EXPECT_EQ(r.groups[0].population, 1000.0);
    EXPECT_EQ(r.groups[0].zones, 2U);
    EXPECT_EQ(r.groups[0].sites, 2U);
    EXPECT_EQ(r.groups[0].population_beyond, zone_beyond[0] + zone_beyond[1]);
    EXPECT_EQ(r.groups[1].group, "B");
    EXPECT_EQ(r.groups[1].population, 333.0);
    EXPECT_EQ(r.groups[1].sites, 1U);
    EXPECT_EQ(r.groups[1].population_beyond, zone_beyond[2]);

    // Underserved parts: every cell farther than the threshold lies in one, so their
    // populations add up to the population beyond; their farthest distance is the cells'.
    ASSERT_FALSE(r.underserved.empty());
    double parts_pop = 0.0;
    double parts_max = 0.0;
    for (const auto& part : r.underserved) {
        parts_pop += part.population;
        parts_max = std::max(parts_max, part.max_m);
        EXPECT_GT(part.area_m2, 0.0);
    }
    EXPECT_EQ(parts_pop, beyond);
    EXPECT_NEAR(parts_max, beyond_max, 1e-3);
}

TEST(Analyse, ZoneWithoutCellIsAPointDemand) {
    Fixture f;
    fill(f);
    // 0.00001 degree square: about 0.8 m x 1.1 m, far too small to hold a 500 m cell's centre.
    f.zones.push_back(make_zone(f.ctx, "T", "B", 5.30000, 45.30000, 5.30001, 45.30001, 50));
    const auto r = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    ASSERT_EQ(r.zones.size(), 4U);
    const auto& t = r.zones[3];
    ASSERT_EQ(t.cells, 0U);
    EXPECT_EQ(r.point_demands, 1U);
    const Nearest bf = brute_nearest(f.sites, t.reference);
    EXPECT_NEAR(t.reference.lon, 5.300005, 1e-6);
    EXPECT_NEAR(t.reference.lat, 45.300005, 1e-6);
    EXPECT_EQ(t.nearest_site, bf.site);
    EXPECT_NEAR(t.nearest_m, bf.distance_m, 1e-3);
    EXPECT_NEAR(t.max_m, bf.distance_m, 1e-3);
    EXPECT_NEAR(t.mean_m, bf.distance_m, 1e-3);
    // Nearest site S3 (5.075, 45.185) is about 21 km away: beyond the 5 km threshold.
    EXPECT_GT(bf.distance_m, 5000.0);
    EXPECT_EQ(t.population_beyond, 50.0);
    // Catchments: the cells' populations by brute-force nearest site, plus the point demand.
    std::vector<double> expected(f.sites.size(), 0.0);
    for (std::size_t c = 0; c < r.grid.zone.size(); ++c) {
        if (r.grid.zone[c] >= 0) {
            expected[brute_nearest(f.sites, r.projection.inverse(r.grid.centre(c))).site] +=
                r.grid.population[c];
        }
    }
    expected[bf.site] += 50.0;
    for (std::size_t s = 0; s < f.sites.size(); ++s) {
        EXPECT_EQ(r.sites[s].catchment_population, expected[s]) << "site " << s;
    }
    // And in the distribution, at its reference point's distance (the farthest of all here).
    EXPECT_GE(r.distribution.max_m, bf.distance_m - 1e-3);
    double catchment = 0.0;
    for (const auto& s : r.sites) {
        catchment += s.catchment_population;
    }
    EXPECT_EQ(catchment, 1383.0);
    EXPECT_EQ(r.distribution.total, 1383.0);
}

TEST(Analyse, RejectsEmptyInputs) {
    Fixture f;
    fill(f);
    const std::vector<maillage::model::Site> no_sites;
    const std::vector<maillage::model::Zone> no_zones;
    EXPECT_THROW(maillage::analysis::analyse(f.ctx, no_sites, f.zones, f.params),
                 maillage::input_error);
    EXPECT_THROW(maillage::analysis::analyse(f.ctx, f.sites, no_zones, f.params),
                 maillage::input_error);
}
