#include "maillage/analysis/cell_pass.hpp"

#include "maillage/core/parallel.hpp"

#include <atomic>

namespace maillage::analysis {
namespace {

/// Writes the nearest site of cell c, found from its centre e.
void write_cell(const CostModel& model, const CellOutputs& out, std::size_t c, const geo::Ecef& e) {
    const auto hit = model.nearest(e);
    if (!out.cost.empty()) {
        out.cost[c] = hit.cost;
    }
    if (!out.site.empty()) {
        out.site[c] = hit.site;
    }
    if (!out.km.empty()) {
        out.km[c] = cost_km(hit.cost);
    }
}

} // namespace

void cell_pass(const PopulationGrid& grid, const geo::EqualAreaProjection& projection,
               const CostModel& model, const CellOutputs& out, const RowProgressFn& progress) {
    const auto width = static_cast<std::size_t>(grid.width);
    const auto height = static_cast<std::size_t>(grid.height);
    // Cell centres by row: exact at the ends and middle of short segments, interpolated between.
    const CellPositions positions(grid, projection);
    // One row of centres per thread, made by the thread that uses it.
    std::vector<std::vector<geo::Ecef>> rows(static_cast<std::size_t>(core::max_threads()));
    std::atomic<std::size_t> rows_done{0};
    core::parallel_for(height, 4, [&](std::size_t row) {
        const auto t = static_cast<std::size_t>(core::thread_index());
        auto& at = rows[t];
        at.resize(width);
        const std::size_t base = row * width;
        positions.row(static_cast<int>(row), grid.zone.data() + base, at.data());
        for (std::size_t col = 0; col < width; ++col) {
            if (grid.zone[base + col] >= 0) {
                write_cell(model, out, base + col, at[col]);
            }
        }
        if (progress && t == 0) {
            progress(static_cast<double>(rows_done.load()) / static_cast<double>(height));
        }
        ++rows_done;
    });
}

void cell_pass(const PopulationGrid& grid, const geo::EqualAreaProjection& projection,
               const CostModel& model, std::span<const std::size_t> cells, const CellOutputs& out) {
    const CellPositions positions(grid, projection);
    core::parallel_for(cells.size(), 256, [&](std::size_t k) {
        const auto c = cells[k];
        write_cell(model, out, c, positions.at(c));
    });
}

} // namespace maillage::analysis
