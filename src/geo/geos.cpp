#include "maillage/geo/geos.hpp"

#include "maillage/core/error.hpp"

#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <mutex>

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

void GeomDeleter::operator()(GEOSGeometry* g) const {
    if (g != nullptr) {
        GEOSGeom_destroy_r(ctx, g);
    }
}

void PreparedDeleter::operator()(const GEOSPreparedGeometry* g) const {
    if (g != nullptr) {
        GEOSPreparedGeom_destroy_r(ctx, g);
    }
}

GeomPtr own(const GeosContext& ctx, GEOSGeometry* g, const char* what) {
    if (g == nullptr) {
        throw runtime_failure(std::string("GEOS ") + what + " failed: " + ctx.last_error());
    }
    return GeomPtr(g, GeomDeleter{ctx.get()});
}

GeomPtr collect(const GeosContext& ctx, int type, std::vector<GeomPtr> parts, const char* what) {
    std::vector<GEOSGeometry*> raw;
    raw.reserve(parts.size());
    for (auto& p : parts) {
        raw.push_back(p.release());
    }
    // GEOS takes the parts over, also when it fails.
    return own(
        ctx,
        GEOSGeom_createCollection_r(ctx.get(), type, raw.data(), static_cast<unsigned>(raw.size())),
        what);
}

GeomPtr clone(const GeosContext& ctx, const GEOSGeometry* g) {
    return own(ctx, GEOSGeom_clone_r(ctx.get(), g), "clone");
}

LocalCopy::LocalCopy(const GEOSGeometry* shared, std::mutex& mutex) {
    auto* const lh = ctx.get();
    {
        const std::lock_guard<std::mutex> lock(mutex);
        geometry = GeomPtr(GEOSGeom_clone_r(lh, shared), GeomDeleter{lh});
    }
    prepared = PreparedPtr(GEOSPrepare_r(lh, geometry.get()), PreparedDeleter{lh});
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

Snapped snap_round(const GeosContext& ctx, const GEOSGeometry* g, double grid_size) {
    auto* const h = ctx.get();
    auto valid = [&](const GEOSGeometry* x) { return GEOSisValid_r(h, x) == 1; };
    // Each coordinate to the nearest grid node k / n as the nearest double to that decimal
    // (n = 1 / grid_size, an integer: k / n is one correctly rounded division), so that a text
    // with the grid's decimals reads back as exactly these doubles. GEOS's own rounding
    // multiplies by 1 / grid_size (not exactly 1e7 in binary) and can land one unit in the last
    // place away from that.
    const double n = std::round(1.0 / grid_size);
    auto rounded = [&](const GEOSGeometry* x) {
        return polygonal_part(ctx, transform_xy(ctx, x, [n](double cx, double cy) {
                                  return std::pair{std::round(cx * n) / n, std::round(cy * n) / n};
                              }));
    };
    // Snap-rounding needs a valid input; GEOS can still fail on a nearly degenerate one, hence
    // a null result rather than an exception.
    auto snapped = [&](const GEOSGeometry* x) -> GeomPtr {
        GEOSGeometry* r = GEOSGeom_setPrecision_r(h, x, grid_size, 0);
        if (r == nullptr) {
            return {nullptr, GeomDeleter{h}};
        }
        const GeomPtr owned(r, GeomDeleter{h});
        return rounded(owned.get()); // the same nodes, as the exact decimals' doubles
    };
    auto made_valid = [&](const GEOSGeometry* x) {
        return polygonal_part(ctx, own(ctx, GEOSMakeValid_r(h, x), "make-valid"));
    };
    Snapped out;
    // Most polygons are valid once each coordinate is rounded: that costs one pass and one
    // validity test, far less than snap-rounding.
    out.geometry = rounded(g);
    if (!valid(out.geometry.get())) {
        out.rounded_invalid = true;
        GeomPtr base(nullptr, GeomDeleter{h});
        if (!valid(g)) {
            // Invalid before rounding (e.g. a polygon valid in the projection whose inverse
            // transform made two close edges cross): repaired first.
            out.repaired = true;
            base = made_valid(g);
        }
        const GEOSGeometry* src = base ? base.get() : g;
        auto s = snapped(src);
        // Snap-rounding returns valid polygons; should GEOS still disagree (or fail), the
        // rounded geometry is repaired and put on the grid again, a few times at most.
        for (int attempt = 0; attempt < 3 && (!s || !valid(s.get())); ++attempt) {
            out.repaired = true;
            auto m = made_valid(s ? s.get() : rounded(src).get());
            s = snapped(m.get());
            if (!s) {
                s = rounded(m.get());
            }
        }
        out.invalid = !s || !valid(s.get());
        out.geometry = s ? std::move(s) : rounded(src);
    }
    out.collapsed = GEOSisEmpty_r(h, out.geometry.get()) == 1;
    return out;
}

} // namespace maillage::geo
