// The E2SFCA index (compute_access) against a brute force over every (demand point, site) pair
// with PROJ's geodesic (no index), on a small synthetic case; the decay functions against hand
// values; the conservation of supply; independence from the thread count.

#include "maillage/analysis/access.hpp"
#include "maillage/analysis/analysis.hpp"
#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geodesic.hpp"

#include "../support/test_support.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

namespace {

using maillage::analysis::Decay;
using maillage::geo::GeosContext;
using maillage::geo::LonLat;

maillage::model::Zone make_zone(const GeosContext& ctx, const std::string& id,
                                const std::string& group, double lon0, double lat0, double lon1,
                                double lat1, double population) {
    return maillage::test::rect_zone(ctx, id, group, lon0, lat0, lon1, lat1, population);
}

using maillage::test::make_site;

// ---------------------------------------------------------------------------------------------
// Decay.

TEST(AccessDecay, DefaultBandsByHand) {
    const auto d = Decay::default_bands();
    ASSERT_EQ(d.band_list().size(), 3U);
    EXPECT_EQ(d.radius_m(), 30000.0);
    EXPECT_EQ(d.weight(0.0), 1.0);
    EXPECT_EQ(d.weight(9999.0), 1.0);
    EXPECT_EQ(d.weight(10000.0), 1.0); // closed on the right: FROM < d <= TO
    EXPECT_EQ(d.weight(10000.5), 0.68);
    EXPECT_EQ(d.weight(20000.0), 0.68);
    EXPECT_EQ(d.weight(25000.0), 0.22);
    EXPECT_EQ(d.weight(30000.0), 0.22);
    EXPECT_EQ(d.weight(30000.5), 0.0);
    EXPECT_EQ(d.weight(1e7), 0.0);
}

TEST(AccessDecay, TrailingZeroBandDoesNotWidenTheRadius) {
    const auto d = Decay::bands({{0, 5000, 1}, {5000, 12500, 0.5}, {12500, 40000, 0}});
    EXPECT_EQ(d.radius_m(), 12500.0);
    EXPECT_EQ(d.weight(12000.0), 0.5);
    EXPECT_EQ(d.weight(13000.0), 0.0);
}

TEST(AccessDecay, GaussianByHand) {
    const auto d = Decay::gaussian(30000.0);
    EXPECT_EQ(d.radius_m(), 30000.0);
    EXPECT_DOUBLE_EQ(d.weight(0.0), 1.0);
    EXPECT_NEAR(d.weight(30000.0), 0.0, 1e-15);
    EXPECT_EQ(d.weight(30000.001), 0.0);
    // d = d0/2: (exp(-1/8) - exp(-1/2)) / (1 - exp(-1/2))
    //         = (0.88249690 - 0.60653066) / 0.39346934 = 0.27596624 / 0.39346934 = 0.7013666.
    EXPECT_NEAR(d.weight(15000.0), 0.7013666, 1e-7);
    // d = d0/3: (exp(-1/18) - exp(-1/2)) / (1 - exp(-1/2))
    //         = (0.94595947 - 0.60653066) / 0.39346934 = 0.33942881 / 0.39346934 = 0.8626563.
    EXPECT_NEAR(d.weight(10000.0), 0.8626563, 1e-7);
    EXPECT_THROW((void)Decay::gaussian(0.0), maillage::usage_error);
    EXPECT_THROW((void)Decay::gaussian(-5.0), maillage::usage_error);
    EXPECT_THROW((void)Decay::gaussian(NAN), maillage::usage_error);
}

// ---------------------------------------------------------------------------------------------
// The index against a brute force.

struct Fixture {
    GeosContext ctx;
    std::vector<maillage::model::Zone> zones;
    std::vector<maillage::model::Site> sites;
    maillage::analysis::Parameters params;
};

/// Four squares of about 10 km near (5, 45), one empty; a tiny zone too small for a cell
/// (demand on its reference point); five sites: one with capacity 0, one 150 km away that
/// reaches nobody, one outside the zones but within reach.
void fill(Fixture& f) {
    f.zones.push_back(make_zone(f.ctx, "Z0", "A", 4.90, 44.95, 5.03, 45.04, 12000));
    f.zones.push_back(make_zone(f.ctx, "Z1", "A", 5.03, 44.95, 5.16, 45.04, 0));
    f.zones.push_back(make_zone(f.ctx, "Z2", "B", 4.95, 45.10, 5.08, 45.19, 3333));
    f.zones.push_back(make_zone(f.ctx, "Z3", "B", 5.20, 45.20, 5.33, 45.29, 777.5));
    f.zones.push_back(make_zone(f.ctx, "T", "B", 5.4000, 45.0000, 5.4004, 45.0003, 250));
    f.sites.push_back(make_site("S0", 4.95, 44.99, 2.0));
    f.sites.push_back(make_site("S1", 5.12, 45.02, 1.0));
    f.sites.push_back(make_site("S2", 6.90, 45.50, 4.0)); // about 160 km away: reaches nobody
    f.sites.push_back(make_site("S3", 5.075, 45.185, 0.0));
    f.sites.push_back(make_site("S4", 5.45, 45.15, 3.5)); // in no zone
    f.params.grid_m = 1000.0;
}

struct Brute {
    std::vector<double> demand;
    std::vector<double> ratio;
    std::vector<double> cell;
    std::vector<double> zone;
    double weighted_sum = 0.0;
    double population = 0.0;
};

/// Step 1 and step 2 of the E2SFCA by brute force: every demand point against every site.
Brute brute_force(const Fixture& f, const maillage::analysis::AnalysisResult& base,
                  const Decay& decay) {
    const auto& g = base.grid;
    const std::size_t ns = f.sites.size();
    auto dist = [&](LonLat p, std::size_t s) {
        return maillage::geo::geodesic_distance_m(p, f.sites[s].position);
    };
    Brute b;
    b.demand.assign(ns, 0.0);
    std::vector<LonLat> centres(g.zone.size());
    for (std::size_t c = 0; c < g.zone.size(); ++c) {
        if (g.zone[c] < 0) {
            continue;
        }
        centres[c] = base.projection.inverse(g.centre(c));
        for (std::size_t s = 0; s < ns; ++s) {
            b.demand[s] += g.population[c] * decay.weight(dist(centres[c], s));
        }
    }
    for (std::size_t i = 0; i < f.zones.size(); ++i) {
        if (base.zones[i].cells == 0) {
            for (std::size_t s = 0; s < ns; ++s) {
                b.demand[s] +=
                    f.zones[i].population * decay.weight(dist(base.zones[i].reference, s));
            }
        }
    }
    b.ratio.assign(ns, 0.0);
    for (std::size_t s = 0; s < ns; ++s) {
        b.ratio[s] = b.demand[s] > 0 ? f.sites[s].capacity / b.demand[s] : 0.0;
    }
    auto index = [&](LonLat p) {
        double a = 0.0;
        for (std::size_t s = 0; s < ns; ++s) {
            a += b.ratio[s] * decay.weight(dist(p, s));
        }
        return a;
    };
    b.cell.assign(g.zone.size(), NAN);
    std::vector<double> zw(f.zones.size(), 0.0);
    std::vector<double> zp(f.zones.size(), 0.0);
    std::vector<double> plain(f.zones.size(), 0.0);
    for (std::size_t c = 0; c < g.zone.size(); ++c) {
        if (g.zone[c] < 0) {
            continue;
        }
        b.cell[c] = index(centres[c]);
        const auto z = static_cast<std::size_t>(g.zone[c]);
        zw[z] += g.population[c] * b.cell[c];
        zp[z] += g.population[c];
        plain[z] += b.cell[c];
    }
    b.zone.assign(f.zones.size(), 0.0);
    for (std::size_t i = 0; i < f.zones.size(); ++i) {
        if (base.zones[i].cells == 0) {
            b.zone[i] = index(base.zones[i].reference);
            zw[i] = f.zones[i].population * b.zone[i];
            zp[i] = f.zones[i].population;
        } else {
            b.zone[i] = zp[i] > 0 ? zw[i] / zp[i] : plain[i] / base.zones[i].cells;
        }
        b.weighted_sum += zw[i];
        b.population += zp[i];
    }
    return b;
}

void check_against_brute_force(const Decay& decay) {
    Fixture f;
    fill(f);
    const auto base = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    ASSERT_EQ(base.point_demands, 1U); // the tiny zone T
    ASSERT_EQ(base.zones[4].cells, 0U);
    maillage::analysis::AccessParameters params;
    params.decay = decay;
    params.below = 0.5;
    const auto a = maillage::analysis::compute_access(f.sites, f.zones, base, params);
    const auto b = brute_force(f, base, decay);

    const double total = 12000 + 0 + 3333 + 777.5 + 250;
    EXPECT_DOUBLE_EQ(a.population_total, total);
    EXPECT_DOUBLE_EQ(b.population, total);
    for (std::size_t s = 0; s < f.sites.size(); ++s) {
        SCOPED_TRACE("site " + f.sites[s].id);
        EXPECT_NEAR(a.site_demand[s], b.demand[s], 1e-9 * b.demand[s] + 1e-9);
        if (b.demand[s] > 0) {
            EXPECT_NEAR(a.site_ratio[s], b.ratio[s], 1e-9 * b.ratio[s]);
        } else {
            EXPECT_TRUE(std::isnan(a.site_ratio[s]));
        }
    }
    // S2 is too far for anyone: undefined, reported, excluded from the supply served.
    ASSERT_EQ(a.unreached_sites.size(), 1U);
    EXPECT_EQ(a.unreached_sites[0], 2U);
    EXPECT_DOUBLE_EQ(a.supply_total, 2.0 + 1.0 + 4.0 + 0.0 + 3.5);
    EXPECT_DOUBLE_EQ(a.supply_served, 2.0 + 1.0 + 0.0 + 3.5);
    // S4 lies in no zone but serves some: it must be reached for the test to mean anything.
    EXPECT_GT(a.site_demand[4], 0.0);

    // Conservation: sum over the demand of population x index = supply of the reached sites.
    EXPECT_NEAR(a.weighted_sum, a.supply_served, 1e-9 * a.supply_served);
    EXPECT_NEAR(b.weighted_sum, a.supply_served, 1e-9 * a.supply_served);
    EXPECT_NEAR(a.mean_index, a.supply_served / total, 1e-12);

    const auto& g = base.grid;
    std::size_t inside = 0;
    std::size_t reached_cells = 0;
    for (std::size_t c = 0; c < g.zone.size(); ++c) {
        if (g.zone[c] < 0) {
            EXPECT_TRUE(std::isnan(a.cell_index[c])) << "cell " << c;
            continue;
        }
        ++inside;
        const double expected = b.cell[c] * maillage::analysis::access_per_inhabitants;
        // The raster is float32: 1e-6 relative.
        EXPECT_NEAR(a.cell_index[c], expected, 2e-6 * expected + 1e-9) << "cell " << c;
        reached_cells += expected > 0 ? 1 : 0;
    }
    EXPECT_GT(inside, 400U);
    EXPECT_GT(reached_cells, 100U);
    for (std::size_t i = 0; i < f.zones.size(); ++i) {
        SCOPED_TRACE("zone " + f.zones[i].id);
        EXPECT_NEAR(a.zone_index[i], b.zone[i], 1e-9 * b.zone[i] + 1e-15);
        EXPECT_EQ(a.zone_below[i], b.zone[i] < 0.5 * a.mean_index);
        // Sites in reach of the reference point, by brute force.
        std::uint32_t in_reach = 0;
        for (std::size_t s = 0; s < f.sites.size(); ++s) {
            const double w = decay.weight(
                maillage::geo::geodesic_distance_m(base.zones[i].reference, f.sites[s].position));
            in_reach += b.demand[s] > 0 && w > 0 ? 1U : 0U;
        }
        EXPECT_EQ(a.zone_sites_in_reach[i], in_reach);
    }
    // Groups: A holds Z0 and Z1, B the rest.
    ASSERT_EQ(a.groups.size(), 2U);
    EXPECT_EQ(a.groups[0].group, "A");
    EXPECT_DOUBLE_EQ(a.groups[0].population, 12000.0);
    EXPECT_NEAR(a.groups[0].weighted_sum, 12000.0 * b.zone[0], 1e-9);
}

TEST(Access, BandsMatchBruteForce) { check_against_brute_force(Decay::default_bands()); }

TEST(Access, GaussianMatchesBruteForce) { check_against_brute_force(Decay::gaussian(15000.0)); }

TEST(Access, SameBitsWithOneAndTwoThreads) {
    Fixture f;
    fill(f);
    const int threads = maillage::core::max_threads();
    maillage::core::set_threads(1); // as the command does
    const auto base1 = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    const maillage::analysis::AccessParameters params;
    const auto a1 = maillage::analysis::compute_access(f.sites, f.zones, base1, params);
    maillage::core::set_threads(2);
    const auto base2 = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    const auto a2 = maillage::analysis::compute_access(f.sites, f.zones, base2, params);
    maillage::core::set_threads(threads);
    ASSERT_EQ(a1.cell_index.size(), a2.cell_index.size());
    EXPECT_EQ(std::memcmp(a1.site_demand.data(), a2.site_demand.data(),
                          a1.site_demand.size() * sizeof(double)),
              0);
    EXPECT_EQ(std::memcmp(a1.zone_index.data(), a2.zone_index.data(),
                          a1.zone_index.size() * sizeof(double)),
              0);
    EXPECT_EQ(std::memcmp(a1.cell_index.data(), a2.cell_index.data(),
                          a1.cell_index.size() * sizeof(float)),
              0);
    EXPECT_EQ(a1.weighted_sum, a2.weighted_sum);
}

TEST(Access, QuantilesAndFlags) {
    Fixture f;
    fill(f);
    const auto base = maillage::analysis::analyse(f.ctx, f.sites, f.zones, f.params);
    maillage::analysis::AccessParameters params;
    params.below = 0.8;
    const auto a = maillage::analysis::compute_access(f.sites, f.zones, base, params);
    EXPECT_DOUBLE_EQ(a.threshold, 0.8 * a.mean_index);
    EXPECT_LE(a.p10, a.p50);
    EXPECT_LE(a.p50, a.p90);
    EXPECT_LE(a.p90, a.max_index);
    std::uint32_t flagged = 0;
    double flagged_pop = 0.0;
    for (std::size_t i = 0; i < f.zones.size(); ++i) {
        if (a.zone_index[i] < a.threshold) {
            ++flagged;
            flagged_pop += f.zones[i].population;
        }
    }
    EXPECT_EQ(a.zones_below, flagged);
    EXPECT_DOUBLE_EQ(a.population_below, flagged_pop);
}

} // namespace
