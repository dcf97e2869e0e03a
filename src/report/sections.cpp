#include "sections.hpp"

#include "maillage/core/error.hpp"

#include <array>
#include <cstdio>

namespace maillage::report {

std::string plain(double v, int decimals) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    return buf.data();
}

double field_double(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsDouble(i) : 0.0;
}

std::string field_text(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsString(i) : "";
}

RunLayer open_run_layer(const std::filesystem::path& dir, const std::string& name,
                        const std::string& section) {
    const bool gpkg = std::filesystem::exists(dir / "maillage.gpkg");
    const auto path = gpkg ? dir / "maillage.gpkg" : dir / (name + ".geojson");
    const std::string why = ", although summary.json has a " + section +
                            " section. Give --run the whole output folder of the run.";
    if (!std::filesystem::exists(path)) {
        throw input_error(path.string() + ": not found" + why);
    }
    RunLayer out;
    out.dataset = io::open_vector(path.string());
    out.layer = out.dataset->GetLayerByName(name.c_str());
    if (out.layer == nullptr) {
        throw input_error(path.string() + ": no layer " + name + why);
    }
    return out;
}

} // namespace maillage::report
