#include "maillage/geo/geos.hpp"

#include "maillage/error.hpp"

#include <cstdarg>
#include <cstdio>

namespace maillage::geo {
namespace {

void on_message(const char* message, void* userdata) {
    *static_cast<std::string*>(userdata) = message;
}

} // namespace

GeosContext::GeosContext() : m_handle(GEOS_init_r()) {
    if (m_handle == nullptr) {
        throw runtime_failure("GEOS: cannot create a context");
    }
    GEOSContext_setErrorMessageHandler_r(m_handle, &on_message, &m_last_error);
}

GeosContext::~GeosContext() { GEOS_finish_r(m_handle); }

GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what) {
    if (g == nullptr) {
        throw runtime_failure(std::string("GEOS ") + what + " failed: " + ctx.last_error());
    }
    return GeomPtr(g, GeomDeleter{ctx.get()});
}

GeomPtr from_wkb(const GeosContext& ctx, const unsigned char* wkb, std::size_t size) {
    GEOSWKBReader* reader = GEOSWKBReader_create_r(ctx.get());
    GEOSGeometry* g = GEOSWKBReader_read_r(ctx.get(), reader, wkb, size);
    GEOSWKBReader_destroy_r(ctx.get(), reader);
    return own(ctx, g, "WKB read");
}

std::vector<unsigned char> to_wkb(const GeosContext& ctx, const GEOSGeometry* g) {
    GEOSWKBWriter* writer = GEOSWKBWriter_create_r(ctx.get());
    std::size_t size = 0;
    unsigned char* buf = GEOSWKBWriter_write_r(ctx.get(), writer, g, &size);
    GEOSWKBWriter_destroy_r(ctx.get(), writer);
    if (buf == nullptr) {
        throw runtime_failure("GEOS WKB write failed: " + ctx.last_error());
    }
    std::vector<unsigned char> out(buf, buf + size);
    GEOSFree_r(ctx.get(), buf);
    return out;
}

GeomPtr polygonal_part(const GeosContext& ctx, GeomPtr g) {
    const int type = GEOSGeomTypeId_r(ctx.get(), g.get());
    if (type == GEOS_POLYGON || type == GEOS_MULTIPOLYGON) {
        return g;
    }
    std::vector<GEOSGeometry*> parts;
    if (type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(ctx.get(), g.get());
        for (int i = 0; i < n; ++i) {
            const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.get(), g.get(), i);
            const int pt = GEOSGeomTypeId_r(ctx.get(), part);
            if (pt == GEOS_POLYGON) {
                parts.push_back(GEOSGeom_clone_r(ctx.get(), part));
            } else if (pt == GEOS_MULTIPOLYGON) {
                const int m = GEOSGetNumGeometries_r(ctx.get(), part);
                for (int j = 0; j < m; ++j) {
                    parts.push_back(
                        GEOSGeom_clone_r(ctx.get(), GEOSGetGeometryN_r(ctx.get(), part, j)));
                }
            }
        }
    }
    if (parts.size() == 1) {
        return own(ctx, parts[0], "polygonal part");
    }
    return own(ctx,
               GEOSGeom_createCollection_r(ctx.get(), GEOS_MULTIPOLYGON, parts.data(),
                                           static_cast<unsigned>(parts.size())),
               "polygonal part");
}

double area(const GeosContext& ctx, const GEOSGeometry* g) {
    double a = 0.0;
    if (GEOSArea_r(ctx.get(), g, &a) == 0) {
        throw runtime_failure("GEOS area failed: " + ctx.last_error());
    }
    return a;
}

} // namespace maillage::geo
