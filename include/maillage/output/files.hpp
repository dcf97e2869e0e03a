#pragma once

// Writing the files of a run folder: text files, and the independent layer and raster files
// written side by side.

#include "maillage/io/output_dir.hpp"
#include "maillage/output/layer_writer.hpp"

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace maillage::geo {
class GeosContext;
}

namespace maillage::output {

/// Writes `text` to `path` (binary: no newline translation); a failed write is a runtime_failure
/// that says why (io::write_failure_reason).
void write_text(const std::filesystem::path& path, const std::string& text);

/// One file to write, independent of the others.
using WriteTask = std::function<void()>;

/// Runs the tasks side by side (core::parallel_for, one task at a time per thread). If tasks
/// throw, the exception of the first of them in the list is rethrown, with its type.
void run_write_tasks(const std::vector<WriteTask>& tasks);

/// Writes one layer into a dataset: (dataset, its path, a GEOS context of the calling thread).
using LayerFill = std::function<void(GDALDataset&, const std::string&, const geo::GeosContext&)>;

/// A task that creates the vector file `path`, fills it with its own GEOS context (GEOS contexts
/// are not shared between threads) and closes it.
WriteTask vector_file_task(std::string path, VectorFormat format, LayerFill fill);

/// A slice of the features of a layer, written into its own GeoJSON file.
struct LayerSlice {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::string path;
};

/// The slices of a GeoJSON layer file `file` of `count` features in `out`: the largest layer is
/// written by two threads (two slices from 64 features on), stitched after (stitch_slices). One
/// slice is the file itself.
std::vector<LayerSlice> geojson_slices(io::StagedOutput& out, const std::string& file,
                                       std::size_t count);

/// Joins the slices into `file` (nothing to do for one slice).
void stitch_slices(io::StagedOutput& out, const std::string& file,
                   const std::vector<LayerSlice>& slices);

} // namespace maillage::output
