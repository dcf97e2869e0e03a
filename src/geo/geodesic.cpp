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
    return r - 180.0;
}

} // namespace maillage::geo
