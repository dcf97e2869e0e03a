// suggest_sites(): the greedy choice of new sites against a hand-worked case, an exhaustive
// search over every subset of candidates, an independent greedy, and the non-lazy greedy.
// Every reference distance here comes from PROJ's geod_inverse called directly (not maillage's
// geodesic functions). Random cases are SYNTHETIC, drawn from fixed seeds.

#include "maillage/analysis/analysis.hpp"
#include "maillage/analysis/suggest.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/geo/geos.hpp"

#include <geodesic.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using maillage::analysis::Demand;
using maillage::analysis::suggest_sites;
using maillage::analysis::SuggestObjective;
using maillage::analysis::SuggestOptions;
using maillage::geo::LonLat;

constexpr double wgs84_a = 6378137.0;

double proj_distance(LonLat a, LonLat b) {
    static const geod_geodesic g = [] {
        geod_geodesic tmp{};
        geod_init(&tmp, wgs84_a, 1.0 / 298.257223563);
        return tmp;
    }();
    double s12 = 0.0;
    geod_inverse(&g, a.lat, a.lon, b.lat, b.lon, &s12, nullptr, nullptr);
    return s12;
}

/// A case in lon/lat, solved independently of the code under test.
struct Case {
    std::vector<LonLat> demand;
    std::vector<double> population;
    std::vector<LonLat> existing;
    std::vector<LonLat> candidate;
    double threshold_m = 15000.0;

    // Filled by prepare(): distances by brute force with geod_inverse.
    std::vector<double> d0;                // to the nearest existing site
    std::vector<std::vector<double>> to_c; // [candidate][demand]

    void prepare() {
        d0.assign(demand.size(), 1e300);
        for (std::size_t i = 0; i < demand.size(); ++i) {
            for (const auto& s : existing) {
                d0[i] = std::min(d0[i], proj_distance(demand[i], s));
            }
        }
        to_c.assign(candidate.size(), std::vector<double>(demand.size()));
        for (std::size_t j = 0; j < candidate.size(); ++j) {
            for (std::size_t i = 0; i < demand.size(); ++i) {
                to_c[j][i] = proj_distance(demand[i], candidate[j]);
            }
        }
    }

    [[nodiscard]] std::vector<Demand> demands() const {
        std::vector<Demand> out;
        for (std::size_t i = 0; i < demand.size(); ++i) {
            out.push_back({maillage::geo::to_ecef(demand[i]), population[i], d0[i]});
        }
        return out;
    }

    /// Objective value of adding the candidates `set`: population within the threshold, or
    /// minus the population-weighted sum of distances (larger is better either way).
    [[nodiscard]] double value(const std::vector<std::size_t>& set, SuggestObjective o) const {
        double v = 0.0;
        for (std::size_t i = 0; i < demand.size(); ++i) {
            double d = d0[i];
            for (const auto j : set) {
                d = std::min(d, to_c[j][i]);
            }
            v += o == SuggestObjective::coverage ? (d <= threshold_m ? population[i] : 0.0)
                                                 : -population[i] * d;
        }
        return v;
    }

    /// The best value over every subset of n candidates.
    [[nodiscard]] double optimum(std::size_t n, SuggestObjective o) const {
        double best = -1e300;
        std::vector<std::size_t> set;
        auto rec = [&](auto&& self, std::size_t from) -> void {
            if (set.size() == n) {
                best = std::max(best, value(set, o));
                return;
            }
            for (std::size_t j = from; j < candidate.size(); ++j) {
                set.push_back(j);
                self(self, j + 1);
                set.pop_back();
            }
        };
        rec(rec, 0);
        return best;
    }

    /// Plain greedy written from the definition: at each step the candidate of largest value,
    /// the smaller position on ties; stops when nothing improves.
    [[nodiscard]] std::vector<std::size_t> greedy(std::size_t n, SuggestObjective o) const {
        std::vector<std::size_t> set;
        for (std::size_t step = 0; step < n; ++step) {
            const double base = value(set, o);
            double best_gain = 0.0;
            std::size_t best = candidate.size();
            for (std::size_t j = 0; j < candidate.size(); ++j) {
                if (std::find(set.begin(), set.end(), j) != set.end()) {
                    continue;
                }
                auto with = set;
                with.push_back(j);
                const double gain = value(with, o) - base;
                // Gains closer than rounding are ties.
                if (gain > best_gain + 1e-6 * std::max(1.0, std::abs(best_gain))) {
                    best_gain = gain;
                    best = j;
                }
            }
            if (best == candidate.size()) {
                break;
            }
            set.push_back(best);
        }
        return set;
    }
};

std::vector<std::size_t> positions(const maillage::analysis::SuggestResult& r) {
    std::vector<std::size_t> out;
    for (const auto& p : r.picks) {
        out.push_back(p.candidate);
    }
    return out;
}

SuggestOptions options(std::size_t add, double threshold_m, SuggestObjective o, bool lazy = true) {
    SuggestOptions so;
    so.add = add;
    so.threshold_m = threshold_m;
    so.objective = o;
    so.lazy = lazy;
    return so;
}

/// SYNTHETIC: demands, sites and candidates uniform in a 1 x 1 degree box near lon 5, lat 45.
Case random_case(unsigned seed, std::size_t demands, std::size_t existing, std::size_t candidates) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(4.5, 5.5);
    std::uniform_real_distribution<double> lat(45.0, 46.0);
    std::uniform_int_distribution<int> pop(1, 100);
    Case c;
    for (std::size_t i = 0; i < demands; ++i) {
        c.demand.push_back({lon(rng), lat(rng)});
        c.population.push_back(pop(rng));
    }
    for (std::size_t i = 0; i < existing; ++i) {
        c.existing.push_back({lon(rng), lat(rng)});
    }
    for (std::size_t i = 0; i < candidates; ++i) {
        c.candidate.push_back({lon(rng), lat(rng)});
    }
    c.prepare();
    return c;
}

// --- Hand-worked -------------------------------------------------------------------------------
// On the equator, the geodesic between two points is the arc of the equator: a x dlon (radians).
// Demands at lon 0, 0.5, 1.0, 1.5 with 100, 50, 80, 30 persons; the one site at lon 0;
// candidates c0 at 0.5, c1 at 1.0, c2 at 1.25; threshold 30 km. With q = a x 0.25 degree
// (27.83 km) the demands are 0, 2q, 4q, 6q from the site, and c0, c1, c2 sit at 2q, 4q, 5q.
//
// Coverage (within 30 km > q): c0 covers {0.5} = 50, c1 {1.0} = 80, c2 {1.0, 1.5} = 110.
//   Step 1: c2 (110). Step 2: c0 (50), c1 (0). Then everyone is within reach: no third site.
// Mean distance (sum of persons x distance, 600q at first):
//   c0: 50x2q + 80x2q + 30x2q = 320q; c1: 80x4q + 30x4q = 440q; c2: 80x3q + 30x5q = 390q.
//   Step 1: c1 (440q), sum 160q. Step 2: c0 (50x2q = 100q; c2: 30x1q = 30q), sum 60q.
//   Step 3: c2 (30q), sum 30q.
struct Equator : ::testing::Test {
    const double q = wgs84_a * 0.25 * std::numbers::pi / 180.0;
    std::vector<Demand> demands;
    std::vector<LonLat> candidates{{0.5, 0.0}, {1.0, 0.0}, {1.25, 0.0}};

    void SetUp() override {
        const double lons[] = {0.0, 0.5, 1.0, 1.5};
        const double pops[] = {100, 50, 80, 30};
        for (int i = 0; i < 4; ++i) {
            demands.push_back({maillage::geo::to_ecef({lons[i], 0.0}), pops[i], 2.0 * i * q});
        }
    }
};

TEST_F(Equator, CoverageByHand) {
    const auto r =
        suggest_sites(demands, candidates, options(3, 30000, SuggestObjective::coverage));
    EXPECT_EQ(r.population, 260);
    EXPECT_EQ(r.covered_before, 100);
    ASSERT_EQ(positions(r), (std::vector<std::size_t>{2, 0}));
    EXPECT_TRUE(r.exhausted);
    EXPECT_EQ(r.picks[0].gain, 110);
    EXPECT_EQ(r.picks[0].newly_covered, 110);
    EXPECT_EQ(r.picks[0].covered, 210);
    EXPECT_EQ(r.picks[1].gain, 50);
    EXPECT_EQ(r.picks[1].covered, 260);
    // Distances after c2 then c0: 0, 0, q, q.
    EXPECT_NEAR(r.weighted_sum_before_m, 600 * q, 1e-6);
    EXPECT_NEAR(r.picks[0].weighted_sum_m, 50 * 2 * q + 80 * q + 30 * q, 1e-6);
    EXPECT_NEAR(r.picks[1].weighted_sum_m, 80 * q + 30 * q, 1e-6);
}

TEST_F(Equator, MeanDistanceByHand) {
    const auto r =
        suggest_sites(demands, candidates, options(3, 30000, SuggestObjective::mean_distance));
    ASSERT_EQ(positions(r), (std::vector<std::size_t>{1, 0, 2}));
    EXPECT_FALSE(r.exhausted);
    EXPECT_NEAR(r.picks[0].gain, 440 * q, 1e-6);
    EXPECT_NEAR(r.picks[1].gain, 100 * q, 1e-6);
    EXPECT_NEAR(r.picks[2].gain, 30 * q, 1e-6);
    EXPECT_NEAR(r.picks[0].weighted_sum_m, 160 * q, 1e-6);
    EXPECT_NEAR(r.picks[1].weighted_sum_m, 60 * q, 1e-6);
    EXPECT_NEAR(r.picks[2].weighted_sum_m, 30 * q, 1e-6);
    // Within 30 km: after c1 {0, 1.0} = 180; after c0 also 0.5 = 230; after c2 also 1.5 = 260.
    EXPECT_EQ(r.picks[0].newly_covered, 80);
    EXPECT_EQ(r.picks[0].covered, 180);
    EXPECT_EQ(r.picks[1].covered, 230);
    EXPECT_EQ(r.picks[2].covered, 260);
}

TEST_F(Equator, TiesGoToTheSmallerPosition) {
    // c1 twice (positions 1 and 3): position 1 is chosen, and its twin then brings nothing.
    candidates.push_back({1.0, 0.0});
    const auto r =
        suggest_sites(demands, candidates, options(4, 30000, SuggestObjective::mean_distance));
    ASSERT_GE(r.picks.size(), 1U);
    EXPECT_EQ(r.picks[0].candidate, 1U);
    for (const auto& p : r.picks) {
        EXPECT_NE(p.candidate, 3U);
    }
    // Only the demands' own places improve things further: 3 picks, then nothing.
    EXPECT_EQ(positions(r), (std::vector<std::size_t>{1, 0, 2}));
    EXPECT_TRUE(r.exhausted);
    // Two candidates covering the same people: the first one in the list.
    const std::vector<LonLat> twins{{1.5, 0.0}, {1.25, 0.0}, {1.25, 0.0}};
    const auto c = suggest_sites(demands, twins, options(1, 30000, SuggestObjective::coverage));
    EXPECT_EQ(positions(c), (std::vector<std::size_t>{1}));
}

TEST_F(Equator, NothingToGain) {
    // A candidate on the existing site brings nothing: no pick.
    const std::vector<LonLat> on_site{{0.0, 0.0}};
    for (const auto o : {SuggestObjective::coverage, SuggestObjective::mean_distance}) {
        const auto r = suggest_sites(demands, on_site, options(2, 30000, o));
        EXPECT_TRUE(r.picks.empty());
        EXPECT_TRUE(r.exhausted);
    }
    // No demand at all (or only empty ones).
    std::vector<Demand> empty{{maillage::geo::to_ecef({1.0, 0.0}), 0.0, 5e4}};
    const auto r = suggest_sites(empty, candidates, options(2, 30000, SuggestObjective::coverage));
    EXPECT_TRUE(r.picks.empty());
    EXPECT_EQ(r.population, 0);
    // No candidate.
    const auto n = suggest_sites(demands, {}, options(2, 30000, SuggestObjective::coverage));
    EXPECT_TRUE(n.picks.empty());
}

// --- Exhaustive search -----------------------------------------------------------------------

void check_against_exhaustive(const Case& c, SuggestObjective o, bool expect_optimal) {
    for (std::size_t n = 1; n <= 3; ++n) {
        const auto r = suggest_sites(c.demands(), c.candidate, options(n, c.threshold_m, o));
        const auto picks = positions(r);
        // The same choice as a greedy written from the definition, with PROJ's distances.
        EXPECT_EQ(picks, c.greedy(n, o)) << "n = " << n;
        const double base = c.value({}, o);
        const double got = c.value(picks, o) - base;
        const double best = c.optimum(n, o) - base;
        const double tol = 1e-6 * std::max(1.0, std::abs(best));
        if (n == 1 || expect_optimal) {
            EXPECT_NEAR(got, best, tol) << "n = " << n;
        }
        EXPECT_GE(got, (1.0 - 1.0 / std::numbers::e) * best - tol) << "n = " << n;
        // The figures it reports match the brute force.
        if (!r.picks.empty()) {
            const auto& last = r.picks.back();
            if (o == SuggestObjective::coverage) {
                EXPECT_NEAR(last.covered, c.value(picks, o), 1e-9);
            } else {
                EXPECT_NEAR(last.weighted_sum_m, -c.value(picks, o), 1e-3);
            }
        }
    }
}

TEST(SuggestExhaustive, RandomCasesCoverage) {
    int improving = 0;
    for (unsigned seed = 1; seed <= 30; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        const auto c = random_case(seed, 60, 2, 10);
        check_against_exhaustive(c, SuggestObjective::coverage, false);
        improving +=
            c.optimum(1, SuggestObjective::coverage) > c.value({}, SuggestObjective::coverage);
    }
    // The cases are not trivial: in most of them a new site does cover someone.
    EXPECT_GE(improving, 20);
}

TEST(SuggestExhaustive, RandomCasesMeanDistance) {
    for (unsigned seed = 101; seed <= 130; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        check_against_exhaustive(random_case(seed, 60, 2, 10), SuggestObjective::mean_distance,
                                 false);
    }
}

/// SYNTHETIC, built so that greedy is optimal: five clusters one degree apart, each with its own
/// site 6 km from its centre and a candidate at its centre; the people of a cluster are within
/// 2.5 km of its centre and the threshold is 3 km, so each candidate serves its own cluster only
/// (the others are 70 km or more away, much farther than their own site). Distractor candidates
/// between the clusters serve nobody. Gains add up, so the best n are the n largest gains.
Case clusters(unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    Case c;
    c.threshold_m = 3000.0;
    const double pops[] = {70, 20, 55, 90, 35};
    for (int k = 0; k < 5; ++k) {
        const LonLat centre{3.0 + k, 44.0 + 0.5 * (k % 2)};
        c.candidate.push_back(centre);
        c.candidate.push_back({centre.lon + 0.5, centre.lat + 0.25}); // distractor
        c.existing.push_back(
            maillage::geo::geodesic_destination(centre, 360.0 * unit(rng), 6000.0));
        for (int i = 0; i < 8; ++i) {
            c.demand.push_back(
                maillage::geo::geodesic_destination(centre, 360.0 * unit(rng), 2500.0 * unit(rng)));
            c.population.push_back(pops[k] + i);
        }
    }
    c.prepare();
    return c;
}

TEST(SuggestExhaustive, BuiltSoGreedyIsOptimal) {
    for (unsigned seed = 1; seed <= 5; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        const auto c = clusters(seed);
        // Check the construction itself: every person is beyond the threshold at first, within
        // it from the centre candidate of their cluster.
        for (std::size_t i = 0; i < c.demand.size(); ++i) {
            ASSERT_GT(c.d0[i], c.threshold_m);
            ASSERT_LE(c.to_c[2 * (i / 8)][i], c.threshold_m);
        }
        check_against_exhaustive(c, SuggestObjective::coverage, true);
        check_against_exhaustive(c, SuggestObjective::mean_distance, true);
        const auto r = suggest_sites(c.demands(), c.candidate,
                                     options(3, c.threshold_m, SuggestObjective::coverage));
        // Clusters by population: 3 (90), 0 (70), 2 (55): their centres are candidates 6, 0, 4.
        EXPECT_EQ(positions(r), (std::vector<std::size_t>{6, 0, 4}));
    }
}

// --- Lazy and plain greedy ---------------------------------------------------------------------

TEST(SuggestLazy, SameChoiceAsThePlainGreedy) {
    std::size_t lazy_evals = 0;
    std::size_t plain_evals = 0;
    for (unsigned seed = 1; seed <= 6; ++seed) {
        const auto c = random_case(1000 + seed, 400, 3, 60);
        for (const auto o : {SuggestObjective::coverage, SuggestObjective::mean_distance}) {
            SCOPED_TRACE("seed " + std::to_string(seed));
            const auto lazy = suggest_sites(c.demands(), c.candidate, options(12, 12000, o, true));
            const auto plain =
                suggest_sites(c.demands(), c.candidate, options(12, 12000, o, false));
            ASSERT_EQ(lazy.picks.size(), plain.picks.size());
            for (std::size_t k = 0; k < lazy.picks.size(); ++k) {
                EXPECT_EQ(lazy.picks[k].candidate, plain.picks[k].candidate) << "step " << k;
                // To the last bit: the same sums in the same order.
                EXPECT_EQ(lazy.picks[k].gain, plain.picks[k].gain) << "step " << k;
                EXPECT_EQ(lazy.picks[k].covered, plain.picks[k].covered);
                EXPECT_EQ(lazy.picks[k].weighted_sum_m, plain.picks[k].weighted_sum_m);
            }
            EXPECT_EQ(lazy.exhausted, plain.exhausted);
            lazy_evals += lazy.evaluations;
            plain_evals += plain.evaluations;
        }
    }
    // The point of the lazy variant.
    EXPECT_LT(lazy_evals * 2, plain_evals);
}

TEST(SuggestLazy, GainsNeverGrowAndSumUp) {
    const auto c = random_case(77, 500, 2, 80);
    const auto r =
        suggest_sites(c.demands(), c.candidate, options(15, 10000, SuggestObjective::coverage));
    double covered = r.covered_before;
    for (std::size_t k = 0; k < r.picks.size(); ++k) {
        if (k > 0) {
            EXPECT_LE(r.picks[k].gain, r.picks[k - 1].gain);
        }
        EXPECT_EQ(r.picks[k].gain, r.picks[k].newly_covered);
        covered += r.picks[k].newly_covered;
        EXPECT_EQ(r.picks[k].covered, covered);
    }
}

// --- Demands of an analysis -------------------------------------------------------------------

TEST(SuggestDemands, MatchTheAnalysis) {
    const maillage::geo::GeosContext ctx;
    auto zone = [&](const std::string& id, double lon0, double lon1, double lat1, double pop) {
        GEOSWKTReader* reader = GEOSWKTReader_create_r(ctx.get());
        const auto x0 = std::to_string(lon0);
        const auto x1 = std::to_string(lon1);
        const auto y1 = std::to_string(lat1);
        const std::string wkt = "POLYGON((" + x0 + " 45, " + x1 + " 45, " + x1 + " " + y1 + ", " +
                                x0 + " " + y1 + ", " + x0 + " 45))";
        GEOSGeometry* g = GEOSWKTReader_read_r(ctx.get(), reader, wkt.c_str());
        GEOSWKTReader_destroy_r(ctx.get(), reader);
        maillage::model::Zone z;
        z.id = id;
        z.population = pop;
        z.geometry = maillage::geo::own(ctx, g, "WKT");
        return z;
    };
    std::vector<maillage::model::Zone> zones;
    zones.push_back(zone("a", 5.0, 5.3, 45.1, 12000));
    zones.push_back(zone("b", 5.3, 5.6, 45.1, 7001));
    // 40 x 55 m, smaller than a cell: a point demand.
    zones.push_back(zone("tiny", 5.7, 5.7005, 45.0005, 40));
    std::vector<maillage::model::Site> sites(2);
    sites[0].id = "s1";
    sites[0].position = {5.05, 45.05};
    sites[1].id = "s2";
    sites[1].position = {5.5, 45.02};
    maillage::analysis::Parameters p;
    p.grid_m = 1000;
    p.threshold_km = 15;
    const auto r = maillage::analysis::analyse(ctx, sites, zones, p);
    ASSERT_EQ(r.point_demands, 1U);
    const auto demands = maillage::analysis::demands_of(r, sites, zones);
    double total = 0.0;
    double beyond = 0.0;
    for (const auto& d : demands) {
        total += d.population;
        beyond += d.distance_m > 15000 ? d.population : 0.0;
        // Brute force from the point back in lon/lat.
        const auto ll = maillage::geo::to_lonlat(d.ecef);
        const double bf =
            std::min(proj_distance(ll, sites[0].position), proj_distance(ll, sites[1].position));
        EXPECT_NEAR(d.distance_m, bf, 1e-3);
    }
    EXPECT_DOUBLE_EQ(total, 19041);
    EXPECT_DOUBLE_EQ(total, r.distribution.total);
    EXPECT_DOUBLE_EQ(beyond, r.population_beyond);
    EXPECT_GT(beyond, 0.0);
    // The last demand is the tiny zone's reference point.
    EXPECT_EQ(demands.back().population, 40);
    EXPECT_DOUBLE_EQ(demands.back().distance_m, r.zones[2].nearest_m);
}

} // namespace
