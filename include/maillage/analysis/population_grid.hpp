#pragma once

// Real population grids (--population-grid): a raster (GHS-POP, any CRS) or a vector grid of
// squares with a population field (INSEE Filosofi, field `ind`), resampled onto the analysis
// grid of the equal-area projection while conserving population. See docs/method.md, section
// "Population from a population grid".

#include "maillage/analysis/grid.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/model/population_grid.hpp"

#include <cstddef>
#include <vector>

namespace maillage::analysis {

using model::PopulationGridOptions;
using model::PopulationGridReport;

/// The rectangle of the analysis grid: square cells of side cell_m, row-major from the north.
struct GridFrame {
    double min_x = 0.0;
    double max_y = 0.0;
    double cell_m = 1.0;
    int width = 0;
    int height = 0;

    static GridFrame of(const PopulationGrid& g) {
        return {g.min_x, g.max_y, g.cell_m, g.width, g.height};
    }
};

/// One ring of a polygon in the plane (not closed: the last vertex is not the first repeated).
struct PlaneRing {
    std::vector<geo::XY> points;
    bool hole = false;
};

/// A share of a source cell's population for one analysis cell.
struct Contribution {
    std::size_t cell = 0;
    double population = 0.0;
};

/// Area of a polygon given as rings (exterior rings and holes, any orientation): the exteriors'
/// areas minus the holes'.
double polygon_area(const std::vector<PlaneRing>& rings);

/// Spreads `population` over the cells of `frame` in proportion to the area of overlap of each
/// cell with the polygon `rings` (exact planar clipping, Sutherland-Hodgman against each cell).
/// Appends one contribution per cell overlapped and returns the population of the part of the
/// polygon outside the frame's rectangle. The contributions and the returned part sum to
/// `population` (to rounding). `area` is polygon_area(rings), > 0.
double spread_polygon(const GridFrame& frame, const std::vector<PlaneRing>& rings, double area,
                      double population, std::vector<Contribution>& out);

/// Reads the population grid from `source` and resamples it onto `frame` (the analysis grid's
/// rectangle in the projection `proj`): every source cell's population is split over the
/// analysis cells in proportion to the area of overlap of the cell's image in the equal-area
/// plane. Source cells that cannot reach the rectangle are not read. Returns the population per
/// analysis cell (row-major, whole rectangle) and fills `report` (all but the in/outside-zone
/// split). Blocks of source cells are spread in parallel and added in their order, so the sums
/// do not depend on the number of threads. Throws input_error with the file, the cell and the
/// value on anything unusable.
std::vector<double> resample_population_grid(model::PopulationGridSource& source,
                                             const GridFrame& frame,
                                             const geo::EqualAreaProjection& proj,
                                             PopulationGridReport& report);

/// The same from options.source (set by the command with io::population_grid_source); throws
/// std::logic_error when it is not set.
std::vector<double> resample_population_grid(const PopulationGridOptions& options,
                                             const GridFrame& frame,
                                             const geo::EqualAreaProjection& proj,
                                             PopulationGridReport& report);

/// Edges of a source cell are densified until the image of each piece's midpoint lies within
/// this distance (metres) of the straight chord in the equal-area plane.
inline constexpr double population_grid_sag_tolerance_m = 0.001;

} // namespace maillage::analysis
