#pragma once

// Thin RAII over the GEOS C API (re-entrant `_r` functions), as exactextract and libosmium
// advise: every geometry lives in a unique_ptr whose deleter carries its context.

#include "maillage/geo/geom_ptr.hpp"

#include <geos_c.h>

#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace maillage::geo {

/// One GEOS context handle. Not shared between threads: each thread creates its own.
class GeosContext {
public:
    GeosContext();
    ~GeosContext();
    GeosContext(const GeosContext&) = delete;
    GeosContext& operator=(const GeosContext&) = delete;

    [[nodiscard]] GEOSContextHandle_t get() const { return m_handle; }
    /// Last error GEOS reported in this context (empty if none).
    [[nodiscard]] const std::string& last_error() const { return m_last_error; }

private:
    GEOSContextHandle_t m_handle = nullptr;
    std::string m_last_error;
};

/// Wraps a GEOS result; throws runtime_failure naming `what` when GEOS returned null.
GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what);

/// Makes a collection of GEOS type `type` (GEOS_MULTIPOLYGON, GEOS_GEOMETRYCOLLECTION...) of
/// `parts`, which it takes over; throws runtime_failure naming `what` when GEOS fails.
GeomPtr collect(const GeosContext& ctx, int type, std::vector<GeomPtr> parts, const char* what);

/// A copy of g owned in ctx; throws runtime_failure when GEOS fails.
GeomPtr clone(const GeosContext& ctx, const GEOSGeometry* g);

/// A thread's own GEOS context with its own copy of a geometry shared between threads, and
/// that copy prepared. GEOS caches envelopes and indexes lazily inside geometries: threads
/// must not share one. The copy is taken under `mutex`.
struct LocalCopy {
    GeosContext ctx;
    GeomPtr geometry;
    PreparedPtr prepared;

    LocalCopy(const GEOSGeometry* shared, std::mutex& mutex);
};

GeomPtr from_wkb(const GeosContext& ctx, const unsigned char* wkb, std::size_t size);
std::vector<unsigned char> to_wkb(const GeosContext& ctx, const GEOSGeometry* g);

/// Applies f(x, y) -> (x', y') to every coordinate of a copy of g.
template <typename F> GeomPtr transform_xy(const GeosContext& ctx, const GEOSGeometry* g, F&& f);

/// Polygonal parts of g (drops points and lines a make-valid may leave), as one geometry
/// (Polygon or MultiPolygon), or an empty MultiPolygon.
GeomPtr polygonal_part(const GeosContext& ctx, GeomPtr g);

/// Area of a planar geometry (units squared of its coordinates).
double area(const GeosContext& ctx, const GEOSGeometry* g);

/// Side of the grid the polygon layers are written on: 1e-7 degree (about 1.1 cm), the
/// 7 decimals of the GeoJSON outputs (RFC 7946). The GeoPackage layers use the same grid, so
/// both formats hold the same coordinates.
inline constexpr double output_grid_deg = 1e-7;

/// A polygon put on an output grid by snap_round, and what that took.
struct Snapped {
    GeomPtr geometry; ///< valid Polygon or MultiPolygon on the grid, or empty (collapsed)
    bool rounded_invalid = false; ///< rounding each coordinate alone gave an invalid polygon
    bool repaired = false;  ///< snap-rounding was still invalid: made valid, then snapped again
    bool collapsed = false; ///< nothing polygonal is left (every part thinner than the grid)
    bool invalid = false;   ///< still invalid after the repair (never seen; reported if it is)
};

/// The polygonal geometry g with every coordinate on the grid of side grid_size, valid by
/// OGC rules: each coordinate is rounded to the nearest grid node (GEOS pointwise precision
/// reduction); when that is not valid, g is snap-rounded instead (GEOSGeom_setPrecision, which
/// nodes the rings on the grid and returns a valid polygon); when GEOS still finds it invalid,
/// it is made valid (structure method) and snap-rounded again. Parts thinner than the grid
/// vanish; `collapsed` says that nothing is left.
Snapped snap_round(const GeosContext& ctx, const GEOSGeometry* g, double grid_size);

} // namespace maillage::geo

#include "maillage/geo/geos_impl.hpp"
