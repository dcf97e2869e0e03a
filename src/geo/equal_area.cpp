#include "maillage/geo/equal_area.hpp"

#include "maillage/error.hpp"

#include <proj.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

namespace maillage::geo {

struct EqualAreaProjection::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    ~Impl() {
        if (pj != nullptr) {
            proj_destroy(pj);
        }
        if (ctx != nullptr) {
            proj_context_destroy(ctx);
        }
    }
};

namespace {
constexpr double deg = std::numbers::pi / 180.0;
}

EqualAreaProjection::EqualAreaProjection(double lon_0, double lat_0)
    : m_impl(std::make_unique<Impl>()), m_lon_0(lon_0), m_lat_0(lat_0) {
    m_impl->ctx = proj_context_create();
    proj_log_level(m_impl->ctx, PJ_LOG_NONE);
    // A plain operation (not a CRS): angular input in radians, no axis-order surprises.
    std::ostringstream def;
    def.precision(12);
    def << "+proj=laea +lat_0=" << lat_0 << " +lon_0=" << lon_0 << " +ellps=WGS84 +units=m";
    m_impl->pj = proj_create(m_impl->ctx, def.str().c_str());
    if (m_impl->pj == nullptr) {
        throw runtime_failure(
            "PROJ: cannot create projection '" + def.str() +
            "': " + proj_context_errno_string(m_impl->ctx, proj_context_errno(m_impl->ctx)));
    }
}

EqualAreaProjection::~EqualAreaProjection() = default;
EqualAreaProjection::EqualAreaProjection(EqualAreaProjection&&) noexcept = default;
EqualAreaProjection& EqualAreaProjection::operator=(EqualAreaProjection&&) noexcept = default;

EqualAreaProjection EqualAreaProjection::centred_on(std::span<const LonLat> points) {
    double sx = 0.0;
    double sy = 0.0;
    double sz = 0.0;
    for (const auto& p : points) {
        const double lat = p.lat * deg;
        const double lon = p.lon * deg;
        sx += std::cos(lat) * std::cos(lon);
        sy += std::cos(lat) * std::sin(lon);
        sz += std::sin(lat);
    }
    const double norm = std::sqrt(sx * sx + sy * sy + sz * sz);
    if (points.empty() || norm < 1e-9) {
        return EqualAreaProjection(0.0, 0.0);
    }
    const double lat_0 = std::asin(std::clamp(sz / norm, -1.0, 1.0)) / deg;
    const double lon_0 = std::atan2(sy, sx) / deg;
    // Rounded so that the CRS written into outputs reads well and reruns are byte-identical.
    return EqualAreaProjection(std::round(lon_0 * 1e4) / 1e4, std::round(lat_0 * 1e4) / 1e4);
}

EqualAreaProjection EqualAreaProjection::clone() const {
    return EqualAreaProjection(m_lon_0, m_lat_0);
}

XY EqualAreaProjection::forward(LonLat p) const {
    PJ_COORD c = proj_coord(p.lon * deg, p.lat * deg, 0, 0);
    c = proj_trans(m_impl->pj, PJ_FWD, c);
    return {c.xy.x, c.xy.y};
}

LonLat EqualAreaProjection::inverse(XY p) const {
    PJ_COORD c = proj_coord(p.x, p.y, 0, 0);
    c = proj_trans(m_impl->pj, PJ_INV, c);
    return {c.lp.lam / deg, c.lp.phi / deg};
}

void EqualAreaProjection::forward(std::span<double> x, std::span<double> y) const {
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] *= deg;
        y[i] *= deg;
    }
    proj_trans_generic(m_impl->pj, PJ_FWD, x.data(), sizeof(double), x.size(), y.data(),
                       sizeof(double), y.size(), nullptr, 0, 0, nullptr, 0, 0);
}

void EqualAreaProjection::inverse(std::span<double> x, std::span<double> y) const {
    proj_trans_generic(m_impl->pj, PJ_INV, x.data(), sizeof(double), x.size(), y.data(),
                       sizeof(double), y.size(), nullptr, 0, 0, nullptr, 0, 0);
    for (std::size_t i = 0; i < x.size(); ++i) {
        x[i] /= deg;
        y[i] /= deg;
    }
}

std::string EqualAreaProjection::proj_string() const {
    std::ostringstream def;
    def.precision(12);
    def << "+proj=laea +lat_0=" << m_lat_0 << " +lon_0=" << m_lon_0
        << " +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs +type=crs";
    return def.str();
}

} // namespace maillage::geo
