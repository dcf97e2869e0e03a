#pragma once

// Ellipsoidal (WGS84) geodesy through PROJ's geodesic API (Karney's algorithm, the one
// GeographicLib uses). Everything here is in degrees and metres.

namespace maillage::geo {

struct LonLat {
    double lon = 0.0;
    double lat = 0.0;
};

/// Earth-centred, Earth-fixed Cartesian coordinates on the WGS84 ellipsoid (h = 0), metres.
struct Ecef {
    double x = 0.0;
    double y = 0.0;
    double z = 0.0;
};

/// WGS84 geodesic distance in metres (accurate to a few nanometres, any pair of points).
double geodesic_distance_m(LonLat a, LonLat b);

/// Point reached from `from` after `distance_m` along the geodesic of initial azimuth
/// `azimuth_deg` (clockwise from north). Longitude is normalised to [-180, 180].
LonLat geodesic_destination(LonLat from, double azimuth_deg, double distance_m);

/// ECEF coordinates of a point on the ellipsoid surface. The straight-line (chord) distance
/// between two such points never exceeds their geodesic distance, which is what makes a
/// k-d tree over ECEF points an exact filter for geodesic nearest-neighbour queries.
Ecef to_ecef(LonLat p);

/// Geodesic distance of two points given with their ECEF coordinates, for hot loops. Up to a
/// chord of `short_chord_m` it evaluates the series s = c + c^3 k^2 / 24 + 3 c^5 k^4 / 640 in the
/// chord c, with k the normal-section curvature of the ellipsoid (Euler's formula at the
/// midpoint, in the chord's azimuth); the neglected terms (curvature change along the line,
/// geodesic vs normal section, c^7) stay below 0.1 mm there. Longer lines go to
/// geodesic_distance_m (PROJ). Tested against GeographicLib figures.
double geodesic_distance_m(LonLat a, const Ecef& ea, LonLat b, const Ecef& eb);

/// Same, for a first point known only by its ECEF coordinates (on the ellipsoid): its longitude
/// and latitude are derived (see to_lonlat) only for lines too long for the series.
double geodesic_distance_m(const Ecef& ea, LonLat b, const Ecef& eb);

/// Longitude and latitude of a point on the ellipsoid surface (h = 0) from its ECEF
/// coordinates: closed form, since tan(lat) = z / ((1 - e^2) p) there.
LonLat to_lonlat(const Ecef& e);

/// Chord length up to which the series above is used.
inline constexpr double short_chord_m = 100000.0;

/// True when lon is in [-360, 360] and lat in [-90, 90] and both are finite.
bool is_valid_lonlat(LonLat p);

/// Normalises a longitude to [-180, 180).
double normalize_lon(double lon);

} // namespace maillage::geo
