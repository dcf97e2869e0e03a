#pragma once

// A population grid as the analysis sees it (--population-grid): where to read it, what was
// read, and the source it is read from. The source (io::population_grid_source) does every read
// and every CRS lookup; the analysis (analysis::resample_population_grid) does the geometry.
// Source cells are streamed: a national raster does not fit in memory at once.

#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geodesic.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace maillage::model {

class PopulationGridSource;

/// Where to read a population grid. An empty path: each zone's population is spread evenly.
struct PopulationGridOptions {
    std::string path;
    std::string field; ///< vector grids: the population field; empty: `ind`, else `population`
    std::string crs;   ///< overrides the file's CRS (for a file that declares none)
    /// The option that gives `path`, for messages: OPTION, OPTION-field and OPTION-crs are
    /// those of path, field and crs. The caller (the CLI) sets it.
    std::string option = "--population-grid";
    /// The reader of `path` (io::population_grid_source), set by the command; it opens nothing
    /// before the analysis asks for the grid.
    std::shared_ptr<PopulationGridSource> source;
};

/// What was read from the population grid and where its population went; summary.json
/// "population_grid".
struct PopulationGridReport {
    std::string path;
    std::string kind; ///< "raster" or "vector"
    std::string driver;
    std::string layer; ///< vector: layer name; raster: "band 1 of N"
    std::string field; ///< vector: the population field
    std::string crs;
    std::vector<std::string> files;
    std::uint64_t source_cells = 0;          ///< pixels or features in the file
    std::uint64_t cells_read = 0;            ///< those near the study area, read
    std::uint64_t cells_with_population = 0; ///< read, with a population > 0
    double population_read = 0.0;            ///< sum over the cells read
    double population_in_study_area = 0.0;   ///< landed in a cell of a zone
    double population_outside_zones = 0.0;   ///< in a grid cell whose centre is in no zone
    double population_beyond_extent = 0.0;   ///< beyond the analysis grid's rectangle
    std::uint64_t edges_densified = 0;       ///< source cell edges given extra vertices
    double max_edge_sag_m = 0.0;             ///< largest sag of an edge's image seen
};

/// A cell of a vector grid (a polygon), in the grid's CRS.
struct PopulationPolygon {
    std::string where; ///< "PATH: feature N", for messages
    double population = 0.0;
    std::vector<std::vector<geo::XY>> rings; ///< not closed; rings of 3 points or more
    std::vector<bool> holes;                 ///< per ring: a hole (not the exterior)
};

/// The pixels of a raster grid that can reach the study area: columns [col0, col1), rows
/// [row0, row1) of band 1.
struct PopulationRaster {
    std::array<double, 6> geotransform{0, 1, 0, 0, 0, 1}; ///< GDAL's: pixel (col, row) -> CRS
    int col0 = 0;
    int col1 = 0;
    int row0 = 0;
    int row1 = 0;
    bool has_nodata = false;
    double nodata = 0.0;

    /// The grid's coordinates of the pixel corner (col, row) (fractions allowed).
    [[nodiscard]] geo::XY at(double col, double row) const {
        const auto& g = geotransform;
        return {g[0] + col * g[1] + row * g[2], g[3] + col * g[4] + row * g[5]};
    }
};

/// From the grid's CRS to WGS84 lon/lat, in place. Not thread-safe: clone() one per thread.
class LonLatTransform {
public:
    virtual ~LonLatTransform() = default;
    /// Transforms the n points (x[i], y[i]); sets ok[i] to 0 for a point that cannot be.
    virtual void apply(std::size_t n, double* x, double* y, int* ok) = 0;
    [[nodiscard]] virtual std::unique_ptr<LonLatTransform> clone() const = 0;
};

/// A population grid being read. open() first; then, for a raster, read_rows() (from any
/// thread), for a vector grid, read_polygons() until it returns false. Every method throws
/// input_error with the file and the cell on anything unusable.
class PopulationGridSource {
public:
    virtual ~PopulationGridSource() = default;

    /// Opens the grid, checks it (CRS, field, geometry type) and finds the part of it that can
    /// reach the study rectangle, whose boundary in lon/lat is `boundary`. Fills `report`'s
    /// path, kind, driver, layer, field, crs, files and source_cells. Throws input_error when
    /// the grid cannot be read or does not overlap the study area.
    virtual void open(const std::vector<geo::LonLat>& boundary, PopulationGridReport& report) = 0;
    /// True for a raster (read with read_rows), false for a vector grid (read_polygons).
    [[nodiscard]] virtual bool is_raster() const = 0;
    /// Raster: the window of pixels that can reach the study area.
    [[nodiscard]] virtual const PopulationRaster& raster() const = 0;
    /// Raster: the values of rows [row, row + count) of the window, row-major, in `values`.
    /// Thread-safe. Throws input_error on a value that is neither nodata nor a non-negative
    /// number.
    virtual void read_rows(int row, int count, std::vector<double>& values) = 0;
    /// Vector grid: replaces `cells` by the next cells with a population (at most `max`); adds
    /// the features read to `read` and those with a population to `populated`. False when the
    /// layer is exhausted (`cells` may still hold the last ones).
    virtual bool read_polygons(std::size_t max, std::vector<PopulationPolygon>& cells,
                               std::uint64_t& read, std::uint64_t& populated) = 0;
    /// The transformation from the grid's CRS to lon/lat (null: the grid is in lon/lat).
    [[nodiscard]] virtual std::unique_ptr<LonLatTransform> to_lonlat() const = 0;
    /// Throws the input_error that says the grid does not overlap the study area.
    [[noreturn]] virtual void no_overlap() const = 0;
};

} // namespace maillage::model
