// Context zones of `maillage access`: the demand of the people outside the study area, on a grid
// aligned with the study grid (see docs/method.md, section 10, "Context zones").

#include <geos_c.h>

#include "maillage/analysis/access.hpp"
#include "maillage/geo/geos.hpp"

#include "maillage/analysis/grid.hpp"

#include <array>
#include <cmath>
#include <cstdint>

namespace maillage::analysis {

namespace {

/// The study zone at the cell (row, col) of the study grid, -1 outside it.
std::int32_t study_zone(const PopulationGrid& study, long row, long col) {
    if (row < 0 || col < 0 || row >= study.height || col >= study.width) {
        return -1;
    }
    return study.zone[static_cast<std::size_t>(row) * static_cast<std::size_t>(study.width) +
                      static_cast<std::size_t>(col)];
}

/// The study area wins: the context cells on a study cell and their people belong to the study
/// zone. Returns, per context zone, its cells in the study area.
std::vector<std::uint32_t> leave_out_study_cells(ContextDemand& c, const PopulationGrid& study,
                                                 std::size_t zones) {
    auto& g = c.grid;
    // The same projection and cell size as the study grid, and build_grid snaps both grids'
    // edges to multiples of the cell size: their cells coincide, at a whole offset.
    const auto col_offset = std::lround((g.min_x - study.min_x) / study.cell_m);
    const auto row_offset = std::lround((study.max_y - g.max_y) / study.cell_m);
    std::vector<std::uint32_t> in_study(zones, 0);
    const auto width = static_cast<std::size_t>(g.width);
    for (std::size_t cell = 0; cell < g.zone.size(); ++cell) {
        const auto z = g.zone[cell];
        if (z < 0) {
            continue;
        }
        const auto row = static_cast<long>(cell / width);
        const auto col = static_cast<long>(cell % width);
        if (study_zone(study, row + row_offset, col + col_offset) >= 0) {
            ++in_study[static_cast<std::size_t>(z)];
            c.population_in_study_area += g.population[cell];
            g.population[cell] = 0.0;
            g.zone[cell] = -1;
        } else {
            c.population_demand += g.population[cell];
        }
    }
    return in_study;
}

/// Whether a point lies in a study zone (for the context zones without a cell: the study zones
/// too small for a cell hold no cell either).
class StudyZones {
public:
    StudyZones(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones)
        : m_ctx(ctx), m_zones(zones), m_env(zones.size()) {
        for (std::size_t k = 0; k < zones.size(); ++k) {
            auto& e = m_env[k];
            GEOSGeom_getExtent_r(ctx.get(), zones[k].geometry.get(), e.data(), &e[1], &e[2], &e[3]);
        }
    }

    [[nodiscard]] bool contain(geo::LonLat p) const {
        geo::GeomPtr pt;
        for (std::size_t k = 0; k < m_zones.size(); ++k) {
            const auto& e = m_env[k];
            if (p.lon < e[0] || p.lon > e[2] || p.lat < e[1] || p.lat > e[3]) {
                continue;
            }
            if (!pt) {
                pt = geo::own(m_ctx, GEOSGeom_createPointFromXY_r(m_ctx.get(), p.lon, p.lat),
                              "point");
            }
            if (GEOSIntersects_r(m_ctx.get(), m_zones[k].geometry.get(), pt.get()) == 1) {
                return true;
            }
        }
        return false;
    }

private:
    const geo::GeosContext& m_ctx;
    const std::vector<model::Zone>& m_zones;
    std::vector<std::array<double, 4>> m_env;
};

} // namespace

ContextDemand context_demand(const geo::GeosContext& ctx, const std::vector<model::Zone>& context,
                             const std::vector<model::Zone>& zones, const AnalysisResult& base) {
    ContextDemand c;
    c.zones = context.size();
    for (const auto& z : context) {
        c.population += z.population;
    }
    if (context.empty()) {
        return c;
    }
    const auto& study = base.grid;
    const auto projected = project_zones(ctx, context, base.projection);
    c.grid = build_grid(ctx, context, projected, study.cell_m);
    const std::size_t nz = context.size();
    const auto in_study = leave_out_study_cells(c, study, nz);
    const StudyZones study_zones(ctx, zones);
    for (std::size_t i = 0; i < nz; ++i) {
        const auto cells = c.grid.cell_count[i];
        if (cells == 0) {
            // Too small for a cell: its population on its reference point, unless that point
            // lies on a cell of the study area.
            const auto xy = base.projection.forward(projected.reference[i]);
            const auto col = static_cast<long>(std::floor((xy.x - study.min_x) / study.cell_m));
            const auto row = static_cast<long>(std::floor((study.max_y - xy.y) / study.cell_m));
            if (study_zone(study, row, col) >= 0 || study_zones.contain(projected.reference[i])) {
                c.population_in_study_area += context[i].population;
                c.overlapping.push_back(i);
                ++c.zones_inside;
            } else {
                c.point_position.push_back(projected.reference[i]);
                c.point_population.push_back(context[i].population);
                c.population_demand += context[i].population;
                ++c.point_demands;
            }
            continue;
        }
        // More than a sliver: wholly inside, or at least 2 cells and more than 1 % of them (a
        // shared border drawn from another source puts a few cell centres on the wrong side).
        const bool inside = in_study[i] == cells;
        c.zones_inside += inside ? 1U : 0U;
        if (inside || (in_study[i] >= 2 && 100.0 * in_study[i] > static_cast<double>(cells))) {
            c.overlapping.push_back(i);
        }
    }
    return c;
}

} // namespace maillage::analysis
