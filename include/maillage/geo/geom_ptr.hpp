#pragma once

// Owning pointers to GEOS geometries, without the GEOS header: the GEOS C types are declared
// here as geos_c.h declares them, so that a plain data type holding a geometry (model::Zone)
// does not pull in the GEOS API. Use geo/geos.hpp to work with the geometries.

#include <memory>

// As in geos_c.h (an identical typedef may be repeated).
typedef struct GEOSContextHandle_HS* GEOSContextHandle_t; // NOLINT(modernize-use-using)
typedef struct GEOSGeom_t GEOSGeometry;                   // NOLINT(modernize-use-using)
typedef struct GEOSPrepGeom_t GEOSPreparedGeometry;       // NOLINT(modernize-use-using)

namespace maillage::geo {

class GeosContext; // geo/geos.hpp

/// Destroys a GEOS geometry in the context it carries.
struct GeomDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(GEOSGeometry* g) const;
};
/// An owned GEOS geometry.
using GeomPtr = std::unique_ptr<GEOSGeometry, GeomDeleter>;

/// Destroys a GEOS prepared geometry in the context it carries.
struct PreparedDeleter {
    GEOSContextHandle_t ctx = nullptr;
    void operator()(const GEOSPreparedGeometry* g) const;
};
/// An owned GEOS prepared geometry.
using PreparedPtr = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

} // namespace maillage::geo
