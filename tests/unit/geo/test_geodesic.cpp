// Geodesy against independent references: GeographicLib distances (pyproj) from the shipped
// reference file, PROJ's own ECEF conversion, and hand-known WGS84 constants.

#include "maillage/geo/geodesic.hpp"

#include <gtest/gtest.h>
#include <proj.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using maillage::geo::LonLat;

constexpr double a_wgs84 = 6378137.0;
constexpr double b_wgs84 = 6356752.314245; // semi-minor axis, published value (mm precision)
constexpr double quarter_meridian = 10001965.7293; // published WGS84 quarter meridian, metres

struct RefPair {
    std::string kind;
    LonLat a;
    LonLat b;
    double distance_m = 0.0;
};

const std::string& geodesics_path() {
    static const std::string path = std::string(MAILLAGE_TEST_DATA) + "/reference/geodesics.csv";
    return path;
}

std::vector<RefPair> read_reference() {
    std::vector<RefPair> out;
    std::ifstream in(geodesics_path());
    if (!in) {
        return out;
    }
    std::string line;
    std::getline(in, line); // header
    while (std::getline(in, line)) {
        if (line.empty()) {
            continue;
        }
        std::stringstream ss(line);
        std::string kind;
        std::string f[5];
        std::getline(ss, kind, ',');
        for (auto& s : f) {
            std::getline(ss, s, ',');
        }
        out.push_back({kind,
                       {std::stod(f[0]), std::stod(f[1])},
                       {std::stod(f[2]), std::stod(f[3])},
                       std::stod(f[4])});
    }
    return out;
}

const std::vector<RefPair>& reference() {
    static const std::vector<RefPair> pairs = read_reference();
    return pairs;
}

double chord(const maillage::geo::Ecef& p, const maillage::geo::Ecef& q) {
    return std::hypot(p.x - q.x, p.y - q.y, p.z - q.z);
}

} // namespace

TEST(Geodesic, ReferenceFileIsPresent) {
    std::ifstream in(geodesics_path());
    ASSERT_TRUE(in.good()) << "missing reference file " << geodesics_path()
                           << " (tests/data/reference/geodesics.csv is part of the repository: "
                              "restore it with git checkout)";
    // 750 pairs in five kinds, as its README describes.
    ASSERT_EQ(reference().size(), 750U) << "unexpected row count in " << geodesics_path();
    std::map<std::string, int> kinds;
    for (const auto& p : reference()) {
        ++kinds[p.kind];
    }
    EXPECT_EQ(kinds["region"], 400);
    EXPECT_EQ(kinds["antimeridian"], 100);
    EXPECT_EQ(kinds["polar"], 100);
    EXPECT_EQ(kinds["long"], 100);
    EXPECT_EQ(kinds["near-antipodal"], 50);
}

TEST(Geodesic, DistanceMatchesGeographicLibReference) {
    const auto& pairs = reference();
    ASSERT_EQ(pairs.size(), 750U) << "cannot read " << geodesics_path();
    std::map<std::string, double> max_err;
    for (const auto& p : pairs) {
        const double tol = p.kind == "near-antipodal" ? 1e-2 : 1e-3;
        const double d = maillage::geo::geodesic_distance_m(p.a, p.b);
        const double err = std::abs(d - p.distance_m);
        max_err[p.kind] = std::max(max_err[p.kind], err);
        EXPECT_LT(err, tol) << p.kind << " (" << p.a.lon << ", " << p.a.lat << ") -> (" << p.b.lon
                            << ", " << p.b.lat << "): got " << d << ", reference " << p.distance_m;
        // Symmetric.
        const double back = maillage::geo::geodesic_distance_m(p.b, p.a);
        EXPECT_LT(std::abs(back - p.distance_m), tol) << p.kind << " reversed";
    }
    for (const auto& [kind, err] : max_err) {
        std::printf("  max |error| %-15s %.3e m\n", kind.c_str(), err);
        RecordProperty("max_error_m_" + kind, std::to_string(err));
    }
}

TEST(Geodesic, HandKnownDistances) {
    using maillage::geo::geodesic_distance_m;
    // Equator: a geodesic (for arcs shorter than (1-f) pi a), length a * dlon.
    EXPECT_NEAR(geodesic_distance_m({0, 0}, {1, 0}), a_wgs84 * std::numbers::pi / 180.0, 1e-6);
    EXPECT_NEAR(geodesic_distance_m({-10, 0}, {30, 0}), a_wgs84 * 40.0 * std::numbers::pi / 180.0,
                1e-6);
    // Equator to pole along a meridian: the quarter meridian.
    EXPECT_NEAR(geodesic_distance_m({0, 0}, {0, 90}), quarter_meridian, 1e-3);
    EXPECT_NEAR(geodesic_distance_m({123, 0}, {-45, -90}), quarter_meridian, 1e-3);
    // Pole to pole.
    EXPECT_NEAR(geodesic_distance_m({0, -90}, {0, 90}), 2 * quarter_meridian, 2e-3);
    // Same point; same point written with longitudes 360 degrees apart.
    EXPECT_EQ(geodesic_distance_m({5, 45}, {5, 45}), 0.0);
    EXPECT_NEAR(geodesic_distance_m({-180, 10}, {180, 10}), 0.0, 1e-9);
    EXPECT_NEAR(geodesic_distance_m({5, 45}, {365, 45}), 0.0, 1e-9);
}

TEST(Geodesic, DestinationThenDistanceRoundTrip) {
    std::mt19937_64 rng(20240501);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    std::uniform_real_distribution<double> az(-180.0, 360.0);
    std::uniform_real_distribution<double> log_dist(0.0, 7.0); // 1 m .. 10,000 km
    double worst = 0.0;
    for (int i = 0; i < 3000; ++i) {
        const LonLat from{lon(rng), std::asin(u(rng)) * 180.0 / std::numbers::pi};
        const double d = std::pow(10.0, log_dist(rng));
        const double azimuth = az(rng);
        const LonLat to = maillage::geo::geodesic_destination(from, azimuth, d);
        ASSERT_TRUE(std::isfinite(to.lon) && std::isfinite(to.lat));
        EXPECT_GE(to.lon, -180.0);
        EXPECT_LE(to.lon, 180.0);
        EXPECT_GE(to.lat, -90.0);
        EXPECT_LE(to.lat, 90.0);
        const double back = maillage::geo::geodesic_distance_m(from, to);
        worst = std::max(worst, std::abs(back - d));
        EXPECT_NEAR(back, d, 1e-6)
            << "from (" << from.lon << ", " << from.lat << ") az " << azimuth << " d " << d;
    }
    std::printf("  max round-trip error %.3e m\n", worst);
}

TEST(Geodesic, DestinationHandKnownCases) {
    using maillage::geo::geodesic_destination;
    // East along the equator: longitude advances by d / a radians.
    const auto e = geodesic_destination({10, 0}, 90.0, 100000.0);
    EXPECT_NEAR(e.lat, 0.0, 1e-12);
    EXPECT_NEAR(e.lon, 10.0 + 100000.0 / a_wgs84 * 180.0 / std::numbers::pi, 1e-11);
    // North along a meridian by a quarter meridian: the pole.
    const auto n = geodesic_destination({3, 0}, 0.0, quarter_meridian);
    EXPECT_NEAR(n.lat, 90.0, 1e-8);
    // Across the antimeridian: normalised longitude.
    const auto w = geodesic_destination({179.9, 0}, 90.0, 100000.0);
    EXPECT_NEAR(w.lon, 179.9 + 100000.0 / a_wgs84 * 180.0 / std::numbers::pi - 360.0, 1e-11);
    EXPECT_NEAR(w.lat, 0.0, 1e-12);
    const auto w2 = geodesic_destination({-179.95, 0}, 270.0, 20000.0);
    EXPECT_NEAR(w2.lon, -179.95 - 20000.0 / a_wgs84 * 180.0 / std::numbers::pi + 360.0, 1e-11);
    // Zero distance: the same point.
    const auto z = geodesic_destination({5.5, 45.25}, 37.0, 0.0);
    EXPECT_NEAR(z.lon, 5.5, 1e-12);
    EXPECT_NEAR(z.lat, 45.25, 1e-12);
}

TEST(Geodesic, EcefHandKnownValues) {
    using maillage::geo::to_ecef;
    const auto o = to_ecef({0, 0});
    EXPECT_NEAR(o.x, a_wgs84, 1e-6);
    EXPECT_NEAR(o.y, 0.0, 1e-6);
    EXPECT_NEAR(o.z, 0.0, 1e-6);
    const auto e = to_ecef({90, 0});
    EXPECT_NEAR(e.x, 0.0, 1e-6);
    EXPECT_NEAR(e.y, a_wgs84, 1e-6);
    EXPECT_NEAR(e.z, 0.0, 1e-6);
    const auto w = to_ecef({180, 0});
    EXPECT_NEAR(w.x, -a_wgs84, 1e-6);
    EXPECT_NEAR(w.y, 0.0, 1e-6);
    const auto np = to_ecef({0, 90});
    EXPECT_NEAR(np.x, 0.0, 1e-6);
    EXPECT_NEAR(np.y, 0.0, 1e-6);
    EXPECT_NEAR(np.z, b_wgs84, 1e-6);
    const auto sp = to_ecef({77, -90});
    EXPECT_NEAR(std::hypot(sp.x, sp.y), 0.0, 1e-6);
    EXPECT_NEAR(sp.z, -b_wgs84, 1e-6);
}

TEST(Geodesic, EcefMatchesProjCartesianConversion) {
    // PROJ's geodetic-to-cartesian conversion is an independent implementation of the same
    // formula (h = 0).
    PJ_CONTEXT* ctx = proj_context_create();
    PJ* cart = proj_create(ctx, "+proj=cart +ellps=WGS84");
    ASSERT_NE(cart, nullptr);
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> lon(-180.0, 180.0);
    std::uniform_real_distribution<double> lat(-90.0, 90.0);
    for (int i = 0; i < 2000; ++i) {
        const LonLat p{lon(rng), lat(rng)};
        PJ_COORD c = proj_coord(proj_torad(p.lon), proj_torad(p.lat), 0.0, 0.0);
        c = proj_trans(cart, PJ_FWD, c);
        const auto e = maillage::geo::to_ecef(p);
        EXPECT_NEAR(e.x, c.xyz.x, 1e-6) << p.lon << ", " << p.lat;
        EXPECT_NEAR(e.y, c.xyz.y, 1e-6) << p.lon << ", " << p.lat;
        EXPECT_NEAR(e.z, c.xyz.z, 1e-6) << p.lon << ", " << p.lat;
    }
    proj_destroy(cart);
    proj_context_destroy(ctx);
}

TEST(Geodesic, ChordNeverExceedsGeodesicOnReferencePairs) {
    const auto& pairs = reference();
    ASSERT_EQ(pairs.size(), 750U) << "cannot read " << geodesics_path();
    // ECEF coordinates (~6.4e6 m) carry ~1e-10 m of rounding; the index allows 1e-6 m.
    constexpr double rounding = 1e-8;
    // The file gives distances to 4 decimals: +-0.05 mm.
    constexpr double file_rounding = 5.0001e-5;
    for (const auto& p : pairs) {
        const double c = chord(maillage::geo::to_ecef(p.a), maillage::geo::to_ecef(p.b));
        const double g = maillage::geo::geodesic_distance_m(p.a, p.b);
        EXPECT_LE(c, g + rounding) << p.kind << " (" << p.a.lon << ", " << p.a.lat << ") -> ("
                                   << p.b.lon << ", " << p.b.lat << ")";
        EXPECT_LE(c, p.distance_m + file_rounding) << p.kind << " vs reference";
        // And the chord is not a useless bound: for short pairs it is nearly the geodesic
        // (the difference is ~ s^3 / (24 R^2)).
        if (p.distance_m < 60000.0) {
            EXPECT_GT(c, p.distance_m * (1.0 - 1e-5));
        }
    }
}

TEST(Geodesic, EcefOverloadMatchesGeographicLibReference) {
    // The hot-loop overload (a series in the chord up to short_chord_m, PROJ beyond).
    const auto& pairs = reference();
    ASSERT_EQ(pairs.size(), 750U) << "cannot read " << geodesics_path();
    std::map<std::string, double> max_err;
    int short_pairs = 0;
    for (const auto& p : pairs) {
        const auto ea = maillage::geo::to_ecef(p.a);
        const auto eb = maillage::geo::to_ecef(p.b);
        short_pairs += chord(ea, eb) <= maillage::geo::short_chord_m ? 1 : 0;
        const double tol = p.kind == "near-antipodal" ? 1e-2 : 1e-3;
        const double d = maillage::geo::geodesic_distance_m(p.a, ea, p.b, eb);
        const double err = std::abs(d - p.distance_m);
        max_err[p.kind] = std::max(max_err[p.kind], err);
        EXPECT_LT(err, tol) << p.kind << " (" << p.a.lon << ", " << p.a.lat << ") -> (" << p.b.lon
                            << ", " << p.b.lat << "): got " << d << ", reference " << p.distance_m;
        // Never below the chord: the index's filter depends on it.
        EXPECT_GE(d, chord(ea, eb) - 1e-8) << p.kind;
    }
    EXPECT_GT(short_pairs, 300); // the series itself was exercised, not only PROJ
    for (const auto& [kind, err] : max_err) {
        std::printf("  ECEF overload: max |error| %-15s %.3e m\n", kind.c_str(), err);
    }
}

TEST(Geodesic, EcefOverloadWithinATenthOfAMillimetreOfProj) {
    // The header promises < 0.1 mm below short_chord_m; checked against PROJ's geodesic (itself
    // checked against GeographicLib above) on random lines up to just beyond the cutoff,
    // anywhere on Earth, a quarter of them at the poles.
    std::mt19937_64 rng(77);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    double worst = 0.0;
    for (int i = 0; i < 100000; ++i) {
        LonLat a{360.0 * u(rng) - 180.0, std::asin(2.0 * u(rng) - 1.0) * 180.0 / std::numbers::pi};
        if (i % 4 == 0) {
            a.lat = (i % 8 == 0 ? 1.0 : -1.0) * (80.0 + 10.0 * u(rng));
        }
        const double d = i % 2 == 0 ? std::pow(10.0, 5.1 * u(rng)) : 120000.0 * u(rng);
        const LonLat b = maillage::geo::geodesic_destination(a, 360.0 * u(rng), d);
        const auto ea = maillage::geo::to_ecef(a);
        const auto eb = maillage::geo::to_ecef(b);
        const double fast = maillage::geo::geodesic_distance_m(a, ea, b, eb);
        const double exact = maillage::geo::geodesic_distance_m(a, b);
        worst = std::max(worst, std::abs(fast - exact));
        ASSERT_LT(std::abs(fast - exact), 1e-4) << "(" << a.lon << ", " << a.lat << ") -> ("
                                                << b.lon << ", " << b.lat << "), " << exact << " m";
        ASSERT_GE(fast, chord(ea, eb) - 1e-8);
        // Symmetric.
        ASSERT_NEAR(maillage::geo::geodesic_distance_m(b, eb, a, ea), fast, 1e-9);
    }
    std::printf("  ECEF overload vs PROJ up to 120 km: max |difference| %.3e m\n", worst);
    // Same point: zero.
    const LonLat p{5.0, 45.0};
    const auto e = maillage::geo::to_ecef(p);
    EXPECT_EQ(maillage::geo::geodesic_distance_m(p, e, p, e), 0.0);
    // Hand-known: 1 degree along the equator is a * pi / 180.
    const LonLat q0{0.0, 0.0};
    const LonLat q1{1.0, 0.0};
    EXPECT_NEAR(maillage::geo::geodesic_distance_m(q0, maillage::geo::to_ecef(q0), q1,
                                                   maillage::geo::to_ecef(q1)),
                a_wgs84 * std::numbers::pi / 180.0, 1e-4);
    // The pole to 1 degree away along a meridian (the series at p ~ 0).
    const LonLat n0{0.0, 90.0};
    const LonLat n1{30.0, 89.5};
    EXPECT_NEAR(maillage::geo::geodesic_distance_m(n0, maillage::geo::to_ecef(n0), n1,
                                                   maillage::geo::to_ecef(n1)),
                maillage::geo::geodesic_distance_m(n0, n1), 1e-4);
}

TEST(Geodesic, NormalizeLon) {
    using maillage::geo::normalize_lon;
    EXPECT_EQ(normalize_lon(0.0), 0.0);
    EXPECT_EQ(normalize_lon(5.25), 5.25);
    EXPECT_EQ(normalize_lon(-179.5), -179.5);
    EXPECT_EQ(normalize_lon(179.5), 179.5);
    EXPECT_EQ(normalize_lon(180.0), -180.0); // half-open [-180, 180)
    EXPECT_EQ(normalize_lon(-180.0), -180.0);
    EXPECT_EQ(normalize_lon(181.0), -179.0);
    EXPECT_EQ(normalize_lon(-181.0), 179.0);
    EXPECT_EQ(normalize_lon(360.0), 0.0);
    EXPECT_EQ(normalize_lon(-360.0), 0.0);
    EXPECT_EQ(normalize_lon(540.0), -180.0);
    EXPECT_EQ(normalize_lon(725.5), 5.5);
    EXPECT_EQ(normalize_lon(-725.5), -5.5);
    EXPECT_DOUBLE_EQ(normalize_lon(359.75), -0.25);
    // Property: result in [-180, 180) and equal to the input modulo 360.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> any(-1000.0, 1000.0);
    for (int i = 0; i < 10000; ++i) {
        const double lon = any(rng);
        const double r = normalize_lon(lon);
        EXPECT_GE(r, -180.0) << lon;
        EXPECT_LT(r, 180.0) << lon;
        const double turns = (lon - r) / 360.0;
        EXPECT_NEAR(turns, std::round(turns), 1e-12) << lon;
    }
}

TEST(Geodesic, NormalizeLonJustBelowMinus180) {
    // The largest double below -180 must map just below +180, never to +180 itself, which the
    // half-open range [-180, 180) excludes.
    using maillage::geo::normalize_lon;
    for (double lon :
         {std::nextafter(-180.0, -1000.0), -180.0 - 1e-13, std::nextafter(-540.0, -1000.0)}) {
        const double r = normalize_lon(lon);
        EXPECT_GE(r, -180.0) << std::hexfloat << lon;
        EXPECT_LT(r, 180.0) << std::hexfloat << lon << " -> " << r;
    }
}

TEST(Geodesic, IsValidLonLat) {
    using maillage::geo::is_valid_lonlat;
    EXPECT_TRUE(is_valid_lonlat({0, 0}));
    EXPECT_TRUE(is_valid_lonlat({-360, -90}));
    EXPECT_TRUE(is_valid_lonlat({360, 90}));
    EXPECT_FALSE(is_valid_lonlat({0, 90.0001}));
    EXPECT_FALSE(is_valid_lonlat({0, -90.0001}));
    EXPECT_FALSE(is_valid_lonlat({360.5, 0}));
    EXPECT_FALSE(is_valid_lonlat({std::nan(""), 0}));
    EXPECT_FALSE(is_valid_lonlat({0, std::nan("")}));
    EXPECT_FALSE(is_valid_lonlat({INFINITY, 0}));
}
