#include "maillage/analysis/underserved.hpp"

#include "maillage/core/error.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace maillage::analysis {

int circle_vertices(double radius_m, double tolerance_m) {
    // A circumscribed regular n-gon (edges tangent to the circle, vertices at r / cos(pi / n))
    // strays from its circle by r (1 / cos(pi / n) - 1): at most tol when
    // cos(pi / n) >= r / (r + tol).
    if (radius_m <= tolerance_m) {
        return 16;
    }
    // Clamped before the conversion: for a radius beyond ~1e16 m, or a zero tolerance,
    // r / (r + tol) rounds to 1 and n is infinite (converting that to int is undefined).
    const double n = std::numbers::pi / std::acos(radius_m / (radius_m + tolerance_m));
    return static_cast<int>(std::clamp(std::ceil(n), 16.0, 100000.0));
}

double circle_vertex_distance(double radius_m, int vertices) {
    return radius_m / std::cos(std::numbers::pi / vertices);
}

geo::GeomPtr geodesic_circle(const geo::GeosContext& ctx, const geo::EqualAreaProjection& proj,
                             geo::LonLat centre, double radius_m, double tolerance_m) {
    const int n = circle_vertices(radius_m, tolerance_m);
    // Vertices beyond the circle, so that the edges' midpoints touch it: the polygon holds the
    // whole circle, and every point outside it is farther than radius_m from the centre.
    const double vertex_m = circle_vertex_distance(radius_m, n);
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(ctx.get(), static_cast<unsigned>(n + 1), 2);
    for (int i = 0; i <= n; ++i) {
        // Counter-clockwise: azimuths decrease.
        const double azimuth = 360.0 - 360.0 * static_cast<double>(i % n) / n;
        const auto p = proj.forward(geo::geodesic_destination(centre, azimuth, vertex_m));
        GEOSCoordSeq_setXY_r(ctx.get(), seq, static_cast<unsigned>(i), p.x, p.y);
    }
    GEOSGeometry* ring = GEOSGeom_createLinearRing_r(ctx.get(), seq);
    return geo::own(ctx, GEOSGeom_createPolygon_r(ctx.get(), ring, nullptr, 0), "circle");
}

geo::GeomPtr to_lonlat(const geo::GeosContext& ctx, const GEOSGeometry* projected,
                       const geo::EqualAreaProjection& proj) {
    auto* const h = ctx.get();
    // Longitudes unwrapped around the projection's centre: continuous across the antimeridian.
    const double lon_0 = proj.lon_0();
    auto unwrapped = geo::transform_xy(ctx, projected, [&](double x, double y) {
        const auto ll = proj.inverse(geo::XY{x, y});
        return std::pair{lon_0 + geo::normalize_lon(ll.lon - lon_0), ll.lat};
    });
    double x0 = 0.0;
    double y0 = 0.0;
    double x1 = 0.0;
    double y1 = 0.0;
    if (GEOSisEmpty_r(h, unwrapped.get()) == 1 ||
        GEOSGeom_getExtent_r(h, unwrapped.get(), &x0, &y0, &x1, &y1) == 0 ||
        (x0 >= -180.0 && x1 <= 180.0)) {
        return unwrapped;
    }
    // Cut into the pieces west of -180, between, and east of 180, and shift them home.
    std::vector<GEOSGeometry*> pieces;
    for (const double shift : {-360.0, 0.0, 360.0}) {
        auto box =
            geo::own(ctx, GEOSGeom_createRectangle_r(h, -180.0 - shift, -90.0, 180.0 - shift, 90.0),
                     "rectangle");
        auto piece = geo::polygonal_part(
            ctx, geo::own(ctx, GEOSIntersection_r(h, unwrapped.get(), box.get()), "intersection"));
        if (GEOSisEmpty_r(h, piece.get()) == 1) {
            continue;
        }
        if (shift != 0.0) {
            piece = geo::transform_xy(ctx, piece.get(), [&](double x, double y) {
                return std::pair{x + shift, y};
            });
        }
        const int n = GEOSGetNumGeometries_r(h, piece.get());
        for (int i = 0; i < n; ++i) {
            pieces.push_back(GEOSGeom_clone_r(h, GEOSGetGeometryN_r(h, piece.get(), i)));
        }
    }
    return geo::own(ctx,
                    GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, pieces.data(),
                                                static_cast<unsigned>(pieces.size())),
                    "antimeridian split");
}

std::vector<geo::GeomPtr> underserved_parts(const geo::GeosContext& ctx,
                                            const geo::EqualAreaProjection& proj,
                                            const std::vector<geo::LonLat>& sites,
                                            const std::vector<geo::GeomPtr>& zones, double radius_m,
                                            double tolerance_m) {
    auto* const h = ctx.get();
    // Coverage: union of the sites' circles.
    // Circles built in parallel (each needs a few hundred geodesic problems), one projection and
    // GEOS context per thread.
    std::string error;
    std::vector<GEOSGeometry*> circles(radius_m > 0 ? sites.size() : 0, nullptr);
    const auto ns = static_cast<std::int64_t>(circles.size());
#pragma omp parallel
    {
        geo::GeosContext local;
        const auto local_proj = proj.clone();
#pragma omp for schedule(static)
        for (std::int64_t i = 0; i < ns; ++i) {
            const auto u = static_cast<std::size_t>(i);
            try {
                circles[u] =
                    geodesic_circle(local, local_proj, sites[u], radius_m, tolerance_m).release();
            } catch (const std::exception& e) {
#pragma omp critical(maillage_circle_error)
                error = e.what();
            }
        }
    }
    if (!error.empty()) {
        for (auto* c : circles) {
            if (c != nullptr) {
                GEOSGeom_destroy_r(h, c);
            }
        }
        throw runtime_failure("underserved zones: " + error);
    }
    auto all = geo::own(ctx,
                        GEOSGeom_createCollection_r(h, GEOS_MULTIPOLYGON, circles.data(),
                                                    static_cast<unsigned>(circles.size())),
                        "collection");
    auto coverage = geo::own(ctx, GEOSUnaryUnion_r(h, all.get()), "union of circles");
    all.reset();
    // Each zone minus the coverage, in parallel: every thread has its own GEOS context and its
    // own copy of the coverage (GEOS caches envelopes and indexes lazily inside geometries).
    std::vector<GEOSGeometry*> pieces(zones.size(), nullptr);
    const auto nz = static_cast<std::int64_t>(zones.size());
#pragma omp parallel
    {
        geo::GeosContext local;
        auto* const lh = local.get();
        geo::GeomPtr cover;
        geo::PreparedPtr prepared;
#pragma omp critical(maillage_coverage_copy)
        { cover = geo::GeomPtr(GEOSGeom_clone_r(lh, coverage.get()), geo::GeomDeleter{lh}); }
        prepared = geo::PreparedPtr(GEOSPrepare_r(lh, cover.get()), geo::PreparedDeleter{lh});
#pragma omp for schedule(dynamic, 16)
        for (std::int64_t i = 0; i < nz; ++i) {
            try {
                const GEOSGeometry* z = zones[static_cast<std::size_t>(i)].get();
                if (GEOSPreparedContainsProperly_r(lh, prepared.get(), z) == 1) {
                    continue;
                }
                double x0 = 0.0;
                double y0 = 0.0;
                double x1 = 0.0;
                double y1 = 0.0;
                GEOSGeom_getExtent_r(lh, z, &x0, &y0, &x1, &y1);
                auto local_cover = geo::own(
                    local, GEOSClipByRect_r(lh, cover.get(), x0 - 1, y0 - 1, x1 + 1, y1 + 1),
                    "clip");
                auto piece = geo::polygonal_part(
                    local,
                    geo::own(local, GEOSDifference_r(lh, z, local_cover.get()), "difference"));
                if (GEOSisEmpty_r(lh, piece.get()) == 0) {
                    pieces[static_cast<std::size_t>(i)] = piece.release();
                }
            } catch (const std::exception& e) {
#pragma omp critical(maillage_underserved_error)
                error = e.what();
            }
        }
    }
    pieces.erase(std::remove(pieces.begin(), pieces.end(), nullptr), pieces.end());
    if (!error.empty()) {
        for (auto* p : pieces) {
            GEOSGeom_destroy_r(h, p);
        }
        throw runtime_failure("underserved zones: " + error);
    }
    auto collection =
        geo::own(ctx,
                 GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, pieces.data(),
                                             static_cast<unsigned>(pieces.size())),
                 "collection");
    auto merged =
        geo::polygonal_part(ctx, geo::own(ctx, GEOSUnaryUnion_r(h, collection.get()), "union"));

    std::vector<geo::GeomPtr> parts;
    const int n = GEOSGetNumGeometries_r(h, merged.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(h, merged.get(), i);
        if (GEOSisEmpty_r(h, part) == 0) {
            parts.push_back(geo::own(ctx, GEOSGeom_clone_r(h, part), "clone"));
        }
    }
    std::vector<std::pair<double, std::size_t>> order;
    for (std::size_t i = 0; i < parts.size(); ++i) {
        order.emplace_back(-geo::area(ctx, parts[i].get()), i);
    }
    std::sort(order.begin(), order.end());
    std::vector<geo::GeomPtr> sorted;
    sorted.reserve(parts.size());
    for (const auto& [neg_area, i] : order) {
        sorted.push_back(std::move(parts[i]));
    }
    return sorted;
}

} // namespace maillage::analysis
