#include "maillage/io/inspect.hpp"

#include "maillage/geo/geodesic.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/site_reader.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

namespace maillage::io {
namespace {

/// The checks of one layer, fed one feature at a time.
class LayerInspector {
public:
    LayerInspector(OGRLayer& layer, bool csv, const InspectOptions& options, std::size_t& problems)
        : m_defn(*layer.GetLayerDefn()), m_csv(csv), m_problems(problems) {
        m_id_field =
            !options.id_field.empty() ? options.id_field : first_present(m_defn, {"id", "code"});
        m_id_idx = m_id_field.empty() ? -1 : find_field(m_defn, m_id_field);
        m_pop_idx = find_field(m_defn, options.population_field);
        if (csv) {
            m_lon_idx = find_field(m_defn, first_present(m_defn, lon_column_names()));
            m_lat_idx = find_field(m_defn, first_present(m_defn, lat_column_names()));
        }
        m_geographic =
            csv || layer.GetSpatialRef() == nullptr || layer.GetSpatialRef()->IsGeographic() != 0;
        m_info.name = layer.GetName();
        m_info.crs = crs_name(layer.GetSpatialRef());
        m_info.geometry_type = OGRGeometryTypeToName(layer.GetGeomType());
        for (int i = 0; i < m_defn.GetFieldCount(); ++i) {
            m_info.fields.push_back(
                {m_defn.GetFieldDefn(i)->GetNameRef(),
                 OGRFieldDefn::GetFieldTypeName(m_defn.GetFieldDefn(i)->GetType())});
        }
    }

    void feature(const OGRFeature& f) {
        ++m_info.features;
        const std::string where = feature_where(m_csv, f.GetFID());
        if (const auto xy = coordinates(f, where)) {
            point(*xy, where);
        }
        if (m_id_idx >= 0) {
            check_id(f, where);
        }
        if (m_pop_idx >= 0) {
            check_population(f, where);
        }
    }

    /// The description, once every feature has been fed.
    LayerInfo finish() {
        if (m_swapped_like > 0) {
            auto& p = m_info.problems["latitude beyond 90 with a longitude that would be a "
                                      "latitude: lon/lat swapped?"];
            p.where.push_back(std::to_string(m_swapped_like) + " of " + std::to_string(m_points) +
                              " points");
            p.count = p.where.size();
            ++m_problems;
        }
        if (std::isfinite(m_x0)) {
            m_info.extent = std::array<double, 4>{m_x0, m_y0, m_x1, m_y1};
        }
        return std::move(m_info);
    }

private:
    void add(const std::string& kind, const std::string& where) {
        auto& p = m_info.problems[kind];
        ++p.count;
        if (p.where.size() < 10) {
            p.where.push_back(where);
        } else if (p.where.size() == 10) {
            p.where.emplace_back("...");
        }
        ++m_problems;
    }

    void extend(double x0, double y0, double x1, double y1) {
        m_x0 = std::min(m_x0, x0);
        m_y0 = std::min(m_y0, y0);
        m_x1 = std::max(m_x1, x1);
        m_y1 = std::max(m_y1, y1);
    }

    /// The feature's point (CSV lon/lat, or a Point geometry), after checking its geometry.
    std::optional<std::pair<double, double>> coordinates(const OGRFeature& f,
                                                         const std::string& where) {
        if (m_csv && m_lon_idx >= 0 && m_lat_idx >= 0) {
            const auto x = parse_number(f.GetFieldAsString(m_lon_idx));
            const auto y = parse_number(f.GetFieldAsString(m_lat_idx));
            m_info.geometries["Point"]++;
            if (!x || !y) {
                add("no usable coordinates", where);
                return std::nullopt;
            }
            return std::pair{*x, *y};
        }
        const OGRGeometry* g = f.GetGeometryRef();
        if (g == nullptr || g->IsEmpty() != 0) {
            add("no geometry", where);
            return std::nullopt;
        }
        m_info.geometries[OGRGeometryTypeToName(g->getGeometryType())]++;
        OGREnvelope e;
        g->getEnvelope(&e);
        extend(e.MinX, e.MinY, e.MaxX, e.MaxY);
        std::optional<std::pair<double, double>> xy;
        if (wkbFlatten(g->getGeometryType()) == wkbPoint) {
            xy = std::pair{g->toPoint()->getX(), g->toPoint()->getY()};
        } else if (g->IsValid() == FALSE) {
            add("invalid geometry (maillage repairs it)", where);
        }
        if (m_geographic && (std::abs(e.MinY) > 90 || std::abs(e.MaxY) > 90 ||
                             std::abs(e.MinX) > 360 || std::abs(e.MaxX) > 360)) {
            add("coordinates out of lon/lat range", where);
        }
        return xy;
    }

    void point(std::pair<double, double> xy, const std::string& where) {
        ++m_points;
        extend(xy.first, xy.second, xy.first, xy.second);
        if (m_geographic) {
            if (!geo::is_valid_lonlat({xy.first, xy.second})) {
                add("coordinates out of lon/lat range", where);
            }
            if (std::abs(xy.second) > 90 && std::abs(xy.first) <= 90) {
                ++m_swapped_like;
            }
        }
    }

    void check_id(const OGRFeature& f, const std::string& where) {
        const std::string id = f.IsFieldSetAndNotNull(m_id_idx) ? f.GetFieldAsString(m_id_idx) : "";
        if (id.empty()) {
            add("empty " + m_id_field, where);
        } else if (auto [it, ins] = m_seen.emplace(id, where); !ins) {
            add("duplicate " + m_id_field, where + " (" + id + ", first at " + it->second + ")");
        }
    }

    void check_population(const OGRFeature& f, const std::string& where) {
        const auto t = m_defn.GetFieldDefn(m_pop_idx)->GetType();
        std::optional<double> v;
        if (f.IsFieldSetAndNotNull(m_pop_idx)) {
            v = (t == OFTInteger || t == OFTInteger64 || t == OFTReal)
                    ? std::optional<double>(f.GetFieldAsDouble(m_pop_idx))
                    : parse_number(f.GetFieldAsString(m_pop_idx));
        }
        if (!v) {
            add("population missing or not a number", where);
        } else if (*v < 0) {
            add("negative population", where);
        }
    }

    OGRFeatureDefn& m_defn;
    bool m_csv = false;
    std::size_t& m_problems;
    LayerInfo m_info;
    std::string m_id_field;
    int m_id_idx = -1;
    int m_pop_idx = -1;
    int m_lon_idx = -1;
    int m_lat_idx = -1;
    bool m_geographic = true;
    std::map<std::string, std::string> m_seen; ///< id -> where first seen
    static constexpr double inf = std::numeric_limits<double>::infinity();
    double m_x0 = inf;
    double m_y0 = inf;
    double m_x1 = -inf;
    double m_y1 = -inf;
    std::size_t m_swapped_like = 0;
    std::size_t m_points = 0;
};

} // namespace

DatasetInfo inspect_vector(const std::string& path, const InspectOptions& options) {
    const bool csv = is_csv_path(path);
    auto ds = open_vector(path, csv ? std::vector<std::string>{"KEEP_GEOM_COLUMNS=YES"}
                                    : std::vector<std::string>{});
    DatasetInfo out;
    out.driver = ds->GetDriver() != nullptr ? ds->GetDriver()->GetDescription() : "";
    for (int li = 0; li < ds->GetLayerCount(); ++li) {
        OGRLayer* layer = ds->GetLayer(li);
        LayerInspector inspector(*layer, csv, options, out.problems);
        for (auto& f : *layer) {
            inspector.feature(*f);
        }
        out.layers.push_back(inspector.finish());
    }
    return out;
}

} // namespace maillage::io
