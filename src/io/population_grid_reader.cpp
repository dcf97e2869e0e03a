#include "maillage/io/population_grid_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/site_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <sstream>

namespace maillage::io {
namespace {

using geo::XY;
using model::PopulationGridOptions;
using model::PopulationGridReport;

std::string number(double v) { return core::format_number(v, 12); }

std::string extent_text(double x0, double y0, double x1, double y1) {
    std::ostringstream o;
    o.precision(10);
    o << "x " << x0 << " to " << x1 << ", y " << y0 << " to " << y1;
    return o.str();
}

/// GDAL's transformation from the grid's CRS to WGS84 lon/lat.
class GdalLonLat final : public model::LonLatTransform {
public:
    explicit GdalLonLat(std::unique_ptr<OGRCoordinateTransformation> ct) : m_ct(std::move(ct)) {}
    void apply(std::size_t n, double* x, double* y, int* ok) override {
        m_ct->Transform(static_cast<int>(n), x, y, nullptr, ok);
    }
    [[nodiscard]] std::unique_ptr<model::LonLatTransform> clone() const override {
        return std::make_unique<GdalLonLat>(
            std::unique_ptr<OGRCoordinateTransformation>(m_ct->Clone()));
    }

private:
    std::unique_ptr<OGRCoordinateTransformation> m_ct;
};

/// The rectangle of the analysis grid seen in the source CRS: the bounding box of its boundary
/// taken there, widened by 1 % a side.
struct SourceWindow {
    double x0, y0, x1, y1;
    bool wraps = false; ///< geographic source whose window goes round the antimeridian
};

/// The window of the study rectangle (its boundary in lon/lat) in the CRS `src` of the grid at
/// `path`; nullopt when no boundary point can be transformed.
std::optional<SourceWindow> source_window(const std::vector<geo::LonLat>& boundary,
                                          const OGRSpatialReference& src, const std::string& path) {
    std::vector<double> xs;
    std::vector<double> ys;
    for (const auto& ll : boundary) {
        xs.push_back(ll.lon);
        ys.push_back(ll.lat);
    }
    OGRSpatialReference target(src);
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const auto wgs = wgs84();
    std::vector<int> ok(xs.size(), TRUE);
    if (target.IsSame(&wgs) == 0) {
        std::unique_ptr<OGRCoordinateTransformation> ct(
            OGRCreateCoordinateTransformation(&wgs, &target));
        if (!ct) {
            throw input_error(path + ": cannot transform from WGS84 to " + crs_name(&target) +
                              ": " + gdal_last_error());
        }
        ct->Transform(static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data());
    }
    SourceWindow w{std::numeric_limits<double>::max(), std::numeric_limits<double>::max(),
                   -std::numeric_limits<double>::max(), -std::numeric_limits<double>::max()};
    bool any = false;
    for (std::size_t i = 0; i < xs.size(); ++i) {
        if (ok[i] == FALSE || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) {
            continue;
        }
        any = true;
        w.x0 = std::min(w.x0, xs[i]);
        w.x1 = std::max(w.x1, xs[i]);
        w.y0 = std::min(w.y0, ys[i]);
        w.y1 = std::max(w.y1, ys[i]);
    }
    if (!any) {
        return std::nullopt;
    }
    // Widened by 1 % a side: the boundary's image may bulge a little between the samples.
    const double mx = 0.01 * (w.x1 - w.x0);
    const double my = 0.01 * (w.y1 - w.y0);
    w.x0 -= mx;
    w.x1 += mx;
    w.y0 -= my;
    w.y1 += my;
    // A geographic grid around the antimeridian or a pole: a box of longitudes means nothing.
    w.wraps = target.IsGeographic() != 0 && (w.x1 - w.x0 > 180.0 || w.y1 > 89.0 || w.y0 < -89.0);
    return w;
}

/// The cell of a vector grid's feature `f`: where it is, its population, its rings. nullopt
/// for a cell without geometry and without population. Throws input_error on anything else
/// unusable.
class PolygonParser {
public:
    PolygonParser(const PopulationGridOptions& o, std::string field, int index, bool numeric)
        : m_o(o), m_field(std::move(field)), m_idx(index), m_numeric(numeric) {}

    std::optional<model::PopulationPolygon> parse(OGRFeature& f) const {
        model::PopulationPolygon sp;
        sp.where = m_o.path + ": " + feature_where(false, f.GetFID());
        sp.population = population(f, sp.where);
        const OGRGeometry* g = f.GetGeometryRef();
        if (g == nullptr || g->IsEmpty() != 0) {
            if (sp.population > 0) {
                throw input_error(sp.where + ": no geometry, with a population of " +
                                  number(sp.population) + " that would be lost.");
            }
            return std::nullopt;
        }
        std::unique_ptr<OGRGeometry> linear;
        if (g->hasCurveGeometry() != FALSE) {
            linear.reset(g->getLinearGeometry());
            g = linear.get();
        }
        const auto gt = wkbFlatten(g->getGeometryType());
        if (gt == wkbPolygon) {
            add_polygon(*g->toPolygon(), sp);
        } else if (gt == wkbMultiPolygon) {
            for (const auto* p : *g->toMultiPolygon()) {
                add_polygon(*p, sp);
            }
        } else {
            throw input_error(sp.where + ": a " + OGRGeometryTypeToName(gt) +
                              ", not a polygon: not a population grid. A vector population "
                              "grid is made of polygons (squares) with a population field.");
        }
        return sp;
    }

private:
    double population(const OGRFeature& f, const std::string& where) const {
        std::optional<double> v;
        if (f.IsFieldSetAndNotNull(m_idx)) {
            v = m_numeric ? std::optional<double>(f.GetFieldAsDouble(m_idx))
                          : parse_number(f.GetFieldAsString(m_idx));
        }
        if (!v || !std::isfinite(*v) || *v < 0) {
            const std::string shown = f.IsFieldSetAndNotNull(m_idx)
                                          ? "'" + std::string(f.GetFieldAsString(m_idx)) + "'"
                                          : std::string("empty");
            throw input_error(where + ": population (" + m_field + ") " + shown +
                              " is not a non-negative number. Fix the value (0 for an empty "
                              "square) or name another field with " +
                              m_o.option + "-field.");
        }
        return *v;
    }

    static void add_polygon(const OGRPolygon& poly, model::PopulationPolygon& sp) {
        bool first = true;
        for (const auto* ring : poly) {
            std::vector<XY> pts;
            const int n = ring->getNumPoints();
            pts.reserve(static_cast<std::size_t>(std::max(n, 0)));
            for (int i = 0; i < n; ++i) {
                pts.push_back({ring->getX(i), ring->getY(i)});
            }
            if (pts.size() > 1 && pts.front().x == pts.back().x && pts.front().y == pts.back().y) {
                pts.pop_back();
            }
            if (pts.size() >= 3) {
                sp.rings.push_back(std::move(pts));
                sp.holes.push_back(!first);
            }
            first = false;
        }
    }

    const PopulationGridOptions& m_o;
    std::string m_field;
    int m_idx;
    bool m_numeric;
};

/// A population grid read with GDAL.
class GdalPopulationGrid final : public model::PopulationGridSource {
public:
    explicit GdalPopulationGrid(PopulationGridOptions options) : m_o(std::move(options)) {
        m_o.source.reset();
    }

    void open(const std::vector<geo::LonLat>& boundary, PopulationGridReport& rep) override {
        init_gdal();
        rep.path = m_o.path;
        open_dataset();
        rep.driver = m_ds->GetDriver() != nullptr ? m_ds->GetDriver()->GetDescription() : "";
        rep.files = dataset_files(*m_ds, m_o.path);
        if (m_o.field.empty() && m_ds->GetRasterCount() > 0) {
            m_raster = true;
            open_raster(boundary, rep);
            return;
        }
        if (m_ds->GetLayerCount() < 1) {
            throw input_error(m_o.path + ": holds neither a raster band nor a vector layer: not a "
                                         "population grid.");
        }
        open_layer(boundary, rep);
    }

    [[nodiscard]] bool is_raster() const override { return m_raster; }
    [[nodiscard]] const model::PopulationRaster& raster() const override { return m_window; }

    void read_rows(int rb, int nr, std::vector<double>& values) override {
        const int ww = m_window.col1 - m_window.col0;
        values.assign(static_cast<std::size_t>(ww) * static_cast<std::size_t>(nr), 0.0);
        CPLErr err = CE_None;
        {
            const std::lock_guard<std::mutex> lock(m_read);
            err = m_band->RasterIO(GF_Read, m_window.col0, rb, ww, nr, values.data(), ww, nr,
                                   GDT_Float64, 0, 0, nullptr);
        }
        if (err != CE_None) {
            throw input_error(m_o.path + ": cannot read rows " + std::to_string(rb) + " to " +
                              std::to_string(rb + nr - 1) + ": " + gdal_last_error());
        }
        check_pixels(rb, nr, values);
    }

    bool read_polygons(std::size_t max, std::vector<model::PopulationPolygon>& cells,
                       std::uint64_t& read, std::uint64_t& populated) override {
        cells.clear();
        while (cells.size() < max) {
            std::unique_ptr<OGRFeature> f(m_layer->GetNextFeature());
            if (!f) {
                return false;
            }
            ++read;
            auto sp = m_parser->parse(*f);
            if (!sp || sp->population == 0) {
                continue;
            }
            ++populated;
            if (sp->rings.empty()) {
                throw input_error(sp->where + ": the polygon has no ring of 3 points or more.");
            }
            cells.push_back(std::move(*sp));
        }
        return true;
    }

    [[nodiscard]] std::unique_ptr<model::LonLatTransform> to_lonlat() const override {
        return m_to_lonlat ? m_to_lonlat->clone() : nullptr;
    }

    [[noreturn]] void no_overlap() const override {
        const auto& w = m_source_window;
        throw input_error(
            m_o.path + ": the population grid does not overlap the study area: the grid covers " +
            m_grid_extent +
            (w ? "; the study area covers " + extent_text(w->x0, w->y0, w->x1, w->y1)
               : std::string()) +
            " (in " + m_crs +
            "). Check that the grid covers the zones and that its CRS is right "
            "(" +
            m_o.option + "-crs).");
    }

private:
    /// Checks the path and opens it: a field names a vector grid; otherwise a raster when the
    /// file is one.
    void open_dataset() {
        const auto& path = m_o.path;
        std::error_code ec;
        if (!std::filesystem::exists(path, ec) && path.rfind("/vsi", 0) != 0) {
            throw input_error(path + ": no such file (" + m_o.option +
                              "). Check the path (relative paths "
                              "are taken from " +
                              std::filesystem::current_path().string() + ").");
        }
        if (std::filesystem::is_directory(path, ec)) {
            throw input_error(path + ": is a folder, not a population grid (" + m_o.option + ").");
        }
        const unsigned kinds =
            m_o.field.empty() ? (GDAL_OF_RASTER | GDAL_OF_VECTOR) : GDAL_OF_VECTOR;
        CPLErrorReset();
        m_ds.reset(
            GDALDataset::Open(path.c_str(), kinds | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        if (!m_ds && !m_o.field.empty()) {
            GDALDatasetUniquePtr raster(
                GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
            if (raster) {
                const std::string field_option = m_o.option + "-field";
                throw input_error(path + ": is a raster: " + field_option +
                                  " applies to vector grids only (a raster's population is its "
                                  "band 1). Drop " +
                                  field_option + ".");
            }
        }
        if (!m_ds) {
            const char* msg = CPLGetLastErrorMsg();
            throw input_error(path +
                              ": cannot be read as a population grid (a raster or a vector "
                              "layer of squares): " +
                              ((msg != nullptr && *msg != '\0')
                                   ? std::string(msg)
                                   : "GDAL recognises no format in it (empty, truncated or not a "
                                     "GIS file?)"));
        }
    }

    /// The grid's CRS: the user's, else the file's; none is an error.
    void set_crs(const OGRSpatialReference* declared, PopulationGridReport& rep) {
        if (!m_o.crs.empty()) {
            m_srs = parse_crs(m_o.crs, m_o.option + "-crs");
        } else if (declared != nullptr) {
            m_srs = *declared;
        } else {
            throw input_error(m_o.path + ": the population grid declares no CRS. Give it with " +
                              m_o.option +
                              "-crs (EPSG:3035 for INSEE Filosofi, ESRI:54009 "
                              "for GHS-POP in Mollweide).");
        }
        m_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        m_crs = crs_name(&m_srs);
        rep.crs = m_crs;
    }

    /// The window of the study area in the grid's CRS; no window is no overlap.
    void find_window(const std::vector<geo::LonLat>& boundary) {
        m_source_window = source_window(boundary, m_srs, m_o.path);
        if (!m_source_window) {
            no_overlap();
        }
    }

    /// The transformation from the grid's CRS to lon/lat; an error names the file.
    void make_transform() {
        std::unique_ptr<OGRCoordinateTransformation> ct;
        try {
            ct = to_wgs84(m_srs);
        } catch (const input_error& e) {
            throw input_error(m_o.path + ": " + e.what());
        }
        if (ct) {
            m_to_lonlat = std::make_unique<GdalLonLat>(std::move(ct));
        }
    }

    void open_raster(const std::vector<geo::LonLat>& boundary, PopulationGridReport& rep);
    void raster_window();
    void check_pixels(int rb, int nr, const std::vector<double>& values) const;
    void open_layer(const std::vector<geo::LonLat>& boundary, PopulationGridReport& rep);
    int population_field(OGRFeatureDefn& defn, PopulationGridReport& rep) const;

    PopulationGridOptions m_o;
    GDALDatasetUniquePtr m_ds;
    bool m_raster = false;
    OGRSpatialReference m_srs;
    std::string m_crs;
    std::string m_grid_extent;
    std::optional<SourceWindow> m_source_window;
    std::unique_ptr<model::LonLatTransform> m_to_lonlat;
    // Raster
    model::PopulationRaster m_window;
    int m_width = 0;
    int m_height = 0;
    GDALRasterBand* m_band = nullptr;
    std::mutex m_read;
    // Vector grid
    OGRLayer* m_layer = nullptr;
    std::optional<PolygonParser> m_parser;
};

void GdalPopulationGrid::open_raster(const std::vector<geo::LonLat>& boundary,
                                     PopulationGridReport& rep) {
    auto& ds = *m_ds;
    rep.kind = "raster";
    const int bands = ds.GetRasterCount();
    rep.layer = "band 1 of " + std::to_string(bands);
    auto& gt = m_window.geotransform;
    if (ds.GetGeoTransform(gt.data()) != CE_None) {
        throw input_error(m_o.path +
                          ": the raster has no georeferencing (no geotransform): it is not a "
                          "population grid. Use a GeoTIFF with a CRS and a geotransform.");
    }
    set_crs(ds.GetSpatialRef(), rep);
    m_width = ds.GetRasterXSize();
    m_height = ds.GetRasterYSize();
    rep.source_cells = static_cast<std::uint64_t>(m_width) * static_cast<std::uint64_t>(m_height);
    m_band = ds.GetRasterBand(1);
    int has_nodata = FALSE;
    m_window.nodata = m_band->GetNoDataValue(&has_nodata);
    m_window.has_nodata = has_nodata != FALSE;

    double gx0 = std::numeric_limits<double>::max();
    double gy0 = gx0;
    double gx1 = -gx0;
    double gy1 = -gx0;
    for (const XY p : {m_window.at(0, 0), m_window.at(m_width, 0), m_window.at(0, m_height),
                       m_window.at(m_width, m_height)}) {
        gx0 = std::min(gx0, p.x);
        gx1 = std::max(gx1, p.x);
        gy0 = std::min(gy0, p.y);
        gy1 = std::max(gy1, p.y);
    }
    m_grid_extent = extent_text(gx0, gy0, gx1, gy1);
    // The window of pixels that can reach the analysis rectangle, one pixel of margin.
    find_window(boundary);
    raster_window();
    make_transform();
}

void GdalPopulationGrid::raster_window() {
    const auto& w = *m_source_window;
    std::array<double, 6> inv{};
    if (GDALInvGeoTransform(m_window.geotransform.data(), inv.data()) == FALSE) {
        throw input_error(m_o.path + ": the raster's geotransform cannot be inverted.");
    }
    double c0 = std::numeric_limits<double>::max();
    double r0 = c0;
    double c1 = -c0;
    double r1 = -c0;
    for (const XY p : {XY{w.x0, w.y0}, XY{w.x1, w.y0}, XY{w.x0, w.y1}, XY{w.x1, w.y1}}) {
        const double c = inv[0] + p.x * inv[1] + p.y * inv[2];
        const double r = inv[3] + p.x * inv[4] + p.y * inv[5];
        c0 = std::min(c0, c);
        c1 = std::max(c1, c);
        r0 = std::min(r0, r);
        r1 = std::max(r1, r);
    }
    const auto width = static_cast<double>(m_width);
    const auto height = static_cast<double>(m_height);
    m_window.col0 = 0;
    m_window.col1 = m_width;
    if (!w.wraps) {
        m_window.col0 = static_cast<int>(std::clamp(std::floor(c0) - 1, 0.0, width));
        m_window.col1 = static_cast<int>(std::clamp(std::ceil(c1) + 1, 0.0, width));
    }
    m_window.row0 = static_cast<int>(std::clamp(std::floor(r0) - 1, 0.0, height));
    m_window.row1 = static_cast<int>(std::clamp(std::ceil(r1) + 1, 0.0, height));
    if (w.wraps && m_srs.IsGeographic() != 0 && (w.y1 > 89.0 || w.y0 < -89.0)) {
        m_window.row0 = 0;
        m_window.row1 = m_height;
    }
    if (m_window.col0 >= m_window.col1 || m_window.row0 >= m_window.row1) {
        no_overlap();
    }
}

void GdalPopulationGrid::check_pixels(int rb, int nr, const std::vector<double>& values) const {
    const int ww = m_window.col1 - m_window.col0;
    for (int j = 0; j < nr; ++j) {
        for (int i = 0; i < ww; ++i) {
            const double v = values[static_cast<std::size_t>(j) * ww + i];
            if (std::isnan(v) || (m_window.has_nodata && v == m_window.nodata)) {
                continue;
            }
            if (!(v >= 0.0) || !std::isfinite(v)) {
                throw input_error(m_o.path + ": pixel (column " +
                                  std::to_string(m_window.col0 + i) + ", row " +
                                  std::to_string(rb + j) + "): population " + number(v) +
                                  " is not a non-negative number. If it marks missing data, "
                                  "declare it as nodata (gdal_edit.py -a_nodata " +
                                  number(v) + " FILE).");
            }
        }
    }
}

int GdalPopulationGrid::population_field(OGRFeatureDefn& defn, PopulationGridReport& rep) const {
    if (!m_o.field.empty()) {
        const int idx = find_field(defn, m_o.field);
        if (idx < 0) {
            throw input_error(m_o.path + ": no field '" + m_o.field + "' in layer '" + rep.layer +
                              "' (fields: " + field_list(defn) +
                              "). Name the population field with " + m_o.option + "-field.");
        }
        rep.field = m_o.field;
        return idx;
    }
    rep.field = first_present(defn, {"ind", "population"});
    if (rep.field.empty()) {
        throw input_error(m_o.path + ": no population field 'ind' or 'population' in layer '" +
                          rep.layer + "' (fields: " + field_list(defn) + "). Name it with " +
                          m_o.option + "-field.");
    }
    return find_field(defn, rep.field);
}

void GdalPopulationGrid::open_layer(const std::vector<geo::LonLat>& boundary,
                                    PopulationGridReport& rep) {
    rep.kind = "vector";
    m_layer = m_ds->GetLayer(0);
    rep.layer = m_layer->GetName();
    OGRFeatureDefn& defn = *m_layer->GetLayerDefn();
    const int idx = population_field(defn, rep);
    const auto type = wkbFlatten(m_layer->GetGeomType());
    if (type == wkbNone) {
        throw input_error(m_o.path + ": the layer '" + rep.layer +
                          "' has no geometry: not a population grid (squares with a population "
                          "field, or a raster).");
    }
    if (type == wkbPoint || type == wkbMultiPoint || type == wkbLineString ||
        type == wkbMultiLineString) {
        throw input_error(m_o.path + ": the layer '" + rep.layer + "' holds " +
                          OGRGeometryTypeToName(type) +
                          " features: not a population grid. A vector population grid is made of "
                          "polygons (squares) with a population field.");
    }
    set_crs(m_layer->GetSpatialRef(), rep);
    rep.source_cells = static_cast<std::uint64_t>(std::max<GIntBig>(0, m_layer->GetFeatureCount()));
    m_grid_extent = "an unknown extent";
    if (OGREnvelope env; m_layer->GetExtent(&env, TRUE) == OGRERR_NONE) {
        m_grid_extent = extent_text(env.MinX, env.MinY, env.MaxX, env.MaxY);
    }
    find_window(boundary);
    if (!m_source_window->wraps) {
        const auto& w = *m_source_window;
        m_layer->SetSpatialFilterRect(w.x0, w.y0, w.x1, w.y1);
    }
    m_layer->ResetReading();
    const auto t = defn.GetFieldDefn(idx)->GetType();
    const bool numeric = t == OFTInteger || t == OFTInteger64 || t == OFTReal;
    m_parser.emplace(m_o, rep.field, idx, numeric);
    make_transform();
}

} // namespace

std::shared_ptr<model::PopulationGridSource>
population_grid_source(const model::PopulationGridOptions& options) {
    return std::make_shared<GdalPopulationGrid>(options);
}

} // namespace maillage::io
