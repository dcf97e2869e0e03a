// SiteIndex against brute force: the geodesic distance to every site (geodesic_distance_m is
// itself checked against GeographicLib in test_geodesic.cpp), sorted by distance then position.

#include "maillage/geo/geodesic.hpp"
#include "maillage/index/site_index.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace {

using maillage::geo::LonLat;
using maillage::index::Hit;
using maillage::index::SiteIndex;

constexpr double mm = 1e-3;

std::vector<Hit> brute_force(const std::vector<LonLat>& sites, LonLat q) {
    std::vector<Hit> all;
    all.reserve(sites.size());
    for (std::size_t i = 0; i < sites.size(); ++i) {
        all.push_back(
            {static_cast<std::uint32_t>(i), maillage::geo::geodesic_distance_m(q, sites[i])});
    }
    std::sort(all.begin(), all.end(), [](const Hit& a, const Hit& b) {
        return a.distance_m < b.distance_m || (a.distance_m == b.distance_m && a.site < b.site);
    });
    return all;
}

std::string where(LonLat q) {
    return "query (" + std::to_string(q.lon) + ", " + std::to_string(q.lat) + ")";
}

/// Checks a sorted hit list against the head of the brute-force list: same distances at each
/// rank (1 mm), true distances, distinct sites, the same sites unless tied within 1 mm, and
/// ordered by distance then position.
void expect_same_ranking(const std::vector<Hit>& got, const std::vector<Hit>& bf, std::size_t n,
                         const std::vector<double>& dist_of_site, const std::string& what) {
    ASSERT_EQ(got.size(), n) << what;
    std::vector<std::uint32_t> seen;
    for (std::size_t i = 0; i < n; ++i) {
        EXPECT_NEAR(got[i].distance_m, bf[i].distance_m, mm) << what << " rank " << i;
        ASSERT_LT(got[i].site, dist_of_site.size()) << what;
        EXPECT_NEAR(got[i].distance_m, dist_of_site[got[i].site], mm) << what << " rank " << i;
        if (got[i].site != bf[i].site) {
            // Only acceptable for a tie within 1 mm.
            EXPECT_NEAR(dist_of_site[got[i].site], bf[i].distance_m, mm)
                << what << " rank " << i << ": site " << got[i].site << " instead of "
                << bf[i].site;
        }
        if (i > 0) {
            EXPECT_TRUE(
                got[i - 1].distance_m < got[i].distance_m ||
                (got[i - 1].distance_m == got[i].distance_m && got[i - 1].site < got[i].site))
                << what << " not ordered at rank " << i;
        }
        seen.push_back(got[i].site);
    }
    std::sort(seen.begin(), seen.end());
    EXPECT_EQ(std::adjacent_find(seen.begin(), seen.end()), seen.end())
        << what << ": repeated site";
    // Nothing closer was left out: the last returned is no farther than the n-th brute-force.
    if (n > 0) {
        EXPECT_LE(got[n - 1].distance_m, bf[n - 1].distance_m + mm) << what;
    }
}

struct Setting {
    std::string name;
    std::vector<LonLat> sites;
    std::vector<LonLat> queries;
    std::vector<double> radii;
};

/// The bucket table of prepare() gives exactly the tree's answers, inside the table and out (it
/// is built over the sites' box, and some queries fall outside it), for lon/lat and ECEF queries.
void check_bucket_table(const Setting& s, const SiteIndex& tree) {
    SiteIndex table(s.sites);
    table.prepare(s.sites, 0.01, 1U << 30);
    EXPECT_GT(table.bucket_count(), 0U);
    for (const auto& q : s.queries) {
        const Hit a = tree.nearest(q);
        const Hit b = table.nearest(q);
        EXPECT_EQ(a.site, b.site) << where(q);
        EXPECT_EQ(a.distance_m, b.distance_m) << where(q);
        const Hit c = table.nearest_ecef(maillage::geo::to_ecef(q));
        EXPECT_EQ(a.site, c.site) << where(q);
        EXPECT_NEAR(a.distance_m, c.distance_m, 1e-6) << where(q);
    }
}

void check_setting(const Setting& s) {
    SCOPED_TRACE(s.name);
    const SiteIndex idx(s.sites);
    ASSERT_EQ(idx.size(), s.sites.size());
    check_bucket_table(s, idx);
    std::size_t within_found = 0;
    for (const auto& q : s.queries) {
        const auto bf = brute_force(s.sites, q);
        std::vector<double> dist_of_site(s.sites.size());
        for (const auto& h : bf) {
            dist_of_site[h.site] = h.distance_m;
        }
        const std::string w = where(q);

        // nearest
        const Hit n = idx.nearest(q);
        ASSERT_LT(n.site, s.sites.size()) << w;
        EXPECT_NEAR(n.distance_m, bf[0].distance_m, mm) << w;
        EXPECT_NEAR(n.distance_m, dist_of_site[n.site], mm) << w;
        if (n.site != bf[0].site) {
            EXPECT_NEAR(dist_of_site[n.site], bf[0].distance_m, mm)
                << w << ": nearest " << n.site << " instead of " << bf[0].site;
        }

        // k nearest
        for (const std::size_t k : {1U, 2U, 5U}) {
            const auto got = idx.k_nearest(q, k);
            expect_same_ranking(got, bf, std::min(k, bf.size()), dist_of_site,
                                w + " k=" + std::to_string(k));
        }

        // within / count_within
        for (const double r : s.radii) {
            const auto got = idx.within(q, r);
            const std::size_t count = idx.count_within(q, r);
            std::size_t sure = 0;  // brute force: within r by more than 1 mm
            std::size_t maybe = 0; // within r + 1 mm
            for (const auto& h : bf) {
                sure += h.distance_m <= r - mm ? 1 : 0;
                maybe += h.distance_m <= r + mm ? 1 : 0;
            }
            EXPECT_GE(got.size(), sure) << w << " r=" << r;
            EXPECT_LE(got.size(), maybe) << w << " r=" << r;
            EXPECT_EQ(count, got.size()) << w << " r=" << r;
            for (const auto& h : got) {
                EXPECT_LE(dist_of_site[h.site], r + mm) << w << " r=" << r;
            }
            if (!got.empty()) {
                expect_same_ranking(got, bf, got.size(), dist_of_site,
                                    w + " within " + std::to_string(r));
            }
            within_found += got.size();
        }
    }
    // The radii were chosen so that within() is not trivially empty.
    EXPECT_GT(within_found, s.queries.size());
}

std::vector<LonLat> uniform_box(std::mt19937_64& rng, std::size_t n, double lon0, double lon1,
                                double lat0, double lat1) {
    std::uniform_real_distribution<double> lon(lon0, lon1);
    std::uniform_real_distribution<double> lat(lat0, lat1);
    std::vector<LonLat> out(n);
    for (auto& p : out) {
        p = {lon(rng), lat(rng)};
    }
    return out;
}

std::vector<LonLat> uniform_globe(std::mt19937_64& rng, std::size_t n) {
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::vector<LonLat> out(n);
    for (auto& p : out) {
        p = {lon(rng), std::asin(u(rng)) * 180.0 / std::numbers::pi};
    }
    return out;
}

std::vector<LonLat> wrapped(std::vector<LonLat> pts) {
    for (auto& p : pts) {
        if (p.lon > 180.0) {
            p.lon -= 360.0;
        }
    }
    return pts;
}

} // namespace

TEST(SiteIndex, AuraRegionMatchesBruteForce) {
    std::mt19937_64 rng(1);
    Setting s{"AURA",
              uniform_box(rng, 500, 2.5, 7.5, 44.0, 46.8),
              uniform_box(rng, 5000, 2.5, 7.5, 44.0, 46.8),
              {5000.0, 20000.0}};
    check_setting(s);
}

TEST(SiteIndex, DenseBucketTableMatchesBruteForce) {
    // Many sites and small buckets (the table has about 16 per site): every query's bucket list
    // must hold its nearest site, checked against brute force directly.
    std::mt19937_64 rng(11);
    const auto sites = uniform_box(rng, 800, 4.0, 5.0, 45.0, 45.7);
    auto queries = uniform_box(rng, 3000, 3.9, 5.1, 44.9, 45.8);
    SiteIndex table(sites);
    table.prepare(sites, 0.05, 1U << 30);
    ASSERT_GT(table.bucket_count(), 5000U);
    for (const auto& q : queries) {
        const auto bf = brute_force(sites, q);
        const Hit h = table.nearest_ecef(maillage::geo::to_ecef(q));
        EXPECT_NEAR(h.distance_m, bf[0].distance_m, 1e-6) << where(q);
        if (h.site != bf[0].site) {
            EXPECT_NEAR(maillage::geo::geodesic_distance_m(q, sites[h.site]), bf[0].distance_m, mm)
                << where(q);
        }
    }
}

TEST(SiteIndex, BucketTableIsSkippedForFewQueries) {
    std::mt19937_64 rng(12);
    const auto sites = uniform_box(rng, 100, 4.0, 5.0, 45.0, 45.7);
    SiteIndex idx(sites);
    idx.prepare(sites, 0.05, 100);
    EXPECT_EQ(idx.bucket_count(), 0U);
    idx.prepare(sites, 0.05, 1000000);
    EXPECT_GT(idx.bucket_count(), 0U);
}

TEST(SiteIndex, AcrossTheAntimeridianMatchesBruteForce) {
    std::mt19937_64 rng(2);
    Setting s{"antimeridian",
              wrapped(uniform_box(rng, 300, 178.0, 182.0, -20.0, -15.0)),
              wrapped(uniform_box(rng, 2000, 177.5, 182.5, -20.5, -14.5)),
              {20000.0, 60000.0}};
    check_setting(s);
    // A query exactly on the antimeridian, written both ways, finds the same site.
    const SiteIndex idx(s.sites);
    for (const double lat : {-19.0, -17.3, -15.5}) {
        const Hit a = idx.nearest({180.0, lat});
        const Hit b = idx.nearest({-180.0, lat});
        EXPECT_EQ(a.site, b.site);
        EXPECT_NEAR(a.distance_m, b.distance_m, 1e-6);
    }
}

TEST(SiteIndex, NearTheNorthPoleMatchesBruteForce) {
    std::mt19937_64 rng(3);
    auto sites = uniform_box(rng, 300, -180.0, 180.0, 85.0, 90.0);
    sites.push_back({0.0, 90.0}); // the pole itself
    Setting s{"pole", sites, uniform_box(rng, 2000, -180.0, 180.0, 84.0, 90.0), {20000.0, 60000.0}};
    s.queries.push_back({0.0, 90.0});
    s.queries.push_back({123.0, 90.0});
    s.queries.push_back({-45.0, 89.9999});
    check_setting(s);
}

TEST(SiteIndex, WholeGlobeMatchesBruteForce) {
    std::mt19937_64 rng(4);
    Setting s{"globe", uniform_globe(rng, 1000), uniform_globe(rng, 1000), {300000.0, 1000000.0}};
    // Queries antipodal to sites: the farthest-apart configurations.
    for (std::size_t i = 0; i < 20; ++i) {
        const auto& p = s.sites[i];
        s.queries.push_back({maillage::geo::normalize_lon(p.lon + 180.0), -p.lat});
    }
    check_setting(s);
}

TEST(SiteIndex, SparseGlobeLongDistances) {
    // Few sites: nearest sites are thousands of km away, where chord and geodesic differ most.
    std::mt19937_64 rng(5);
    Setting s{"sparse globe", uniform_globe(rng, 12), uniform_globe(rng, 1000), {5.0e6, 1.0e7}};
    check_setting(s);
}

TEST(SiteIndex, DuplicateCoordinatesGiveTheLowestPosition) {
    // Ten copies of one point (more than any small probe), mixed with other sites.
    std::mt19937_64 rng(6);
    std::vector<LonLat> sites = uniform_box(rng, 50, 4.0, 6.0, 44.5, 45.5);
    const LonLat dup{5.0, 45.0};
    std::vector<std::uint32_t> dup_pos;
    for (std::uint32_t i = 0; i < 10; ++i) {
        const auto pos = static_cast<std::uint32_t>(7 + 5 * i);
        sites.insert(sites.begin() + pos, dup);
    }
    for (std::uint32_t i = 0; i < sites.size(); ++i) {
        if (sites[i].lon == dup.lon && sites[i].lat == dup.lat) {
            dup_pos.push_back(i);
        }
    }
    ASSERT_EQ(dup_pos.size(), 10U);
    const SiteIndex idx(sites);
    // Queries near the duplicate: the distances are bitwise equal, so the documented tie-break
    // (lower position) decides.
    for (const LonLat q : {LonLat{5.0, 45.0}, LonLat{5.001, 45.0005}, LonLat{4.9999, 44.9999}}) {
        const auto bf = brute_force(sites, q);
        ASSERT_EQ(bf[0].site, dup_pos[0]);
        const Hit n = idx.nearest(q);
        EXPECT_EQ(n.site, dup_pos[0]) << where(q);
        EXPECT_NEAR(n.distance_m, bf[0].distance_m, mm) << where(q);
        for (const std::size_t k : {1U, 2U, 5U, 10U, 12U}) {
            const auto got = idx.k_nearest(q, k);
            ASSERT_EQ(got.size(), k);
            for (std::size_t i = 0; i < k; ++i) {
                EXPECT_EQ(got[i].site, bf[i].site) << where(q) << " k=" << k << " rank " << i;
                EXPECT_NEAR(got[i].distance_m, bf[i].distance_m, mm);
            }
        }
        const auto w = idx.within(q, 200.0);
        ASSERT_EQ(w.size(), 10U) << where(q);
        for (std::size_t i = 0; i < w.size(); ++i) {
            EXPECT_EQ(w[i].site, dup_pos[i]);
        }
        EXPECT_EQ(idx.count_within(q, 200.0), 10U);
    }
    // And the general brute-force comparison around them.
    Setting s{"duplicates", sites, uniform_box(rng, 500, 4.9, 5.1, 44.9, 45.1), {2000.0, 10000.0}};
    check_setting(s);
}

TEST(SiteIndex, ExactTiesBetweenDistinctSites) {
    // Sites placed symmetrically about the query's meridian: east/west mirror images are at the
    // same geodesic distance. Between distinct sites the last bits of the two distances depend on
    // the arithmetic (the index uses its own short-line series), so either may be chosen: the
    // index must agree with brute force within 1 mm. (Identical coordinates, where the tie is
    // exact in any arithmetic, are tested above: the lower position wins.)
    const LonLat q{5.0, 45.0};
    std::vector<LonLat> sites;
    for (const double d : {0.05, 0.02, 0.03}) {
        sites.push_back({5.0 + d, 45.0 + d / 2});
        sites.push_back({5.0 - d, 45.0 + d / 2});
        sites.push_back({5.0 + d, 45.0 - d / 2});
        sites.push_back({5.0 - d, 45.0 - d / 2});
    }
    const SiteIndex idx(sites);
    const auto bf = brute_force(sites, q);
    std::vector<double> dist_of_site(sites.size());
    for (const auto& h : bf) {
        dist_of_site[h.site] = h.distance_m;
    }
    const Hit n = idx.nearest(q);
    EXPECT_NEAR(n.distance_m, bf[0].distance_m, mm);
    EXPECT_NEAR(dist_of_site[n.site], bf[0].distance_m, mm);
    ASSERT_NEAR(bf[0].distance_m, bf[1].distance_m, 1e-6); // the premise: a tie
    for (const std::size_t k : {1U, 2U, 5U, 12U}) {
        expect_same_ranking(idx.k_nearest(q, k), bf, k, dist_of_site,
                            "ties k=" + std::to_string(k));
    }
    // A query midway between two sites on the equator: exactly equidistant.
    const std::vector<LonLat> two{{10.2, 0.0}, {9.8, 0.0}};
    const SiteIndex idx2(two);
    const Hit m = idx2.nearest({10.0, 0.0});
    const double d0 = maillage::geo::geodesic_distance_m({10.0, 0.0}, two[0]);
    const double d1 = maillage::geo::geodesic_distance_m({10.0, 0.0}, two[1]);
    ASSERT_NEAR(d0, d1, 1e-6); // the premise: a tie
    EXPECT_NEAR(m.distance_m, std::min(d0, d1), mm);
    EXPECT_LT(m.site, 2U);
    const auto both = idx2.within({10.0, 0.0}, std::max(d0, d1));
    ASSERT_EQ(both.size(), 2U);
}

TEST(SiteIndex, ChordOrderDiffersFromGeodesicOrder) {
    // On the ellipsoid a north-south line is more curved than an east-west one, so its chord
    // falls shorter of its geodesic: at 500 km from 45 N the gap is 128.35 m northward and
    // 127.59 m eastward. Sites fanned from north to east at geodesic distances shrinking by
    // 5 cm have chords in (mostly) the opposite order: the geodesic nearest is among the
    // farthest by chord. Only the geodesic may decide.
    for (const double d : {500000.0, 2000000.0}) {
        const LonLat q{5.0, 45.0};
        std::vector<LonLat> sites;
        for (int i = 0; i <= 9; ++i) {
            sites.push_back(maillage::geo::geodesic_destination(q, 10.0 * i, d - 0.05 * i));
        }
        const auto bf = brute_force(sites, q);
        std::vector<double> dist_of_site(sites.size());
        for (const auto& h : bf) {
            dist_of_site[h.site] = h.distance_m;
        }
        // The premise, checked: the site nearest by chord is not the geodesic nearest, and the
        // geodesic nearest is among the farthest by chord.
        const auto eq = maillage::geo::to_ecef(q);
        std::vector<std::pair<double, std::uint32_t>> by_chord;
        for (std::uint32_t i = 0; i < sites.size(); ++i) {
            const auto e = maillage::geo::to_ecef(sites[i]);
            by_chord.emplace_back(std::hypot(e.x - eq.x, e.y - eq.y, e.z - eq.z), i);
        }
        std::sort(by_chord.begin(), by_chord.end());
        ASSERT_EQ(bf[0].site, 9U);
        ASSERT_NE(by_chord[0].second, bf[0].site);
        ASSERT_GE(std::find_if(by_chord.begin(), by_chord.end(),
                               [&](const auto& c) { return c.second == bf[0].site; }) -
                      by_chord.begin(),
                  5);

        const SiteIndex idx(sites);
        const Hit n = idx.nearest(q);
        EXPECT_EQ(n.site, bf[0].site) << "d = " << d;
        EXPECT_NEAR(n.distance_m, bf[0].distance_m, mm);
        for (const std::size_t k : {1U, 2U, 5U, 10U}) {
            expect_same_ranking(idx.k_nearest(q, k), bf, k, dist_of_site,
                                "fan " + std::to_string(d) + " k=" + std::to_string(k));
        }
        // Radius between the 3rd and 4th geodesic: exactly the 3 nearest.
        const auto w = idx.within(q, 0.5 * (bf[2].distance_m + bf[3].distance_m));
        expect_same_ranking(w, bf, 3, dist_of_site, "fan within");
    }
}

TEST(SiteIndex, SingleSite) {
    const std::vector<LonLat> one{{5.0, 45.0}};
    const SiteIndex idx(one);
    EXPECT_EQ(idx.size(), 1U);
    for (const LonLat q : {LonLat{5.0, 45.0}, LonLat{-120.0, -30.0}, LonLat{-175.0, -45.0}}) {
        const double d = maillage::geo::geodesic_distance_m(q, one[0]);
        const Hit n = idx.nearest(q);
        EXPECT_EQ(n.site, 0U);
        EXPECT_NEAR(n.distance_m, d, mm);
        const auto k = idx.k_nearest(q, 5);
        ASSERT_EQ(k.size(), 1U);
        EXPECT_EQ(k[0].site, 0U);
        EXPECT_NEAR(k[0].distance_m, d, mm);
        EXPECT_EQ(idx.within(q, d + 1.0).size(), 1U);
        EXPECT_EQ(idx.count_within(q, d + 1.0), 1U);
        if (d > 1.0) {
            EXPECT_TRUE(idx.within(q, d - 1.0).empty());
            EXPECT_EQ(idx.count_within(q, d - 1.0), 0U);
        }
    }
    EXPECT_EQ(idx.nearest({5.0, 45.0}).distance_m, 0.0);
    EXPECT_TRUE(idx.k_nearest({5.0, 45.0}, 0).empty());
    EXPECT_TRUE(idx.within({5.0, 45.0}, -1.0).empty());
    EXPECT_EQ(idx.within({5.0, 45.0}, 0.0).size(), 1U); // distance 0 is within radius 0
}

TEST(SiteIndex, KLargerThanTheNumberOfSites) {
    std::mt19937_64 rng(8);
    const auto sites = uniform_box(rng, 7, 2.5, 7.5, 44.0, 46.8);
    const SiteIndex idx(sites);
    const auto queries = uniform_box(rng, 200, 2.0, 8.0, 43.5, 47.0);
    for (const auto& q : queries) {
        const auto bf = brute_force(sites, q);
        std::vector<double> dist_of_site(sites.size());
        for (const auto& h : bf) {
            dist_of_site[h.site] = h.distance_m;
        }
        for (const std::size_t k : {7U, 8U, 50U, 1000000U}) {
            const auto got = idx.k_nearest(q, k);
            expect_same_ranking(got, bf, 7, dist_of_site, where(q) + " k=" + std::to_string(k));
        }
        // A radius covering the whole globe returns every site.
        EXPECT_EQ(idx.within(q, 2.1e7).size(), 7U);
        EXPECT_EQ(idx.count_within(q, 2.1e7), 7U);
    }
}

TEST(SiteIndex, MovedIndexStillAnswers) {
    const std::vector<LonLat> sites{{5.0, 45.0}, {6.0, 45.0}};
    SiteIndex a(sites);
    SiteIndex b(std::move(a));
    EXPECT_EQ(b.size(), 2U);
    EXPECT_EQ(b.nearest({5.9, 45.0}).site, 1U);
}
