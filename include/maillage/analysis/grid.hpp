#pragma once

#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geom_ptr.hpp"
#include "maillage/model/zone.hpp"

#include <cstdint>
#include <vector>

namespace maillage::analysis {

/// Zone geometries in the equal-area projection, with their reference points.
struct ProjectedZones {
    std::vector<geo::GeomPtr> geometry; ///< LAEA metres
    std::vector<geo::LonLat> reference; ///< centroid if inside, else a point on the surface
    std::vector<double> area_m2;
};

ProjectedZones project_zones(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                             const geo::EqualAreaProjection& proj);

/// A regular grid in the equal-area projection. Every cell whose centre lies in a zone belongs
/// to that zone (the later zone where zones overlap); the zone's population is spread over its
/// cells evenly: integer populations in whole persons (the remainder spread one person per cell),
/// so that the sum over cells equals the input total exactly.
struct PopulationGrid {
    double cell_m = 0.0;
    double min_x = 0.0; ///< west edge
    double max_y = 0.0; ///< north edge
    int width = 0;
    int height = 0;
    std::vector<std::int32_t> zone;        ///< per cell, row-major from the north; -1 outside
    std::vector<double> population;        ///< per cell
    std::vector<std::uint32_t> cell_count; ///< per zone

    [[nodiscard]] geo::XY centre(std::size_t cell) const {
        const std::size_t row_index = cell / static_cast<std::size_t>(width); // whole rows
        const auto row = static_cast<double>(row_index);
        const auto col = static_cast<double>(cell % static_cast<std::size_t>(width));
        return {min_x + (col + 0.5) * cell_m, max_y - (row + 0.5) * cell_m};
    }
};

/// The ECEF position of the cell centres, for the nearest-site queries.
///
/// The exact inverse projection of every centre is the largest cost of a query. Along a row it
/// is needed only at the ends and middle of segments of K cells (K even, a segment at most 4 km
/// long); the cells in between are placed by quadratic interpolation of those three points in
/// ECEF, within 10 micrometres of the exact position (30 near the edge of the zone where it is
/// used; tested against the exact inverse on every cell of rows of grids from 10 m to 1 km
/// cells). Interpolation is used only where the segment's ends lie within 1.2 Earth radii of the
/// projection's centre, where the mapping is smooth; elsewhere, and for cells over 1 km, each
/// centre is projected exactly.
///
/// `at(cell)` and `row()` give the same value for a cell, bit for bit, so that a run that
/// recomputes some cells (whatif) matches a full run exactly.
class CellPositions {
public:
    CellPositions(const PopulationGrid& grid, const geo::EqualAreaProjection& projection);

    /// The position of one cell.
    [[nodiscard]] geo::Ecef at(std::size_t cell) const;

    /// The positions of the cells of one row that `wanted` marks (zone >= 0): out[col] for every
    /// such col (other entries may be left as they were). out must hold grid.width entries.
    void row(int row, const std::int32_t* wanted, geo::Ecef* out) const;

    /// Cells per interpolated segment (1: every centre is projected exactly).
    [[nodiscard]] int segment_cells() const { return m_k; }

private:
    [[nodiscard]] geo::XY xy(int row, long col) const;
    [[nodiscard]] bool smooth(geo::XY a, geo::XY b) const;

    const PopulationGrid& m_grid;
    const geo::EqualAreaProjection& m_proj;
    int m_k = 1;
    double m_limit_sq = 0.0;
    std::vector<double> m_w0, m_w1, m_w2; ///< Lagrange weights of the nodes at 0, K/2, K
};

/// Splits `population` into `cells` parts that sum to it exactly: whole persons when the
/// population is a whole number, equal shares otherwise. part(i) for i < cells.
double population_share(double population, std::uint32_t cells, std::uint32_t i);

/// Burns geometry i as value i + 1 (0 elsewhere) into a raster of the grid's shape: a cell
/// gets a geometry when its centre lies inside it (the later geometry where they overlap).
void rasterize_into(const geo::GeosContext& ctx, const std::vector<geo::GeomPtr>& geometries,
                    const PopulationGrid& grid, std::vector<std::int32_t>& out);

PopulationGrid build_grid(const geo::GeosContext& ctx, const std::vector<model::Zone>& zones,
                          const ProjectedZones& projected, double cell_m);

} // namespace maillage::analysis
