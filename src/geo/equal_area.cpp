#include "maillage/geo/equal_area.hpp"

#include "maillage/core/error.hpp"

#include <proj.h>

#include <algorithm>
#include <cmath>
#include <numbers>
#include <sstream>

namespace maillage::geo {

struct EqualAreaProjection::Impl {
    PJ_CONTEXT* ctx = nullptr;
    PJ* pj = nullptr;
    // Constants of the closed-form inverse (Snyder 1987, eqs. 24-26..24-30 and 3-16).
    double e = 0.0;      // first eccentricity
    double qp = 0.0;     // q at the pole
    double rq = 0.0;     // radius of the authalic sphere
    double d = 1.0;      // Snyder's D (oblique aspects)
    double sin_b1 = 0.0; // authalic latitude of the centre
    double cos_b1 = 1.0;
    int polar = 0; // +1 north polar aspect, -1 south, 0 oblique or equatorial
    double sin_lon0 = 0.0;
    double cos_lon0 = 1.0;
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
constexpr double wgs84_a = 6378137.0;
constexpr double wgs84_f = 1.0 / 298.257223563;
constexpr double wgs84_e2 = wgs84_f * (2.0 - wgs84_f);

/// Snyder's q(phi) (eq. 3-12) from sin(phi).
double q_of(double sin_phi, double e) {
    const double es = e * sin_phi;
    return (1.0 - e * e) * (sin_phi / (1.0 - es * es) + std::atanh(es) / e);
}
} // namespace

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
    auto& k = *m_impl;
    k.e = std::sqrt(wgs84_e2);
    k.qp = q_of(1.0, k.e);
    k.rq = wgs84_a * std::sqrt(k.qp / 2.0);
    k.sin_lon0 = std::sin(lon_0 * deg);
    k.cos_lon0 = std::cos(lon_0 * deg);
    if (lat_0 >= 90.0 - 1e-10) {
        k.polar = 1;
    } else if (lat_0 <= -90.0 + 1e-10) {
        k.polar = -1;
    } else {
        const double sin_phi1 = std::sin(lat_0 * deg);
        const double cos_phi1 = std::cos(lat_0 * deg);
        k.sin_b1 = q_of(sin_phi1, k.e) / k.qp;
        k.cos_b1 = std::sqrt(std::max(0.0, 1.0 - k.sin_b1 * k.sin_b1));
        const double m1 = cos_phi1 / std::sqrt(1.0 - wgs84_e2 * sin_phi1 * sin_phi1);
        k.d = wgs84_a * m1 / (k.rq * k.cos_b1);
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
    LonLat ll;
    inverse_core(p, &ll, nullptr);
    return ll;
}

Ecef EqualAreaProjection::inverse_ecef(XY p) const {
    Ecef e;
    inverse_core(p, nullptr, &e);
    return e;
}

void EqualAreaProjection::inverse_core(XY p, LonLat* ll, Ecef* ecef) const {
    // Snyder (1987) eqs. 24-26..24-30 give the authalic latitude beta and the longitude in
    // closed form, written here with half-angle identities (no asin, sin or cos). The geodetic
    // latitude then solves q(phi) = q: the three-term series (eq. 3-18) comes within 1e-9 rad,
    // and one Newton step (eq. 3-16) takes it to rounding level. PROJ 9.1 stops at the series,
    // up to 1.6 mm off (OSGeo/PROJ#4440). The ECEF coordinates come out of the same sines and
    // cosines, which the nearest-site query needs anyway.
    const auto& k = *m_impl;
    constexpr double e2 = wgs84_e2;
    double sin_beta = 0.0;
    double ys = 0.0; // sin and cos of the longitude from lon_0, up to a common positive factor
    double xs = 1.0;
    if (k.polar != 0) {
        const double rho2 = p.x * p.x + p.y * p.y;
        sin_beta = k.polar * (1.0 - rho2 / (wgs84_a * wgs84_a * k.qp));
        ys = p.x;
        xs = -k.polar * p.y;
    } else {
        const double xd = p.x / k.d;
        const double yd = p.y * k.d;
        const double rho = std::sqrt(xd * xd + yd * yd);
        // t = sin(ce / 2), ce the angular distance on the authalic sphere.
        const double t = std::min(1.0, rho / (2.0 * k.rq));
        const double cos_half = std::sqrt(std::max(0.0, 1.0 - t * t));
        const double cos_ce = 1.0 - 2.0 * t * t;
        const double sin_ce_over_rho = cos_half / k.rq; // sin(ce) / rho, finite at rho = 0
        sin_beta = cos_ce * k.sin_b1 + yd * sin_ce_over_rho * k.cos_b1;
        ys = p.x * sin_ce_over_rho;
        xs = k.d * (k.cos_b1 * cos_ce - yd * k.sin_b1 * sin_ce_over_rho);
    }
    sin_beta = std::clamp(sin_beta, -1.0, 1.0);
    const double hl = std::sqrt(xs * xs + ys * ys);
    const double sin_dl = hl > 0.0 ? ys / hl : 0.0;
    const double cos_dl = hl > 0.0 ? xs / hl : 1.0;
    const double cos_beta = std::sqrt(std::max(0.0, 1.0 - sin_beta * sin_beta));

    // Series: phi0 = beta + delta, delta a few thousandths of a radian, so its sine and cosine
    // come from short Taylor polynomials (terms beyond those used are below 1e-17).
    const double s2 = 2.0 * sin_beta * cos_beta;       // sin(2 beta)
    const double c2 = 1.0 - 2.0 * sin_beta * sin_beta; // cos(2 beta)
    const double s4 = 2.0 * s2 * c2;
    const double c4 = 1.0 - 2.0 * s2 * s2;
    const double s6 = s4 * c2 + c4 * s2;
    constexpr double e4 = e2 * e2;
    constexpr double e6 = e4 * e2;
    const double delta = (e2 / 3.0 + 31.0 * e4 / 180.0 + 517.0 * e6 / 5040.0) * s2 +
                         (23.0 * e4 / 360.0 + 251.0 * e6 / 3780.0) * s4 +
                         (761.0 * e6 / 45360.0) * s6;
    const double d2 = delta * delta;
    const double sin_d = delta * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0));
    const double cos_d = 1.0 - d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0));
    double sin_phi = sin_beta * cos_d + cos_beta * sin_d;
    double cos_phi = cos_beta * cos_d - sin_beta * sin_d;
    double dphi = 0.0;
    if (cos_phi > 1e-9) {
        // Newton on q(phi) - q, dq/dphi = 2 (1 - e2) cos(phi) / (1 - e2 sin^2(phi))^2.
        // atanh(e sin(phi)) by its series: |e sin(phi)| < 0.082, eight terms reach 1e-18.
        const double z = k.e * sin_phi;
        const double z2 = z * z;
        const double atanh_z =
            z *
            (1.0 + z2 * (1.0 / 3 +
                         z2 * (1.0 / 5 +
                               z2 * (1.0 / 7 +
                                     z2 * (1.0 / 9 +
                                           z2 * (1.0 / 11 +
                                                 z2 * (1.0 / 13 + z2 * (1.0 / 15 + z2 / 17))))))));
        const double w = 1.0 - z2;
        const double q_phi = (1.0 - e2) * (sin_phi / w + atanh_z / k.e);
        dphi = (sin_beta * k.qp - q_phi) * w * w / (2.0 * (1.0 - e2) * cos_phi);
        const double s = sin_phi;
        sin_phi += cos_phi * dphi;
        cos_phi -= s * dphi;
    }
    if (ll != nullptr) {
        const double beta = std::atan2(sin_beta, cos_beta);
        ll->lat = (beta + delta + dphi) / deg;
        ll->lon = normalize_lon(m_lon_0 + std::atan2(sin_dl, cos_dl) / deg);
    }
    if (ecef == nullptr) {
        return;
    }

    const double cos_l = k.cos_lon0 * cos_dl - k.sin_lon0 * sin_dl;
    const double sin_l = k.sin_lon0 * cos_dl + k.cos_lon0 * sin_dl;
    const double n = wgs84_a / std::sqrt(1.0 - e2 * sin_phi * sin_phi);
    *ecef = {n * cos_phi * cos_l, n * cos_phi * sin_l, n * (1.0 - e2) * sin_phi};
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
    for (std::size_t i = 0; i < x.size(); ++i) {
        const LonLat p = inverse(XY{x[i], y[i]});
        x[i] = p.lon;
        y[i] = p.lat;
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
