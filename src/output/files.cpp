#include "maillage/output/files.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geos.hpp"

#include <cerrno>
#include <fstream>
#include <utility>

namespace maillage::output {

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    errno = 0;
    f << text;
    f.close();
    if (!f) {
        throw runtime_failure(path.string() +
                              ": cannot write: " + io::write_failure_reason(path, errno));
    }
}

void run_write_tasks(const std::vector<WriteTask>& tasks) {
    core::parallel_for(tasks.size(), 1, [&](std::size_t i) { tasks[i](); });
}

WriteTask vector_file_task(std::string path, VectorFormat format, LayerFill fill) {
    return [path = std::move(path), format, fill = std::move(fill)] {
        geo::GeosContext ctx;
        auto ds = create_vector(path, format);
        fill(*ds, path, ctx);
        close_dataset(std::move(ds), path);
    };
}

std::vector<LayerSlice> geojson_slices(io::StagedOutput& out, const std::string& file,
                                       std::size_t count) {
    const std::size_t slices = count >= 64 ? 2 : 1;
    std::vector<LayerSlice> list;
    for (std::size_t k = 0; k < slices; ++k) {
        const std::string name = slices == 1 ? file : file + ".slice" + std::to_string(k);
        list.push_back({count * k / slices, count * (k + 1) / slices, out.path(name).string()});
    }
    return list;
}

void stitch_slices(io::StagedOutput& out, const std::string& file,
                   const std::vector<LayerSlice>& slices) {
    if (slices.size() < 2) {
        return;
    }
    std::vector<std::string> paths;
    paths.reserve(slices.size());
    for (const auto& s : slices) {
        paths.push_back(s.path);
    }
    stitch_geojson(paths, out.path(file).string());
}

} // namespace maillage::output
