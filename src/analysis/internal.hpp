#pragma once

// Helpers shared by the analysis sources (not part of the public headers).

#include <cmath>
#include <cstdint>

#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "maillage/geo/geodesic.hpp"
#include "maillage/model/site.hpp"

namespace maillage::analysis::detail {

/// The positions of the sites, in their order.
inline std::vector<geo::LonLat> site_positions(const std::vector<model::Site>& sites) {
    std::vector<geo::LonLat> p;
    p.reserve(sites.size());
    for (const auto& s : sites) {
        p.push_back(s.position);
    }
    return p;
}

/// Wall time of each phase, appended to `out` as (name, seconds since the previous lap).
class PhaseTimer {
public:
    explicit PhaseTimer(std::vector<std::pair<std::string, double>>& out) : m_out(out) {}
    void lap(const std::string& name) {
        const auto now = std::chrono::steady_clock::now();
        m_out.emplace_back(name, std::chrono::duration<double>(now - m_last).count());
        m_last = now;
    }

private:
    std::vector<std::pair<std::string, double>>& m_out;
    std::chrono::steady_clock::time_point m_last = std::chrono::steady_clock::now();
};

} // namespace maillage::analysis::detail
