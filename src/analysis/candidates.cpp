#include "maillage/analysis/candidates.hpp"
#include "internal.hpp"
#include "maillage/geo/geos.hpp"

#include "maillage/analysis/grid.hpp"

#include <array>

namespace maillage::analysis {

std::vector<std::int32_t> zones_of(const geo::GeosContext& ctx,
                                   const std::vector<model::Zone>& zones,
                                   const std::vector<geo::LonLat>& points) {
    auto* const h = ctx.get();
    std::vector<std::array<double, 4>> env(zones.size());
    for (std::size_t i = 0; i < zones.size(); ++i) {
        auto& e = env[i];
        if (GEOSGeom_getExtent_r(h, zones[i].geometry.get(), e.data(), &e[1], &e[2], &e[3]) != 1) {
            e = {1.0, 1.0, -1.0, -1.0}; // empty: holds nothing
        }
    }
    std::vector<std::int32_t> out(points.size(), -1);
    for (std::size_t k = 0; k < points.size(); ++k) {
        const auto p = points[k];
        geo::GeomPtr pt;
        for (std::size_t i = 0; i < zones.size(); ++i) {
            const auto& e = env[i];
            if (p.lon < e[0] || p.lon > e[2] || p.lat < e[1] || p.lat > e[3]) {
                continue;
            }
            if (!pt) {
                pt = geo::own(ctx, GEOSGeom_createPointFromXY_r(h, p.lon, p.lat), "point");
            }
            if (GEOSIntersects_r(h, zones[i].geometry.get(), pt.get()) == 1) {
                out[k] = static_cast<std::int32_t>(i);
            }
        }
    }
    return out;
}

Candidates zone_candidates(const analysis::AnalysisResult& r,
                           const std::vector<model::Zone>& zones) {
    Candidates c;
    c.source = "zones";
    for (std::size_t i = 0; i < zones.size(); ++i) {
        c.position.push_back(r.zones[i].reference);
        c.id.push_back(zones[i].id);
        c.name.push_back(zones[i].name);
        c.zone.push_back(static_cast<std::int32_t>(i));
    }
    return c;
}

Candidates grid_candidates(const geo::GeosContext& ctx, const analysis::AnalysisResult& r,
                           const std::vector<model::Zone>& zones, double grid_m) {
    Candidates c;
    c.source = "grid";
    const auto projected = project_zones(ctx, zones, r.projection);
    const auto grid = build_grid(ctx, zones, projected, grid_m);
    for (std::size_t k = 0; k < grid.zone.size(); ++k) {
        if (grid.zone[k] < 0) {
            continue;
        }
        const auto row = k / static_cast<std::size_t>(grid.width);
        const auto col = k % static_cast<std::size_t>(grid.width);
        const auto z = static_cast<std::size_t>(grid.zone[k]);
        c.position.push_back(r.projection.inverse(grid.centre(k)));
        c.id.push_back("cell-" + std::to_string(row) + "-" + std::to_string(col));
        c.name.push_back(zones[z].name);
        c.zone.push_back(grid.zone[k]);
    }
    return c;
}

Candidates place_candidates(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                            const std::vector<model::Site>& places) {
    Candidates c;
    c.source = "file";
    const auto zone = zones_of(ctx, zones, detail::site_positions(places));
    for (std::size_t k = 0; k < places.size(); ++k) {
        const auto& s = places[k];
        if (zone[k] < 0) {
            if (c.outside_study_area++ < 3) {
                c.outside_examples += (c.outside_examples.empty() ? "" : ", ") + s.where;
            }
            continue;
        }
        c.position.push_back(s.position);
        c.id.push_back(s.id);
        c.name.push_back(s.name);
        c.zone.push_back(zone[k]);
    }
    return c;
}

} // namespace maillage::analysis
