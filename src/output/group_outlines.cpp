#include "maillage/output/group_outlines.hpp"

#include <cmath>
#include <map>

namespace maillage::output {

std::vector<GroupOutline> group_members(const std::vector<model::Zone>& zones) {
    std::map<std::string, std::vector<std::size_t>> by_code;
    for (std::size_t i = 0; i < zones.size(); ++i) {
        if (!zones[i].group.empty()) {
            by_code[zones[i].group].push_back(i);
        }
    }
    std::vector<GroupOutline> out;
    out.reserve(by_code.size());
    for (auto& [code, members] : by_code) {
        out.push_back({code, std::move(members)});
    }
    return out;
}

namespace {

/// Approximate area in km² of a ring (lon/lat degrees), for telling a gap from an enclave.
double ring_km2(const geo::GeosContext& ctx, const GEOSGeometry* ring) {
    auto shell = geo::own(ctx, GEOSGeom_clone_r(ctx.get(), ring), "ring copy");
    auto polygon = geo::own(ctx, GEOSGeom_createPolygon_r(ctx.get(), shell.release(), nullptr, 0),
                            "ring polygon");
    double y = 0.0;
    GEOSGeom_getYMin_r(ctx.get(), polygon.get(), &y);
    constexpr double km_per_degree = 111.32;
    constexpr double pi = 3.14159265358979323846;
    return geo::area(ctx, polygon.get()) * km_per_degree * km_per_degree * std::cos(y * pi / 180);
}

/// `polygon` without its holes smaller than `min_km2`.
geo::GeomPtr without_small_holes(const geo::GeosContext& ctx, const GEOSGeometry* polygon,
                                 double min_km2) {
    const int holes = GEOSGetNumInteriorRings_r(ctx.get(), polygon);
    std::vector<GEOSGeometry*> kept;
    for (int i = 0; i < holes; ++i) {
        const GEOSGeometry* ring = GEOSGetInteriorRingN_r(ctx.get(), polygon, i);
        if (ring_km2(ctx, ring) >= min_km2) {
            kept.push_back(GEOSGeom_clone_r(ctx.get(), ring));
        }
    }
    GEOSGeometry* shell = GEOSGeom_clone_r(ctx.get(), GEOSGetExteriorRing_r(ctx.get(), polygon));
    return geo::own(
        ctx,
        GEOSGeom_createPolygon_r(ctx.get(), shell, kept.data(), static_cast<unsigned>(kept.size())),
        "polygon without its gaps");
}

/// The holes smaller than this are gaps between zones that do not quite meet (seen in the
/// shipped communes), not enclaves (the Enclave des Papes, a hole in the Drôme, is 124 km²).
constexpr double gap_km2 = 1.0;

geo::GeomPtr fill_gaps(const geo::GeosContext& ctx, geo::GeomPtr g) {
    const int n = GEOSGetNumGeometries_r(ctx.get(), g.get());
    std::vector<geo::GeomPtr> parts;
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* part = GEOSGetGeometryN_r(ctx.get(), g.get(), i);
        if (GEOSGeomTypeId_r(ctx.get(), part) == GEOS_POLYGON) {
            parts.push_back(without_small_holes(ctx, part, gap_km2));
        }
    }
    return geo::collect(ctx, GEOS_MULTIPOLYGON, std::move(parts), "group outline");
}

} // namespace

geo::GeomPtr dissolve(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                      const std::vector<std::size_t>& members) {
    std::vector<geo::GeomPtr> parts;
    parts.reserve(members.size());
    for (const auto i : members) {
        parts.push_back(geo::clone(ctx, zones[i].geometry.get()));
    }
    const auto all =
        geo::collect(ctx, GEOS_GEOMETRYCOLLECTION, std::move(parts), "the zones of a group");
    GEOSGeometry* coverage = GEOSCoverageUnion_r(ctx.get(), all.get());
    if (coverage != nullptr) {
        auto g = geo::own(ctx, coverage, "coverage union");
        if (GEOSisValid_r(ctx.get(), g.get()) == 1) {
            return fill_gaps(ctx, geo::polygonal_part(ctx, std::move(g)));
        }
    }
    return fill_gaps(ctx,
                     geo::polygonal_part(ctx, geo::own(ctx, GEOSUnaryUnion_r(ctx.get(), all.get()),
                                                       "union of the zones of a group")));
}

} // namespace maillage::output
