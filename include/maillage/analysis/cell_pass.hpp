#pragma once

// The one cell pass: every cell of the study area, from its centre to its nearest site under a
// CostModel and the cost of reaching it. Used by analyse (overall and --by-type), what_if (the
// cells whose nearest site closed) and, through CellPositions and CostModel::cost, suggest.

#include "maillage/analysis/cost_model.hpp"
#include "maillage/analysis/grid.hpp"
#include "maillage/geo/equal_area.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

namespace maillage::analysis {

/// Where the cell pass writes, indexed by cell (each span empty or of the grid's size); only the
/// cells of the study area (zone >= 0) are written, an empty span is not written at all.
struct CellOutputs {
    std::span<double> cost;        ///< the cost of reaching the nearest site
    std::span<std::uint32_t> site; ///< the nearest site (position in the model's sites)
    std::span<float> km;           ///< cost / 1000 as a float: the rasters' kilometres
};

/// Called from one thread with the fraction of the rows done (0..1).
using RowProgressFn = std::function<void(double fraction)>;

/// Every cell of the study area: its centre (CellPositions, row by row), its nearest site under
/// `model` and the cost. Rows run in parallel (core::parallel_for); every cell is written by one
/// iteration only, so the result does not depend on the threads.
void cell_pass(const PopulationGrid& grid, const geo::EqualAreaProjection& projection,
               const CostModel& model, const CellOutputs& out, const RowProgressFn& progress = {});

/// The same for the listed cells only (cells of the study area, each once, in any order), each
/// centre from CellPositions::at (the same position as the row pass gives).
void cell_pass(const PopulationGrid& grid, const geo::EqualAreaProjection& projection,
               const CostModel& model, std::span<const std::size_t> cells, const CellOutputs& out);

/// The float kilometres of a cost in metres, as every raster writes them.
inline float cost_km(double cost_m) { return static_cast<float>(cost_m / 1000.0); }

} // namespace maillage::analysis
