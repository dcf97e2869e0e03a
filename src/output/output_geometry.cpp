#include "maillage/output/output_geometry.hpp"
#include "internal.hpp"

#include <ogr_geometry.h>

#include <algorithm>

namespace maillage::output {

std::unique_ptr<OGRGeometry> OutputGeometryLog::prepare(const geo::GeosContext& ctx,
                                                        const GEOSGeometry* g,
                                                        const std::string& layer,
                                                        const std::string& feature) {
    auto s = geo::snap_round(ctx, g, geo::output_grid_deg);
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        auto& c = m_layers[layer];
        ++c.polygons;
        c.rounded_invalid += s.rounded_invalid ? 1 : 0;
        c.repaired += s.repaired ? 1 : 0;
        c.invalid += s.invalid ? 1 : 0;
        if (s.collapsed) {
            ++c.collapsed;
            c.collapsed_features.push_back(feature);
        }
    }
    if (s.collapsed) {
        return nullptr;
    }
    auto out = detail::to_ogr(ctx, s.geometry.get());
    if (wkbFlatten(out->getGeometryType()) == wkbPolygon) {
        out.reset(OGRGeometryFactory::forceToMultiPolygon(out.release()));
    }
    return out;
}

nlohmann::ordered_json OutputGeometryLog::to_json() const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& [name, c] : m_layers) {
        auto features = c.collapsed_features;
        std::sort(features.begin(), features.end()); // slices are written side by side
        layers[name] = {
            {"polygons", c.polygons},         {"invalid_if_only_rounded", c.rounded_invalid},
            {"repaired", c.repaired},         {"collapsed", c.collapsed},
            {"collapsed_features", features}, {"invalid", c.invalid}};
    }
    return {{"grid_deg", geo::output_grid_deg}, {"layers", layers}};
}

std::vector<std::string> OutputGeometryLog::warnings() const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    std::vector<std::string> out;
    for (const auto& [name, c] : m_layers) {
        if (c.collapsed > 0) {
            auto features = c.collapsed_features;
            std::sort(features.begin(), features.end());
            std::string list;
            for (std::size_t i = 0; i < features.size() && i < 5; ++i) {
                list += (i > 0 ? ", " : "") + features[i];
            }
            out.push_back(name + ": " + std::to_string(c.collapsed) +
                          " polygon(s) thinner than the 1e-7 degree output grid vanished when put "
                          "on it and are written with a null geometry (" +
                          list + (features.size() > 5 ? ", ..." : "") +
                          "); see output_geometry in summary.json");
        }
        if (c.invalid > 0) {
            out.push_back(name + ": " + std::to_string(c.invalid) +
                          " polygon(s) still invalid after snap-rounding and repair; see "
                          "output_geometry in summary.json");
        }
    }
    return out;
}

} // namespace maillage::output
