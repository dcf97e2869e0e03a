#include "maillage/geo/geodesic.hpp"

#include <cmath>
#include <numbers>

extern "C" {
#include <geodesic.h>
}

namespace maillage::geo {
namespace {

constexpr double wgs84_a = 6378137.0;
constexpr double wgs84_f = 1.0 / 298.257223563;

const geod_geodesic& wgs84() {
    // geod_init only fills a struct of constants; geod_inverse/geod_direct read it and are
    // re-entrant, so one shared instance serves every thread.
    static const geod_geodesic g = [] {
        geod_geodesic tmp{};
        geod_init(&tmp, wgs84_a, wgs84_f);
        return tmp;
    }();
    return g;
}

} // namespace

double geodesic_distance_m(LonLat a, LonLat b) {
    double s12 = 0.0;
    geod_inverse(&wgs84(), a.lat, a.lon, b.lat, b.lon, &s12, nullptr, nullptr);
    return s12;
}

namespace {

double series_distance_m(const Ecef& ea, const Ecef& eb, double c2);

} // namespace

double geodesic_distance_m(LonLat a, const Ecef& ea, LonLat b, const Ecef& eb) {
    const double dx = eb.x - ea.x;
    const double dy = eb.y - ea.y;
    const double dz = eb.z - ea.z;
    const double c2 = dx * dx + dy * dy + dz * dz;
    if (c2 > short_chord_m * short_chord_m) {
        return geodesic_distance_m(a, b);
    }
    return series_distance_m(ea, eb, c2);
}

double geodesic_distance_m(const Ecef& ea, LonLat b, const Ecef& eb) {
    const double dx = eb.x - ea.x;
    const double dy = eb.y - ea.y;
    const double dz = eb.z - ea.z;
    const double c2 = dx * dx + dy * dy + dz * dz;
    if (c2 > short_chord_m * short_chord_m) {
        return geodesic_distance_m(to_lonlat(ea), b);
    }
    return series_distance_m(ea, eb, c2);
}

LonLat to_lonlat(const Ecef& e) {
    constexpr double e2 = wgs84_f * (2.0 - wgs84_f);
    const double p = std::sqrt(e.x * e.x + e.y * e.y);
    return {std::atan2(e.y, e.x) * 180.0 / std::numbers::pi,
            std::atan2(e.z, (1.0 - e2) * p) * 180.0 / std::numbers::pi};
}

namespace {

double series_distance_m(const Ecef& ea, const Ecef& eb, double c2) {
    const double dx = eb.x - ea.x;
    const double dy = eb.y - ea.y;
    const double dz = eb.z - ea.z;
    if (c2 == 0.0) {
        return 0.0;
    }
    constexpr double e2 = wgs84_f * (2.0 - wgs84_f);
    // Local frame at the chord's midpoint (its geodetic latitude to first order, ample for a
    // curvature that varies as e^2 sin^2(lat)).
    const double mx = 0.5 * (ea.x + eb.x);
    const double my = 0.5 * (ea.y + eb.y);
    const double mz = 0.5 * (ea.z + eb.z);
    const double p = std::sqrt(mx * mx + my * my);
    const double hp = (1.0 - e2) * p;
    const double h = std::sqrt(hp * hp + mz * mz);
    const double sin_lat = mz / h;
    const double cos_lat = hp / h;
    const double w2 = 1.0 - e2 * sin_lat * sin_lat;
    const double n = wgs84_a / std::sqrt(w2);
    const double m = n * (1.0 - e2) / w2;
    double k = 1.0 / n;
    if (p > 1e-3) {
        const double cos_lon = mx / p;
        const double sin_lon = my / p;
        const double d_east = -sin_lon * dx + cos_lon * dy;
        const double d_north = -sin_lat * cos_lon * dx - sin_lat * sin_lon * dy + cos_lat * dz;
        const double h2 = d_east * d_east + d_north * d_north;
        if (h2 > 0.0) {
            k = (d_north * d_north / m + d_east * d_east / n) / h2;
        }
    }
    const double ck2 = c2 * k * k;
    return std::sqrt(c2) * (1.0 + ck2 / 24.0 + 3.0 * ck2 * ck2 / 640.0);
}

} // namespace

LonLat geodesic_destination(LonLat from, double azimuth_deg, double distance_m) {
    double lat2 = 0.0;
    double lon2 = 0.0;
    geod_direct(&wgs84(), from.lat, from.lon, azimuth_deg, distance_m, &lat2, &lon2, nullptr);
    return {normalize_lon(lon2), lat2};
}

Ecef to_ecef(LonLat p) {
    constexpr double e2 = wgs84_f * (2.0 - wgs84_f);
    const double lat = p.lat * std::numbers::pi / 180.0;
    const double lon = p.lon * std::numbers::pi / 180.0;
    const double sin_lat = std::sin(lat);
    const double cos_lat = std::cos(lat);
    const double n = wgs84_a / std::sqrt(1.0 - e2 * sin_lat * sin_lat);
    return {n * cos_lat * std::cos(lon), n * cos_lat * std::sin(lon), n * (1.0 - e2) * sin_lat};
}

bool is_valid_lonlat(LonLat p) {
    return std::isfinite(p.lon) && std::isfinite(p.lat) && p.lat >= -90.0 && p.lat <= 90.0 &&
           p.lon >= -360.0 && p.lon <= 360.0;
}

double normalize_lon(double lon) {
    double r = std::fmod(lon + 180.0, 360.0);
    if (r < 0) {
        r += 360.0;
    }
    r -= 180.0;
    // fmod of a value a hair below -180 is a hair below 0; adding 360 then rounds to 360.
    return r >= 180.0 ? r - 360.0 : r;
}

} // namespace maillage::geo
