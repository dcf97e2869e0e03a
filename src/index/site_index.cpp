#include "maillage/index/site_index.hpp"

#include <nanoflann.hpp>

#include <algorithm>
#include <array>
#include <cmath>

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

struct SiteIndex::Impl {
    std::vector<geo::LonLat> sites;
    EcefCloud cloud;
    std::unique_ptr<Tree> tree;

    // Candidates by chord (squared chord lengths stay in here).
    std::vector<std::pair<std::uint32_t, double>> chord_within(const std::array<double, 3>& q,
                                                               double radius_m) const {
        std::vector<std::pair<std::uint32_t, double>> found;
        const double r = radius_m + chord_margin_m;
        nanoflann::SearchParams params;
        params.sorted = false;
        tree->radiusSearch(q.data(), r * r, found, params);
        return found;
    }

    [[nodiscard]] double distance(geo::LonLat p, const geo::Ecef& e, std::uint32_t i) const {
        return geo::geodesic_distance_m(p, e, sites[i], cloud.points[i]);
    }

    std::vector<Hit> exact(geo::LonLat p, const geo::Ecef& e,
                           const std::vector<std::pair<std::uint32_t, double>>& candidates) const {
        std::vector<Hit> hits;
        hits.reserve(candidates.size());
        for (const auto& c : candidates) {
            hits.push_back({c.first, distance(p, e, c.first)});
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
    const auto e = geo::to_ecef(p);
    const std::array<double, 3> q{e.x, e.y, e.z};
    // Two candidates settle almost every query: the second's chord usually exceeds the first's
    // geodesic, which proves the first nearest.
    constexpr std::size_t probe = 2;
    const std::size_t k = std::min(probe, size());
    std::array<std::uint32_t, probe> idx{};
    std::array<double, probe> chord_sq{};
    const std::size_t found = m_impl->tree->knnSearch(q.data(), k, idx.data(), chord_sq.data());
    // Geodesics only as long as a probed site could still win: a site whose chord exceeds the
    // best geodesic so far cannot (chord <= geodesic), nor can any site farther by chord.
    Hit best{idx[0], m_impl->distance(p, e, idx[0])};
    for (std::size_t i = 1; i < found; ++i) {
        if (std::sqrt(chord_sq[i]) > best.distance_m + chord_margin_m) {
            return best;
        }
        const Hit h{idx[i], m_impl->distance(p, e, idx[i])};
        if (hit_less(h, best)) {
            best = h;
        }
    }
    if (found == size()) {
        return best;
    }
    // All probed sites were close to the best: fall back to every site within its chord radius.
    const auto hits = m_impl->exact(p, e, m_impl->chord_within(q, best.distance_m));
    return hits.empty() ? best : hits.front();
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
    auto hits = m_impl->exact(p, e, candidates);
    const double kth = hits[k - 1].distance_m;
    if (found < size() && std::sqrt(chord_sq[found - 1]) <= kth + chord_margin_m) {
        hits = m_impl->exact(p, e, m_impl->chord_within(q, kth));
    }
    hits.resize(k);
    return hits;
}

std::vector<Hit> SiteIndex::within(geo::LonLat p, double radius_m) const {
    if (size() == 0 || !(radius_m >= 0)) {
        return {};
    }
    const auto e = geo::to_ecef(p);
    auto hits = m_impl->exact(p, e, m_impl->chord_within({e.x, e.y, e.z}, radius_m));
    const auto end = std::find_if(hits.begin(), hits.end(),
                                  [&](const Hit& h) { return h.distance_m > radius_m; });
    hits.erase(end, hits.end());
    return hits;
}

std::size_t SiteIndex::count_within(geo::LonLat p, double radius_m) const {
    return within(p, radius_m).size();
}

} // namespace maillage::index
