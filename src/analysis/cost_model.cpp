#include "maillage/analysis/cost_model.hpp"

namespace maillage::analysis {

GeodesicCost::GeodesicCost(std::span<const geo::LonLat> sites)
    : m_position(sites.begin(), sites.end()), m_index(sites) {
    m_ecef.reserve(m_position.size());
    for (const auto& p : m_position) {
        m_ecef.push_back(geo::to_ecef(p));
    }
}

void GeodesicCost::prepare(std::span<const geo::LonLat> area, std::size_t expected_queries) {
    m_index.prepare(area, prepare_margin_deg, expected_queries);
}

SiteCost GeodesicCost::nearest(const geo::Ecef& at) const {
    const auto hit = m_index.nearest_ecef(at);
    return {hit.site, hit.distance_m};
}

SiteCost GeodesicCost::nearest(geo::LonLat at) const {
    const auto hit = m_index.nearest(at);
    return {hit.site, hit.distance_m};
}

double GeodesicCost::cost(const geo::Ecef& at, std::uint32_t site) const {
    return geo::geodesic_distance_m(at, m_position[site], m_ecef[site]);
}

bool GeodesicCost::may_reach(const geo::Ecef& at, std::uint32_t site, double limit) const {
    const auto& s = m_ecef[site];
    const double dx = at.x - s.x;
    const double dy = at.y - s.y;
    const double dz = at.z - s.z;
    const double lim = limit + chord_margin_m;
    return dx * dx + dy * dy + dz * dz <= lim * lim;
}

std::size_t GeodesicCost::count_within(geo::LonLat at, double limit) const {
    return m_index.count_within(at, limit);
}

std::vector<SiteCost> GeodesicCost::within(geo::LonLat at, double limit) const {
    const auto hits = m_index.within(at, limit);
    std::vector<SiteCost> out;
    out.reserve(hits.size());
    for (const auto& h : hits) {
        out.push_back({h.site, h.distance_m});
    }
    return out;
}

} // namespace maillage::analysis
