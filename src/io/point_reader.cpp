#include "maillage/io/point_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/site_reader.hpp"

#include <memory>
#include <strings.h>

namespace maillage::io {
namespace {

struct OgrGeometryDeleter {
    void operator()(OGRGeometry* g) const { OGR_G_DestroyGeometry(OGRGeometry::ToHandle(g)); }
};

/// Position of the first of `names` in `header` (case-insensitive), or -1.
std::ptrdiff_t column(const std::vector<std::string>& header,
                      const std::vector<std::string>& names) {
    for (const auto& n : names) {
        for (std::size_t i = 0; i < header.size(); ++i) {
            if (strcasecmp(header[i].c_str(), n.c_str()) == 0) {
                return static_cast<std::ptrdiff_t>(i);
            }
        }
    }
    return -1;
}

} // namespace

std::optional<geo::LonLat> reference_point(const OGRGeometry* g) {
    if (g == nullptr || g->IsEmpty() != 0) {
        return std::nullopt;
    }
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPoint) {
        return geo::LonLat{g->toPoint()->getX(), g->toPoint()->getY()};
    }
    OGRPoint p;
    if (g->Centroid(&p) == OGRERR_NONE && (type == wkbMultiPoint || type == wkbLineString ||
                                           type == wkbMultiLineString || g->Contains(&p) != 0)) {
        return geo::LonLat{p.getX(), p.getY()};
    }
    const std::unique_ptr<OGRGeometry, OgrGeometryDeleter> q(OGRGeometry::FromHandle(
        OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(g)))));
    if (q) {
        auto* const h = OGRGeometry::ToHandle(q.get());
        return geo::LonLat{OGR_G_GetX(h, 0), OGR_G_GetY(h, 0)};
    }
    return std::nullopt;
}

PointLayer::PointLayer(const std::string& path, const std::string& crs_override)
    : m_path(path), m_csv(is_csv_path(path)) {
    m_ds = open_vector(path, m_csv ? std::vector<std::string>{"KEEP_GEOM_COLUMNS=YES"}
                                   : std::vector<std::string>{});
    m_layer = first_layer(*m_ds, path);
    OGRFeatureDefn& d = defn();
    if (m_csv) {
        const auto lon = first_present(d, lon_column_names());
        const auto lat = first_present(d, lat_column_names());
        if (lon.empty() || lat.empty()) {
            throw input_error(path + ": no longitude/latitude columns (looked for " +
                              lonlat_names_text() + "; columns are: " + field_list(d) + ").");
        }
        m_lon_idx = find_field(d, lon);
        m_lat_idx = find_field(d, lat);
    }
    m_crs = resolve_crs(*m_layer, crs_override, "--points-crs", m_csv);
    m_layer->ResetReading();
}

bool PointLayer::next(PointFeature& out) {
    out.feature.reset(m_layer->GetNextFeature());
    if (!out.feature) {
        return false;
    }
    auto& f = *out.feature;
    const auto& ct = m_crs.to_wgs84;
    std::optional<geo::LonLat> p;
    if (m_csv) {
        const auto x = parse_number(f.GetFieldAsString(m_lon_idx));
        const auto y = parse_number(f.GetFieldAsString(m_lat_idx));
        if (x && y) {
            p = geo::LonLat{*x, *y};
        }
    } else {
        if (OGRGeometry* g = f.GetGeometryRef(); g != nullptr && ct) {
            g->transform(ct.get());
        }
        p = reference_point(f.GetGeometryRef());
    }
    out.missing = !p;
    if (m_csv && p && ct) {
        double x = p->lon;
        double y = p->lat;
        if (ct->Transform(1, &x, &y) != 0) {
            p = geo::LonLat{x, y};
        } else {
            p.reset();
        }
    }
    if (p && !geo::is_valid_lonlat(*p)) {
        p.reset();
    }
    out.point = p;
    return true;
}

CsvPointReader::CsvPointReader(const std::string& path) : m_path(path), m_in(path) {
    const auto& h = m_in.header();
    const auto lon = column(h, lon_column_names());
    const auto lat = column(h, lat_column_names());
    if (lon < 0 || lat < 0) {
        std::string cols;
        for (const auto& c : h) {
            cols += (cols.empty() ? "" : ", ") + c;
        }
        throw input_error(path + ": no longitude/latitude columns (looked for " +
                          lonlat_names_text() + "; columns are: " + cols + ").");
    }
    m_lon = static_cast<std::size_t>(lon);
    m_lat = static_cast<std::size_t>(lat);
}

bool CsvPointReader::next(std::vector<std::string>& record, std::optional<geo::LonLat>& point) {
    if (!m_in.next(record)) {
        return false;
    }
    check_csv_field_count(m_path, m_in, record);
    const auto x = m_lon < record.size() ? parse_number(record[m_lon]) : std::nullopt;
    const auto y = m_lat < record.size() ? parse_number(record[m_lat]) : std::nullopt;
    point.reset();
    if (x && y) {
        const geo::LonLat p{x.value(), y.value()};
        if (geo::is_valid_lonlat(p)) {
            point = p;
        }
    }
    return true;
}

} // namespace maillage::io
