// The nearest join of `maillage nearest` against a brute force over every site with
// geo::geodesic_distance_m.

#include "maillage/analysis/nearest_join.hpp"
#include "maillage/geo/geodesic.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <utility>

using maillage::geo::LonLat;
using maillage::index::Hit;
using maillage::index::SiteIndex;
namespace analysis = maillage::analysis;

namespace {

std::vector<LonLat> random_points(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> lon(4.0, 6.0);
    std::uniform_real_distribution<double> lat(44.5, 46.5);
    std::vector<LonLat> out;
    for (std::size_t i = 0; i < n; ++i) {
        out.push_back({lon(rng), lat(rng)});
    }
    return out;
}

/// The k nearest sites within max_m of p, by brute force: (site, metres), nearest first.
std::vector<std::pair<std::uint32_t, double>> brute(const std::vector<LonLat>& sites, LonLat p,
                                                    std::size_t k, double max_m) {
    std::vector<std::pair<std::uint32_t, double>> all;
    for (std::uint32_t s = 0; s < sites.size(); ++s) {
        all.emplace_back(s, maillage::geo::geodesic_distance_m(p, sites[s]));
    }
    std::sort(all.begin(), all.end(),
              [](const auto& a, const auto& b) { return a.second < b.second; });
    all.resize(std::min(k, all.size()));
    while (!all.empty() && all.back().second > max_m) {
        all.pop_back();
    }
    return all;
}

void expect_brute(const std::vector<LonLat>& sites, const std::vector<LonLat>& points,
                  const std::vector<char>& usable, const std::vector<std::vector<Hit>>& hits,
                  std::size_t k, double max_m) {
    ASSERT_EQ(hits.size(), points.size());
    for (std::size_t i = 0; i < points.size(); ++i) {
        if (usable[i] == 0) {
            EXPECT_TRUE(hits[i].empty()) << i;
            continue;
        }
        const auto expected = brute(sites, points[i], k, max_m);
        ASSERT_EQ(hits[i].size(), expected.size()) << i;
        for (std::size_t r = 0; r < expected.size(); ++r) {
            EXPECT_EQ(hits[i][r].site, expected[r].first) << i << " rank " << r;
            EXPECT_NEAR(hits[i][r].distance_m, expected[r].second, 1e-6) << i << " rank " << r;
        }
    }
}

} // namespace

TEST(NearestJoin, NearestAndKNearestAsABruteForce) {
    const auto sites = random_points(300, 1);
    const auto points = random_points(2000, 2);
    std::vector<char> usable(points.size(), 1);
    for (std::size_t i = 0; i < usable.size(); i += 7) {
        usable[i] = 0;
    }
    const SiteIndex idx(sites);
    std::vector<std::vector<Hit>> hits;
    analysis::NearestJoinOptions options;
    analysis::nearest_join(idx, points, usable, options, hits);
    expect_brute(sites, points, usable, hits, 1, options.max_m);
    options.k = 4;
    analysis::nearest_join(idx, points, usable, options, hits);
    expect_brute(sites, points, usable, hits, 4, options.max_m);
}

TEST(NearestJoin, MaxDistanceLeavesFartherSitesOut) {
    const auto sites = random_points(50, 3);
    const auto points = random_points(1000, 4);
    const std::vector<char> usable(points.size(), 1);
    const SiteIndex idx(sites);
    std::vector<std::vector<Hit>> hits;
    for (const std::size_t k : {std::size_t{1}, std::size_t{5}}) {
        analysis::NearestJoinOptions options;
        options.k = k;
        options.max_m = 12000.0; // some points have no site that close, some have several
        analysis::nearest_join(idx, points, usable, options, hits);
        expect_brute(sites, points, usable, hits, k, options.max_m);
        const auto empty =
            std::count_if(hits.begin(), hits.end(), [](const auto& h) { return h.empty(); });
        EXPECT_GT(empty, 0);
        EXPECT_LT(empty, static_cast<long>(points.size()));
    }
}

TEST(NearestJoin, HandWorkedCase) {
    // Two sites on the equator, 1° apart; a point on the equator at 0.25°: site 0 at a quarter
    // of a degree of the equator (27 829.873 m on WGS84: a times the angle), site 1 at three
    // quarters.
    const std::vector<LonLat> sites{{0.0, 0.0}, {1.0, 0.0}};
    const SiteIndex idx(sites);
    const std::vector<LonLat> points{{0.25, 0.0}};
    const std::vector<char> usable{1};
    std::vector<std::vector<Hit>> hits;
    analysis::NearestJoinOptions options;
    options.k = 2;
    analysis::nearest_join(idx, points, usable, options, hits);
    ASSERT_EQ(hits[0].size(), 2U);
    // 2*pi*6378137 / 360 / 4 and three times that: arcs of the equator.
    EXPECT_EQ(hits[0][0].site, 0U);
    EXPECT_NEAR(hits[0][0].distance_m, 27829.873, 0.01);
    EXPECT_EQ(hits[0][1].site, 1U);
    EXPECT_NEAR(hits[0][1].distance_m, 83489.618, 0.01);
    options.max_m = 50000.0;
    analysis::nearest_join(idx, points, usable, options, hits);
    ASSERT_EQ(hits[0].size(), 1U);
    EXPECT_EQ(hits[0][0].site, 0U);
}

TEST(NearestJoin, ChunkedJoinSeesEveryPointOnceInOrder) {
    const auto sites = random_points(100, 5);
    const auto points = random_points(1000, 6);
    const SiteIndex idx(sites);
    // 1000 points in chunks of 250: the input ends exactly on a chunk, so the last read is
    // empty; and in chunks of 300 (a partial last chunk).
    for (const std::size_t chunk_size : {std::size_t{250}, std::size_t{300}}) {
        std::size_t next = 0;
        std::vector<std::size_t> sizes;
        std::vector<std::vector<Hit>> all;
        std::vector<char> usable;
        const auto read = [&](analysis::PointChunk& c, std::size_t capacity) {
            EXPECT_TRUE(c.points.empty());
            EXPECT_EQ(capacity, chunk_size);
            while (c.points.size() < capacity) {
                if (next == points.size()) {
                    return false;
                }
                c.points.push_back(points[next]);
                c.usable.push_back(next % 3 == 0 ? 0 : 1);
                usable.push_back(c.usable.back());
                ++next;
            }
            return true;
        };
        const auto write = [&](const analysis::PointChunk& c) {
            sizes.push_back(c.points.size());
            all.insert(all.end(), c.hits.begin(), c.hits.end());
        };
        analysis::NearestJoinOptions options;
        options.k = 2;
        const auto stats = analysis::nearest_join_chunked(idx, options, chunk_size, read, write);
        EXPECT_EQ(stats.points, points.size());
        EXPECT_GE(stats.query_s, 0.0);
        if (chunk_size == 250) {
            EXPECT_EQ(sizes, (std::vector<std::size_t>{250, 250, 250, 250, 0}));
        } else {
            EXPECT_EQ(sizes, (std::vector<std::size_t>{300, 300, 300, 100}));
        }
        expect_brute(sites, points, usable, all, 2, options.max_m);
    }
}
