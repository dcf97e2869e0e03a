#pragma once

// The reader of population grids (--population-grid): a raster (GHS-POP, any CRS) or a vector
// layer of squares with a population field (INSEE Filosofi), read with GDAL for
// analysis::resample_population_grid.

#include "maillage/model/population_grid.hpp"

#include <memory>

namespace maillage::io {

/// The source of the population grid `options` names (options.source is ignored). Nothing is
/// opened before the analysis calls open(), so that errors come in the order of the run.
std::shared_ptr<model::PopulationGridSource>
population_grid_source(const model::PopulationGridOptions& options);

} // namespace maillage::io
