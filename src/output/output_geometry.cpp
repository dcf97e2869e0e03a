#include "maillage/output/output_geometry.hpp"
#include "internal.hpp"

#include "maillage/core/error.hpp"
#include "maillage/geo/geos_impl.hpp"
#include "maillage/io/gdal_util.hpp"

#include <ogr_geometry.h>

#include <algorithm>

namespace maillage::output {
namespace {

/// The CRS of --out-crs; throws usage_error when GDAL cannot read it.
std::shared_ptr<OGRSpatialReference> read_crs(const std::string& crs) {
    auto srs = std::make_shared<OGRSpatialReference>();
    CPLErrorReset();
    if (crs.empty() || srs->SetFromUserInput(crs.c_str()) != OGRERR_NONE) {
        throw usage_error("--out-crs '" + crs +
                          "': not a CRS GDAL knows; give e.g. EPSG:2154 (Lambert-93), EPSG:3857, "
                          "a WKT or a PROJ string.");
    }
    srs->SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

} // namespace

void check_output_crs(const std::string& crs) { (void)read_crs(crs); }

void OutputGeometryLog::set_output_crs(const std::string& crs) {
    m_srs = read_crs(crs);
    const auto wgs84 = io::wgs84();
    m_ct.reset(OGRCreateCoordinateTransformation(&wgs84, m_srs.get()));
    if (!m_ct) {
        throw usage_error("--out-crs '" + crs + "': no transformation from WGS84 to it.");
    }
    m_crs = crs;
    m_grid = m_srs->IsGeographic() != 0 ? geo::output_grid_deg : 0.01;
}

OGRSpatialReference OutputGeometryLog::srs() const { return m_srs ? *m_srs : io::wgs84(); }

std::string OutputGeometryLog::authid() const {
    const auto s = srs();
    const char* name = s.GetAuthorityName(nullptr);
    const char* code = s.GetAuthorityCode(nullptr);
    return name != nullptr && code != nullptr ? std::string(name) + ":" + code : std::string();
}

std::unique_ptr<OGRGeometry> OutputGeometryLog::point(double lon, double lat) const {
    double x = lon;
    double y = lat;
    if (m_ct) {
        std::unique_ptr<OGRCoordinateTransformation> ct(m_ct->Clone());
        if (!ct || ct->Transform(1, &x, &y) == FALSE) {
            throw runtime_failure("cannot transform the point " + std::to_string(lon) + ", " +
                                  std::to_string(lat) + " to " + m_crs);
        }
    }
    return std::make_unique<OGRPoint>(x, y);
}

std::unique_ptr<OGRGeometry> OutputGeometryLog::prepare(const geo::GeosContext& ctx,
                                                        const GEOSGeometry* g,
                                                        const std::string& layer,
                                                        const std::string& feature) {
    geo::GeomPtr projected;
    if (m_ct) {
        std::unique_ptr<OGRCoordinateTransformation> ct(m_ct->Clone());
        bool ok = ct != nullptr;
        projected = geo::transform_xy(ctx, g, [&](double x, double y) {
            ok = ok && ct->Transform(1, &x, &y) != FALSE;
            return std::pair{x, y};
        });
        if (!ok) {
            throw runtime_failure(layer + ", " + feature + ": cannot transform to " + m_crs);
        }
        g = projected.get();
    }
    auto s = geo::snap_round(ctx, g, m_ct ? m_grid : geo::output_grid_deg);
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
    if (m_srs) {
        return {{"crs", m_crs}, {"grid", m_grid}, {"layers", layers}};
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
