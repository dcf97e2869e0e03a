#include "maillage/index/site_index.hpp"

#include "maillage/core/parallel.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>

namespace maillage::index {
namespace {

// Tolerance on chord radii: ECEF coordinates carry ~1e-9 m of rounding, so a margin of a
// micrometre keeps the candidate filter conservative without admitting more candidates.
constexpr double chord_margin_m = 1e-6;

struct EcefCloud {
    std::vector<geo::Ecef> points;
    [[nodiscard]] std::size_t kdtree_get_point_count() const { return points.size(); }
    [[nodiscard]] double kdtree_get_pt(std::size_t i, std::size_t dim) const {
        const auto& p = points[i];
        return dim == 0 ? p.x : (dim == 1 ? p.y : p.z);
    }
    template <class BBox> bool kdtree_get_bbox(BBox& /*bb*/) const { return false; }
};

using Tree = nanoflann::KDTreeSingleIndexAdaptor<nanoflann::L2_Simple_Adaptor<double, EcefCloud>,
                                                 EcefCloud, 3, std::uint32_t>;

bool hit_less(const Hit& a, const Hit& b) {
    return a.distance_m < b.distance_m || (a.distance_m == b.distance_m && a.site < b.site);
}

} // namespace

/// A query point: ECEF always, lon/lat when the caller has it (else derived from ECEF for the
/// rare lines too long for the series, which go to PROJ).
struct Query {
    geo::Ecef e;
    const geo::LonLat* ll = nullptr;
};

/// The bucket table of SiteIndex::prepare: a square grid on the gnomonic (central) projection
/// of ECEF directions about the area's centre. A point's bucket costs three dot products and a
/// division, with no trigonometry, and the frame holds across the antimeridian and the poles.
struct Buckets {
    geo::Ecef c;  // unit vector of the centre direction
    geo::Ecef e1; // unit vectors of the tangent plane
    geo::Ecef e2;
    double u0 = 0.0; // lower-left corner of the grid, gnomonic units (tangent of the angle)
    double v0 = 0.0;
    double side = 1.0; // bucket side, gnomonic units
    int nx = 0;
    int ny = 0;
    std::vector<std::uint32_t> offset; // nx * ny + 1, into site / xyz
    std::vector<std::uint32_t> site;   // candidate sites of each bucket, by position
    std::vector<geo::Ecef> xyz;        // their ECEF coordinates, contiguous for the scan

    [[nodiscard]] bool empty() const { return nx == 0; }

    static double dot(const geo::Ecef& a, const geo::Ecef& b) {
        return a.x * b.x + a.y * b.y + a.z * b.z;
    }

    [[nodiscard]] long find(const geo::Ecef& p) const {
        const double w = dot(p, c);
        // Within about 70 degrees of the centre only (the frame is built for a smaller area).
        if (!(w > 0.34 * 6.4e6)) {
            return -1;
        }
        const double fx = (dot(p, e1) / w - u0) / side;
        const double fy = (dot(p, e2) / w - v0) / side;
        if (!(fx >= 0.0 && fy >= 0.0 && fx < nx && fy < ny)) {
            return -1;
        }
        return static_cast<long>(fy) * nx + static_cast<long>(fx);
    }

    /// The point of the ellipsoid in the direction of gnomonic coordinates (u, v).
    [[nodiscard]] geo::Ecef surface(double u, double v) const {
        const geo::Ecef d{c.x + u * e1.x + v * e2.x, c.y + u * e1.y + v * e2.y,
                          c.z + u * e1.z + v * e2.z};
        constexpr double a = 6378137.0;
        constexpr double b = a * (1.0 - 1.0 / 298.257223563);
        const double t = 1.0 / std::sqrt((d.x * d.x + d.y * d.y) / (a * a) + d.z * d.z / (b * b));
        return {t * d.x, t * d.y, t * d.z};
    }
};

struct SiteIndex::Impl {
    std::vector<geo::LonLat> sites;
    EcefCloud cloud;
    std::unique_ptr<Tree> tree;
    Buckets buckets;

    Hit tree_nearest(const Query& q) const;
    /// The candidate sites of every bucket of `bk`, each list by position.
    [[nodiscard]] std::vector<std::vector<std::uint32_t>> bucket_lists(const Buckets& bk) const;

    // Scan of a bucket's candidates: the smallest chord proposes, its geodesic bounds the
    // chords worth a geodesic (chord <= geodesic), and the geodesic decides among those.
    Hit bucket_nearest(const Query& q, long b) const {
        const std::uint32_t begin = buckets.offset[static_cast<std::size_t>(b)];
        const std::uint32_t end = buckets.offset[static_cast<std::size_t>(b) + 1];
        const auto chord_sq = [&](std::uint32_t j) {
            const auto& s = buckets.xyz[j];
            const double dx = s.x - q.e.x;
            const double dy = s.y - q.e.y;
            const double dz = s.z - q.e.z;
            return dx * dx + dy * dy + dz * dz;
        };
        std::uint32_t bj = begin;
        double best_c2 = std::numeric_limits<double>::infinity();
        for (std::uint32_t j = begin; j < end; ++j) {
            const double c2 = chord_sq(j);
            if (c2 < best_c2) {
                best_c2 = c2;
                bj = j;
            }
        }
        Hit best{buckets.site[bj], distance(q, buckets.site[bj])};
        const double lim = best.distance_m + chord_margin_m;
        const double lim2 = lim * lim;
        for (std::uint32_t j = begin; j < end; ++j) {
            if (j != bj && chord_sq(j) <= lim2) {
                const Hit h{buckets.site[j], distance(q, buckets.site[j])};
                if (hit_less(h, best)) {
                    best = h;
                }
            }
        }
        return best;
    }

    // Candidates by chord (squared chord lengths stay in here).
    std::vector<std::pair<std::uint32_t, double>> chord_within(const geo::Ecef& e,
                                                               double radius_m) const {
        std::vector<std::pair<std::uint32_t, double>> found;
        const double r = radius_m + chord_margin_m;
        nanoflann::SearchParams params;
        params.sorted = false;
        const std::array<double, 3> q{e.x, e.y, e.z};
        tree->radiusSearch(q.data(), r * r, found, params);
        return found;
    }

    [[nodiscard]] double distance(const Query& q, std::uint32_t i) const {
        return q.ll != nullptr ? geo::geodesic_distance_m(*q.ll, q.e, sites[i], cloud.points[i])
                               : geo::geodesic_distance_m(q.e, sites[i], cloud.points[i]);
    }

    std::vector<Hit> exact(const Query& q,
                           const std::vector<std::pair<std::uint32_t, double>>& candidates) const {
        std::vector<Hit> hits;
        hits.reserve(candidates.size());
        for (const auto& c : candidates) {
            hits.push_back({c.first, distance(q, c.first)});
        }
        std::sort(hits.begin(), hits.end(), hit_less);
        return hits;
    }
};

SiteIndex::SiteIndex(std::span<const geo::LonLat> sites) : m_impl(std::make_unique<Impl>()) {
    m_impl->sites.assign(sites.begin(), sites.end());
    m_impl->cloud.points.reserve(sites.size());
    for (const auto& s : sites) {
        m_impl->cloud.points.push_back(geo::to_ecef(s));
    }
    m_impl->tree =
        std::make_unique<Tree>(3, m_impl->cloud, nanoflann::KDTreeSingleIndexAdaptorParams(8));
    m_impl->tree->buildIndex();
}

SiteIndex::~SiteIndex() = default;
SiteIndex::SiteIndex(SiteIndex&&) noexcept = default;
SiteIndex& SiteIndex::operator=(SiteIndex&&) noexcept = default;

std::size_t SiteIndex::size() const { return m_impl->sites.size(); }

Hit SiteIndex::nearest(geo::LonLat p) const {
    const Query q{geo::to_ecef(p), &p};
    if (!m_impl->buckets.empty()) {
        const long b = m_impl->buckets.find(q.e);
        if (b >= 0) {
            return m_impl->bucket_nearest(q, b);
        }
    }
    return m_impl->tree_nearest(q);
}

Hit SiteIndex::nearest_ecef(const geo::Ecef& e) const {
    const Query q{e, nullptr};
    if (!m_impl->buckets.empty()) {
        const long b = m_impl->buckets.find(e);
        if (b >= 0) {
            return m_impl->bucket_nearest(q, b);
        }
    }
    return m_impl->tree_nearest(q);
}

Hit SiteIndex::Impl::tree_nearest(const Query& query) const {
    const std::array<double, 3> q{query.e.x, query.e.y, query.e.z};
    // Two candidates settle almost every query: the second's chord usually exceeds the first's
    // geodesic, which proves the first nearest.
    constexpr std::size_t probe = 2;
    const std::size_t k = std::min(probe, sites.size());
    std::array<std::uint32_t, probe> idx{};
    std::array<double, probe> chord_sq{};
    const std::size_t found = tree->knnSearch(q.data(), k, idx.data(), chord_sq.data());
    // Geodesics only as long as a probed site could still win: a site whose chord exceeds the
    // best geodesic so far cannot (chord <= geodesic), nor can any site farther by chord.
    Hit best{idx[0], distance(query, idx[0])};
    for (std::size_t i = 1; i < found; ++i) {
        if (std::sqrt(chord_sq[i]) > best.distance_m + chord_margin_m) {
            return best;
        }
        const Hit h{idx[i], distance(query, idx[i])};
        if (hit_less(h, best)) {
            best = h;
        }
    }
    if (found == sites.size()) {
        return best;
    }
    // All probed sites were close to the best: fall back to every site within its chord radius.
    const auto hits = exact(query, chord_within(query.e, best.distance_m));
    return hits.empty() ? best : hits.front();
}

std::size_t SiteIndex::bucket_count() const {
    return m_impl->buckets.offset.empty() ? 0 : m_impl->buckets.offset.size() - 1;
}

namespace {

/// The frame of the buckets: centred on the mean direction of the area, east and north unit
/// vectors. False when the area is spread over the globe (no frame fits).
bool set_frame(Buckets& bk, std::span<const geo::LonLat> area) {
    // The frame: centred on the mean direction of the area, east and north unit vectors.
    double sx = 0.0;
    double sy = 0.0;
    double sz = 0.0;
    for (const auto& p : area) {
        const auto e = geo::to_ecef(p);
        const double norm = std::sqrt(Buckets::dot(e, e));
        sx += e.x / norm;
        sy += e.y / norm;
        sz += e.z / norm;
    }
    const double norm = std::sqrt(sx * sx + sy * sy + sz * sz);
    if (norm < 1e-6 * static_cast<double>(area.size())) {
        return false; // spread over the globe: no frame fits
    }
    bk.c = {sx / norm, sy / norm, sz / norm};
    // East: z x c, or x x c at the poles.
    geo::Ecef east{-bk.c.y, bk.c.x, 0.0};
    if (Buckets::dot(east, east) < 1e-12) {
        east = {0.0, -bk.c.z, bk.c.y};
    }
    const double en = std::sqrt(Buckets::dot(east, east));
    bk.e1 = {east.x / en, east.y / en, east.z / en};
    bk.e2 = {bk.c.y * bk.e1.z - bk.c.z * bk.e1.y, bk.c.z * bk.e1.x - bk.c.x * bk.e1.z,
             bk.c.x * bk.e1.y - bk.c.y * bk.e1.x};
    return true;
}

/// The grid of the buckets over the area's box in gnomonic coordinates, widened by the margin,
/// with about `target` buckets. False when no grid fits.
bool set_grid(Buckets& bk, std::span<const geo::LonLat> area, double margin_deg, double target) {
    // The area's box in gnomonic coordinates, widened by the margin (radians ~ gnomonic units
    // near the centre). Points too far from the centre for the frame are left to the tree.
    double u0 = 1e300;
    double v0 = 1e300;
    double u1 = -1e300;
    double v1 = -1e300;
    constexpr double max_tan = 2.0; // 63 degrees from the centre
    for (const auto& p : area) {
        const auto e = geo::to_ecef(p);
        const double w = Buckets::dot(e, bk.c);
        if (w <= 0.0) {
            continue;
        }
        const double u = Buckets::dot(e, bk.e1) / w;
        const double v = Buckets::dot(e, bk.e2) / w;
        if (std::abs(u) > max_tan || std::abs(v) > max_tan) {
            continue;
        }
        u0 = std::min(u0, u);
        v0 = std::min(v0, v);
        u1 = std::max(u1, u);
        v1 = std::max(v1, v);
    }
    const double margin = margin_deg * std::numbers::pi / 180.0;
    u0 = std::max(-max_tan, u0 - margin);
    v0 = std::max(-max_tan, v0 - margin);
    u1 = std::min(max_tan, u1 + margin);
    v1 = std::min(max_tan, v1 + margin);
    if (!(u1 > u0 && v1 > v0)) {
        return false;
    }
    // Square buckets of 100 m to 20 km on the ground (the bounds below assume short lines).
    constexpr double earth_radius_m = 6371000.0;
    const double side_m =
        std::clamp(earth_radius_m * std::sqrt((u1 - u0) * (v1 - v0) / target), 100.0, 20000.0);
    bk.side = side_m / earth_radius_m;
    const double nx = std::ceil((u1 - u0) / bk.side);
    const double ny = std::ceil((v1 - v0) / bk.side);
    if (nx * ny > 8.0e6) {
        return false;
    }
    bk.nx = static_cast<int>(nx);
    bk.ny = static_cast<int>(ny);
    bk.u0 = u0;
    bk.v0 = v0;
    return true;
}

/// The lists of candidates into the table (offsets, sites, their ECEF coordinates). False when
/// there are too many candidates for 32-bit offsets.
bool fill_table(Buckets& bk, std::vector<std::vector<std::uint32_t>>& lists,
                const std::vector<geo::Ecef>& points) {
    const std::size_t nb = lists.size();
    bk.offset.reserve(nb + 1);
    bk.offset.push_back(0);
    std::size_t total = 0;
    for (const auto& l : lists) {
        total += l.size();
        if (total > std::numeric_limits<std::uint32_t>::max()) {
            return false; // too many candidates for 32-bit offsets: keep walking the tree
        }
        bk.offset.push_back(static_cast<std::uint32_t>(total));
    }
    bk.site.reserve(total);
    bk.xyz.reserve(total);
    for (auto& l : lists) {
        for (const auto s : l) {
            bk.site.push_back(s);
            bk.xyz.push_back(points[s]);
        }
        std::vector<std::uint32_t>().swap(l);
    }
    return true;
}

} // namespace

std::vector<std::vector<std::uint32_t>> SiteIndex::Impl::bucket_lists(const Buckets& bk) const {
    const std::size_t nb = static_cast<std::size_t>(bk.nx) * static_cast<std::size_t>(bk.ny);
    std::vector<std::vector<std::uint32_t>> lists(nb);
    core::parallel_for(nb, 256, [&](std::size_t b) {
        const double ul =
            bk.u0 + static_cast<double>(b % static_cast<std::size_t>(bk.nx)) * bk.side;
        const std::size_t bucket_row = b / static_cast<std::size_t>(bk.nx);
        const double vl = bk.v0 + static_cast<double>(bucket_row) * bk.side;
        const auto ce = bk.surface(ul + 0.5 * bk.side, vl + 0.5 * bk.side);
        // r: the chord from the centre to the farthest point of the bucket. For buckets this
        // small that is a corner; 1 % and 1 m absorb the curvature of the edges and rounding.
        double r = 0.0;
        for (const double fu : {0.0, 1.0}) {
            for (const double fv : {0.0, 1.0}) {
                const auto k = bk.surface(ul + fu * bk.side, vl + fv * bk.side);
                const double dx = k.x - ce.x;
                const double dy = k.y - ce.y;
                const double dz = k.z - ce.z;
                r = std::max(r, std::sqrt(dx * dx + dy * dy + dz * dz));
            }
        }
        r = 1.01 * r + 1.0;
        // For q in the bucket and s* its nearest site (geodesic g, chord c <= g):
        //   c(centre, s*) <= c(centre, q) + g(q, s*) <= r + g(q, s_c)
        //                 <= r + g(q, centre) + g(centre, s_c) <= 2.0001 r + g(centre, s_c),
        // with s_c the centre's nearest site and g <= 1.0001 c for lines under 100 km.
        const Hit hc = tree_nearest(Query{ce, nullptr});
        const double radius = hc.distance_m + 2.0001 * r + 1e-3;
        const auto found = chord_within(ce, radius);
        auto& list = lists[b];
        list.reserve(found.size());
        for (const auto& f : found) {
            list.push_back(f.first);
        }
        std::sort(list.begin(), list.end());
    });
    return lists;
}

void SiteIndex::prepare(std::span<const geo::LonLat> area, double margin_deg,
                        std::size_t expected_queries) {
    auto& impl = *m_impl;
    impl.buckets = Buckets{};
    const std::size_t n = size();
    // Sized to about 16 buckets per site, which leaves a handful of candidates in each; a table
    // also costs about two tree queries per bucket, so it needs several queries per bucket.
    const auto target = std::min<double>(
        {16.0 * static_cast<double>(n), static_cast<double>(expected_queries) / 8.0, 4.0e6});
    if (n == 0 || area.empty() || target < 64.0) {
        return;
    }
    Buckets bk;
    if (!set_frame(bk, area) || !set_grid(bk, area, margin_deg, target)) {
        return;
    }
    auto lists = impl.bucket_lists(bk);
    if (fill_table(bk, lists, impl.cloud.points)) {
        impl.buckets = std::move(bk);
    }
}

std::vector<Hit> SiteIndex::k_nearest(geo::LonLat p, std::size_t k) const {
    k = std::min(k, size());
    if (k == 0) {
        return {};
    }
    const auto e = geo::to_ecef(p);
    const std::array<double, 3> q{e.x, e.y, e.z};
    const std::size_t probe = std::min(size(), k + 3);
    std::vector<std::uint32_t> idx(probe);
    std::vector<double> chord_sq(probe);
    const std::size_t found = m_impl->tree->knnSearch(q.data(), probe, idx.data(), chord_sq.data());
    std::vector<std::pair<std::uint32_t, double>> candidates;
    candidates.reserve(found);
    for (std::size_t i = 0; i < found; ++i) {
        candidates.emplace_back(idx[i], chord_sq[i]);
    }
    const Query query{e, &p};
    auto hits = m_impl->exact(query, candidates);
    const double kth = hits[k - 1].distance_m;
    if (found < size() && std::sqrt(chord_sq[found - 1]) <= kth + chord_margin_m) {
        hits = m_impl->exact(query, m_impl->chord_within(e, kth));
    }
    hits.resize(k);
    return hits;
}

std::vector<Hit> SiteIndex::within(geo::LonLat p, double radius_m) const {
    if (size() == 0 || !(radius_m >= 0)) {
        return {};
    }
    const Query query{geo::to_ecef(p), &p};
    auto hits = m_impl->exact(query, m_impl->chord_within(query.e, radius_m));
    const auto end = std::find_if(hits.begin(), hits.end(),
                                  [&](const Hit& h) { return h.distance_m > radius_m; });
    hits.erase(end, hits.end());
    return hits;
}

std::size_t SiteIndex::count_within(geo::LonLat p, double radius_m) const {
    return within(p, radius_m).size();
}

} // namespace maillage::index
