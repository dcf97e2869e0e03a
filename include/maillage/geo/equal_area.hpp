#pragma once

#include "maillage/geo/geodesic.hpp"

#include <memory>
#include <span>
#include <string>

namespace maillage::geo {

struct XY {
    double x = 0.0;
    double y = 0.0;
};

/// A Lambert azimuthal equal-area projection (WGS84 ellipsoid, metres) centred on the data, used
/// for areas and population grids. It preserves areas everywhere and is continuous across the
/// antimeridian and over the poles, so no projection has to be chosen by the user.
/// The forward projection goes through PROJ: one instance is not thread-safe there, and
/// `clone()` gives each thread its own. The inverse is maillage's own closed form (exact to
/// rounding, tested against PROJ's forward) and is thread-safe.
class EqualAreaProjection {
public:
    /// Centre on (lon_0, lat_0).
    EqualAreaProjection(double lon_0, double lat_0);
    ~EqualAreaProjection();
    EqualAreaProjection(EqualAreaProjection&&) noexcept;
    EqualAreaProjection& operator=(EqualAreaProjection&&) noexcept;
    EqualAreaProjection(const EqualAreaProjection&) = delete;
    EqualAreaProjection& operator=(const EqualAreaProjection&) = delete;

    /// Centred on the mean direction (in 3D) of the points: robust across the antimeridian
    /// and near a pole, where a mean of longitudes is not.
    static EqualAreaProjection centred_on(std::span<const LonLat> points);

    [[nodiscard]] EqualAreaProjection clone() const;

    [[nodiscard]] XY forward(LonLat p) const;
    [[nodiscard]] LonLat inverse(XY p) const;
    /// ECEF coordinates of the point at p (as geo::to_ecef(inverse(p)) to ~1e-9 m), without
    /// the trigonometry a longitude and latitude need: the hot loop of the grid.
    [[nodiscard]] Ecef inverse_ecef(XY p) const;
    /// In place, for arrays: x holds lon (degrees) on input and easting on output, etc.
    void forward(std::span<double> x, std::span<double> y) const;
    void inverse(std::span<double> x, std::span<double> y) const;

    [[nodiscard]] double lon_0() const { return m_lon_0; }
    [[nodiscard]] double lat_0() const { return m_lat_0; }
    /// PROJ string of the projected CRS, for writing rasters and layers.
    [[nodiscard]] std::string proj_string() const;

private:
    void inverse_core(XY p, LonLat* ll, Ecef* ecef) const;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    double m_lon_0 = 0.0;
    double m_lat_0 = 0.0;
};

} // namespace maillage::geo
