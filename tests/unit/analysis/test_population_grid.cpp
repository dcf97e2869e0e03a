// Population grids: spread_polygon's split of a polygon's population over the cells of a grid,
// against hand-worked cases and against GEOS (intersection of the polygon with every cell, by
// brute force); resample_population_grid on in-memory rasters and vector grids in the analysis
// projection, where each analysis cell's population can be worked out by hand.

#include "../support/test_support.hpp"
#include "maillage/analysis/population_grid.hpp"
#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/population_grid_reader.hpp"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <gtest/gtest.h>

#include <cmath>
#include <exception>
#include <functional>
#include <numbers>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

using maillage::analysis::Contribution;
using maillage::analysis::GridFrame;
using maillage::analysis::PlaneRing;
using maillage::analysis::polygon_area;
using maillage::analysis::PopulationGridOptions;
using maillage::analysis::PopulationGridReport;
using maillage::analysis::resample_population_grid;
using maillage::analysis::spread_polygon;
using maillage::geo::EqualAreaProjection;
using maillage::geo::GeosContext;
using maillage::geo::XY;

/// Per cell (row-major) the sum of the contributions.
std::vector<double> dense(const GridFrame& f, const std::vector<Contribution>& cs) {
    std::vector<double> out(static_cast<std::size_t>(f.width) * static_cast<std::size_t>(f.height));
    for (const auto& c : cs) {
        out.at(c.cell) += c.population;
    }
    return out;
}

PlaneRing ring(std::vector<XY> pts, bool hole = false) { return {std::move(pts), hole}; }

PlaneRing square(double x0, double y0, double side) {
    return ring({{x0, y0}, {x0 + side, y0}, {x0 + side, y0 + side}, {x0, y0 + side}});
}

std::string wkt_of(const std::vector<PlaneRing>& rings) {
    // One POLYGON per exterior, each followed by the holes listed after it.
    std::ostringstream o;
    o.precision(17);
    o << "MULTIPOLYGON(";
    bool first_poly = true;
    for (std::size_t k = 0; k < rings.size(); ++k) {
        if (!rings[k].hole) {
            if (!first_poly) {
                o << ")),";
            }
            o << "((";
            first_poly = false;
        } else {
            o << "),(";
        }
        const auto& pts = rings[k].points;
        for (std::size_t i = 0; i <= pts.size(); ++i) {
            const auto& p = pts[i % pts.size()];
            o << (i > 0 ? "," : "") << p.x << " " << p.y;
        }
    }
    o << ")))";
    return o.str();
}

/// Brute force with GEOS: population x area(polygon n cell) / area(polygon) for every cell.
std::vector<double> geos_reference(const GeosContext& ctx, const GridFrame& f,
                                   const std::vector<PlaneRing>& rings, double population,
                                   double& outside) {
    auto poly = maillage::test::read_wkt(ctx, wkt_of(rings));
    double area = 0.0;
    GEOSArea_r(ctx.get(), poly.get(), &area);
    std::vector<double> out(static_cast<std::size_t>(f.width) * static_cast<std::size_t>(f.height));
    double inside = 0.0;
    for (int r = 0; r < f.height; ++r) {
        for (int c = 0; c < f.width; ++c) {
            const double x0 = f.min_x + c * f.cell_m;
            const double y1 = f.max_y - r * f.cell_m;
            std::ostringstream w;
            w.precision(17);
            w << "POLYGON((" << x0 << " " << y1 - f.cell_m << "," << x0 + f.cell_m << " "
              << y1 - f.cell_m << "," << x0 + f.cell_m << " " << y1 << "," << x0 << " " << y1 << ","
              << x0 << " " << y1 - f.cell_m << "))";
            auto cell = maillage::test::read_wkt(ctx, w.str());
            GEOSGeometry* inter = GEOSIntersection_r(ctx.get(), poly.get(), cell.get());
            double a = 0.0;
            GEOSArea_r(ctx.get(), inter, &a);
            GEOSGeom_destroy_r(ctx.get(), inter);
            out[static_cast<std::size_t>(r) * f.width + c] = population * a / area;
            inside += a;
        }
    }
    outside = population * (area - inside) / area;
    return out;
}

double sum(const std::vector<double>& v) {
    double s = 0.0;
    for (double x : v) {
        s += x;
    }
    return s;
}

} // namespace

TEST(SpreadPolygon, SquareOffsetByHalfACellGivesQuarters) {
    // A 100 m square with its corner at the middle of cell (1, 1) of a 4 x 4 grid of 100 m:
    // a quarter of it in each of the four cells around (hand-worked).
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    std::vector<Contribution> cs;
    const std::vector<PlaneRing> rings{square(150.0, 150.0, 100.0)};
    const double beyond = spread_polygon(f, rings, polygon_area(rings), 80.0, cs);
    EXPECT_EQ(beyond, 0.0);
    const auto d = dense(f, cs);
    // Rows from the north: y 150..250 covers rows 1 (200..300) and 2 (100..200).
    const std::size_t expect_cells[] = {1 * 4 + 1, 1 * 4 + 2, 2 * 4 + 1, 2 * 4 + 2};
    for (auto c : expect_cells) {
        EXPECT_NEAR(d[c], 20.0, 1e-12) << "cell " << c;
    }
    EXPECT_NEAR(sum(d), 80.0, 1e-12);
    EXPECT_EQ(cs.size(), 4U);
}

TEST(SpreadPolygon, InsideOneCellAndAlignedCells) {
    const GridFrame f{1000.0, 2000.0, 200.0, 5, 5};
    std::vector<Contribution> cs;
    std::vector<PlaneRing> rings{square(1210.0, 1610.0, 50.0)}; // inside cell (row 1, col 1)
    EXPECT_EQ(spread_polygon(f, rings, polygon_area(rings), 7.5, cs), 0.0);
    ASSERT_EQ(cs.size(), 1U);
    EXPECT_EQ(cs[0].cell, 6U);
    EXPECT_EQ(cs[0].population, 7.5);
    // A square exactly on cell (row 2, col 3): all in it.
    cs.clear();
    rings = {square(1600.0, 1400.0, 200.0)};
    EXPECT_EQ(spread_polygon(f, rings, polygon_area(rings), 12.0, cs), 0.0);
    const auto d = dense(f, cs);
    EXPECT_NEAR(d[2 * 5 + 3], 12.0, 1e-12);
    EXPECT_NEAR(sum(d), 12.0, 1e-12);
}

TEST(SpreadPolygon, PartsOutsideTheGridAreReturned) {
    const GridFrame f{0.0, 300.0, 100.0, 3, 3};
    std::vector<Contribution> cs;
    // Half of a 100 m square west of the grid: 30 of 60 persons beyond, 30 in cell (0, 0).
    std::vector<PlaneRing> rings{square(-50.0, 200.0, 100.0)};
    EXPECT_NEAR(spread_polygon(f, rings, polygon_area(rings), 60.0, cs), 30.0, 1e-12);
    EXPECT_NEAR(sum(dense(f, cs)), 30.0, 1e-12);
    EXPECT_NEAR(dense(f, cs)[0], 30.0, 1e-12);
    // Wholly outside: everything returned, no contribution.
    cs.clear();
    rings = {square(500.0, 500.0, 100.0)};
    EXPECT_EQ(spread_polygon(f, rings, polygon_area(rings), 9.0, cs), 9.0);
    EXPECT_TRUE(cs.empty());
    // A corner of the grid: a 200 m square centred on (0, 0) has a quarter inside.
    cs.clear();
    rings = {square(-100.0, -100.0, 200.0)};
    const GridFrame g{0.0, 300.0, 100.0, 3, 3};
    // Its part y 0..100, x 0..100 is cell (row 2, col 0).
    EXPECT_NEAR(spread_polygon(g, rings, polygon_area(rings), 40.0, cs), 30.0, 1e-12);
    EXPECT_NEAR(dense(g, cs)[6], 10.0, 1e-12);
}

TEST(SpreadPolygon, OrientationAndHolesDoNotMatter) {
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    // A 300 m square with a 100 m hole in the middle cell (row 1..2 / col 1..2 centre), the
    // rings given clockwise: area 90,000 - 10,000 = 80,000 m2; the hole's cell (centred at
    // 200, 200) covers parts of 4 cells.
    std::vector<PlaneRing> rings{ring({{50, 50}, {50, 350}, {350, 350}, {350, 50}}),
                                 ring({{150, 150}, {250, 150}, {250, 250}, {150, 250}}, true)};
    EXPECT_NEAR(polygon_area(rings), 80000.0, 1e-9);
    std::vector<Contribution> cs;
    EXPECT_EQ(spread_polygon(f, rings, polygon_area(rings), 800.0, cs), 0.0);
    const auto d = dense(f, cs);
    // Per 100 m2 of land: 1 person. Corner cells (0,0): x 50..100, y 300..350 -> 2500 m2 -> 25.
    EXPECT_NEAR(d[0], 25.0, 1e-9);
    // Cell (1, 1): x 100..200, y 200..300, minus the hole's quarter 150..200 x 200..250.
    EXPECT_NEAR(d[1 * 4 + 1], 100.0 - 25.0, 1e-9);
    EXPECT_NEAR(sum(d), 800.0, 1e-9);
}

TEST(SpreadPolygon, RandomPolygonsMatchGeosBruteForce) {
    const GeosContext ctx;
    std::mt19937_64 rng(2024);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    int checked = 0;
    for (int t = 0; t < 300; ++t) {
        // Grid far from the origin (as LAEA coordinates can be), cell 100 m, 8 x 6.
        const GridFrame f{812300.0, -4417100.0, 100.0, 8, 6};
        std::vector<PlaneRing> rings;
        const int kind = t % 3;
        const double cx = f.min_x + u(rng) * 900.0 - 50.0; // sometimes past an edge
        const double cy = f.max_y - u(rng) * 700.0 + 50.0;
        if (kind == 0) {
            // A rotated, slightly sheared square (a reprojected grid cell).
            const double side = 20.0 + u(rng) * 300.0;
            const double a = u(rng) * std::numbers::pi;
            const double shear = 0.05 * (u(rng) - 0.5);
            std::vector<XY> pts;
            for (const auto& [px, py] :
                 {std::pair{-0.5, -0.5}, {0.5, -0.5}, {0.5, 0.5}, {-0.5, 0.5}}) {
                const double x = side * (px + shear * py);
                const double y = side * py;
                pts.push_back({cx + x * std::cos(a) - y * std::sin(a),
                               cy + x * std::sin(a) + y * std::cos(a)});
            }
            rings.push_back(ring(pts));
        } else {
            // A star-shaped, non-convex polygon of 5 to 16 vertices (kind 2: with a hole).
            const int n = 5 + static_cast<int>(u(rng) * 12);
            std::vector<XY> pts;
            for (int i = 0; i < n; ++i) {
                const double a = 2 * std::numbers::pi * i / n;
                const double r = 60.0 + u(rng) * 250.0;
                pts.push_back({cx + r * std::cos(a), cy + r * std::sin(a)});
            }
            rings.push_back(ring(pts));
            if (kind == 2) {
                rings.push_back(ring({{cx - 20, cy - 20},
                                      {cx + 25, cy - 20},
                                      {cx + 25, cy + 30},
                                      {cx - 20, cy + 30}},
                                     true));
            }
        }
        const double pop = 1.0 + u(rng) * 1000.0;
        std::vector<Contribution> cs;
        const double area = polygon_area(rings);
        const double beyond = spread_polygon(f, rings, area, pop, cs);
        double ref_outside = 0.0;
        const auto ref = geos_reference(ctx, f, rings, pop, ref_outside);
        const auto got = dense(f, cs);
        for (std::size_t c = 0; c < ref.size(); ++c) {
            ASSERT_NEAR(got[c], ref[c], 1e-8 * pop) << "case " << t << " cell " << c;
        }
        ASSERT_NEAR(beyond, ref_outside, 1e-8 * pop) << "case " << t;
        // Conservation.
        ASSERT_NEAR(sum(got) + beyond, pop, 1e-10 * pop) << "case " << t;
        ++checked;
    }
    EXPECT_EQ(checked, 300);
}

// --- resample_population_grid on in-memory files ------------------------------------------------

namespace {

// The files below are in the analysis projection's own CRS, so the source cells fall exactly on
// the analysis cells (or on known fractions of them) -- up to PROJ's inverse of LAEA (source CRS
// to lon/lat), which in PROJ 9.1 is off by about 0.5 mm 1 km from the centre (measured with
// pyproj: (0, 800) -> lon/lat -> forward gives y = 799.99948). A 0.5 mm shift moves 2.5e-6 of a
// 200 m cell's population: values are compared to 2e-5 relative.
double tol(double v) { return 2e-5 * std::abs(v) + 1e-9; }

/// resample_population_grid on the file `o` names, read by io::population_grid_source.
std::vector<double> resample(PopulationGridOptions o, const GridFrame& f,
                             const EqualAreaProjection& proj, PopulationGridReport& rep) {
    o.source = maillage::io::population_grid_source(o);
    return resample_population_grid(o, f, proj, rep);
}

/// A GeoTIFF in /vsimem/ in the projection's own CRS: pixel (i, j) holds value(i, j).
std::string vsimem_raster(const std::string& name, const EqualAreaProjection& proj, double west,
                          double north, double pixel, int w, int h,
                          const std::function<double(int, int)>& value, double nodata = -200.0) {
    maillage::io::init_gdal();
    const std::string path = "/vsimem/" + name + ".tif";
    auto* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), w, h, 1, GDT_Float64, nullptr));
    double gt[6] = {west, pixel, 0.0, north, 0.0, -pixel};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromProj4(proj.proj_string().c_str());
    ds->SetSpatialRef(&srs);
    std::vector<double> v(static_cast<std::size_t>(w) * h);
    for (int j = 0; j < h; ++j) {
        for (int i = 0; i < w; ++i) {
            v[static_cast<std::size_t>(j) * w + i] = value(i, j);
        }
    }
    auto* band = ds->GetRasterBand(1);
    band->SetNoDataValue(nodata);
    EXPECT_EQ(band->RasterIO(GF_Write, 0, 0, w, h, v.data(), w, h, GDT_Float64, 0, 0), CE_None);
    ds.reset();
    return path;
}

} // namespace

TEST(ResamplePopulationGrid, AlignedRasterIsCopiedCellForCell) {
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{-1000.0, 1000.0, 200.0, 10, 10};
    // The raster: the same 200 m cells, shifted by 2 columns and 1 row, 6 x 5 pixels.
    const auto path = vsimem_raster("aligned", proj, -600.0, 800.0, 200.0, 6, 5,
                                    [](int i, int j) { return 1.0 + i + 10.0 * j; });
    PopulationGridReport rep;
    const auto pop = resample({path, "", ""}, f, proj, rep);
    ASSERT_EQ(pop.size(), 100U);
    double total = 0.0;
    for (int r = 0; r < 10; ++r) {
        for (int c = 0; c < 10; ++c) {
            const int i = c - 2;
            const int j = r - 1;
            const double expected = (i >= 0 && i < 6 && j >= 0 && j < 5) ? 1.0 + i + 10.0 * j : 0.0;
            // Slivers of a neighbour (up to 46 persons) may land next door.
            EXPECT_NEAR(pop[static_cast<std::size_t>(r) * 10 + c], expected, tol(46.0))
                << "row " << r << " col " << c;
            total += expected;
        }
    }
    EXPECT_EQ(rep.kind, "raster");
    EXPECT_EQ(rep.cells_read, 30U);
    EXPECT_EQ(rep.cells_with_population, 30U);
    EXPECT_DOUBLE_EQ(rep.population_read, total);
    EXPECT_NEAR(rep.population_beyond_extent, 0.0, 1e-9);
    VSIUnlink(path.c_str());
}

TEST(ResamplePopulationGrid, HalfPixelShiftSplitsIntoQuarters) {
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{0.0, 1000.0, 100.0, 10, 10};
    // 100 m pixels shifted by half a pixel both ways; one pixel of 40 at (2, 3) and one of 8 at
    // (0, 0) that half leaves the grid to the west... and north: a quarter of it stays.
    const auto path = vsimem_raster("half", proj, -50.0, 1050.0, 100.0, 5, 5, [](int i, int j) {
        return (i == 2 && j == 3) ? 40.0 : (i == 0 && j == 0 ? 8.0 : 0.0);
    });
    PopulationGridReport rep;
    const auto pop = resample({path, "", ""}, f, proj, rep);
    // Pixel (2, 3) covers x 150..250, y 650..750: cells cols 1-2, rows 2-3, 10 each.
    for (const auto& [r, c] : {std::pair{2, 1}, {2, 2}, {3, 1}, {3, 2}}) {
        EXPECT_NEAR(pop[static_cast<std::size_t>(r) * 10 + c], 10.0, tol(40.0));
    }
    EXPECT_NEAR(pop[0], 2.0, tol(8.0)); // pixel (0, 0): x -50..50, y 950..1050: a quarter in cell 0
    EXPECT_NEAR(rep.population_beyond_extent, 6.0, tol(8.0));
    EXPECT_NEAR(sum(pop) + rep.population_beyond_extent, 48.0, 1e-9);
    EXPECT_EQ(rep.cells_with_population, 2U);
    VSIUnlink(path.c_str());
}

TEST(ResamplePopulationGrid, NodataIsSkippedAndNegativeIsAnError) {
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    const auto ok = vsimem_raster("nodata", proj, 0.0, 400.0, 100.0, 4, 4,
                                  [](int i, int j) { return i == 0 ? -200.0 : 1.0 * j; });
    PopulationGridReport rep;
    const auto pop = resample({ok, "", ""}, f, proj, rep);
    EXPECT_EQ(rep.cells_read, 12U); // 4 nodata pixels are not read
    EXPECT_NEAR(sum(pop) + rep.population_beyond_extent, 3 * (0 + 1 + 2 + 3), 1e-9);
    EXPECT_NEAR(rep.population_beyond_extent, 0.0, tol(18.0));
    const auto bad = vsimem_raster("negative", proj, 0.0, 400.0, 100.0, 4, 4,
                                   [](int i, int j) { return (i == 2 && j == 1) ? -3.0 : 1.0; });
    try {
        resample({bad, "", ""}, f, proj, rep);
        FAIL() << "a negative pixel must stop the run";
    } catch (const maillage::input_error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("column 2, row 1"), std::string::npos) << m;
        EXPECT_NE(m.find("-3"), std::string::npos) << m;
    }
    VSIUnlink(ok.c_str());
    VSIUnlink(bad.c_str());
}

TEST(ResamplePopulationGrid, CrsWithoutTransformationIsNamedWithTheFile) {
    // A local (engineering) CRS has no transformation to WGS84: the error names the grid's file.
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    const auto path =
        vsimem_raster("local_crs", proj, 0.0, 400.0, 100.0, 4, 4, [](int, int) { return 1.0; });
    PopulationGridReport rep;
    try {
        resample({path, "", R"(LOCAL_CS["arbitrary",UNIT["metre",1]])"}, f, proj, rep);
        FAIL() << "a CRS without a transformation to WGS84 must stop the run";
    } catch (const maillage::input_error& e) {
        const std::string m = e.what();
        EXPECT_EQ(m.rfind(path + ": cannot transform from WGS84 to ", 0), 0U) << m;
    }
    VSIUnlink(path.c_str());
}

TEST(ResamplePopulationGrid, VectorSquaresWithFieldAndErrors) {
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    // Squares in the projection's CRS as GeoJSON (with a crs member): a 200 m square on the
    // four cells around (200, 200), and a 100 m one straddling the east edge.
    std::ostringstream json;
    json << R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":")"
         << "EPSG:4326"
         << R"("}},"features":[)"
         << R"({"type":"Feature","properties":{"ind":12.5,"txt":"x"},"geometry":{"type":"Polygon",)"
         << R"("coordinates":[[[100,100],[300,100],[300,300],[100,300],[100,100]]]}},)"
         << R"({"type":"Feature","properties":{"ind":4,"txt":"abc"},"geometry":{"type":"Polygon",)"
         << R"("coordinates":[[[350,0],[450,0],[450,100],[350,100],[350,0]]]}}]})";
    const std::string path = "/vsimem/squares.geojson";
    const std::string text = json.str();
    VSILFILE* fp = VSIFOpenL(path.c_str(), "wb");
    VSIFWriteL(text.data(), 1, text.size(), fp);
    VSIFCloseL(fp);
    PopulationGridReport rep;
    // The file says EPSG:4326; the override gives the projection's CRS.
    const auto pop = resample({path, "", proj.proj_string()}, f, proj, rep);
    EXPECT_EQ(rep.field, "ind");
    for (const auto& [r, c] : {std::pair{1, 1}, {1, 2}, {2, 1}, {2, 2}}) {
        EXPECT_NEAR(pop[static_cast<std::size_t>(r) * 4 + c], 12.5 / 4, tol(12.5));
    }
    EXPECT_NEAR(pop[3 * 4 + 3], 2.0, tol(4.0));
    EXPECT_NEAR(rep.population_beyond_extent, 2.0, tol(4.0));
    // A missing field, a text field.
    EXPECT_THROW(resample({path, "nope", proj.proj_string()}, f, proj, rep), maillage::input_error);
    try {
        resample({path, "txt", proj.proj_string()}, f, proj, rep);
        FAIL() << "a text value must stop the run";
    } catch (const maillage::input_error& e) {
        EXPECT_NE(std::string(e.what()).find("'x'"), std::string::npos) << e.what();
    }
    VSIUnlink(path.c_str());
}

// --- Errors inside the parallel read ------------------------------------------------------------

namespace {

/// A raster source of 4 x 200 pixels (4 blocks of 64 rows) whose read_rows throws, per block,
/// what `fail` says: 0 nothing (all pixels nodata), 1 input_error, 2 runtime_failure.
class FailingRaster final : public maillage::model::PopulationGridSource {
public:
    explicit FailingRaster(std::vector<int> fail) : m_fail(std::move(fail)) {
        m_window.col1 = 4;
        m_window.row1 = 200;
        m_window.has_nodata = true;
        m_window.nodata = -1.0;
    }
    void open(const std::vector<maillage::geo::LonLat>&, PopulationGridReport& rep) override {
        rep.path = "fake.tif";
    }
    [[nodiscard]] bool is_raster() const override { return true; }
    [[nodiscard]] const maillage::model::PopulationRaster& raster() const override {
        return m_window;
    }
    void read_rows(int row, int count, std::vector<double>& values) override {
        const int block = row / 64;
        switch (m_fail.at(static_cast<std::size_t>(block))) {
        case 1:
            throw maillage::input_error("bad pixel in block " + std::to_string(block));
        case 2:
            throw maillage::runtime_failure("read failure in block " + std::to_string(block));
        default:
            values.assign(static_cast<std::size_t>(4 * count), -1.0);
        }
    }
    bool read_polygons(std::size_t, std::vector<maillage::model::PopulationPolygon>&,
                       std::uint64_t&, std::uint64_t&) override {
        return false;
    }
    [[nodiscard]] std::unique_ptr<maillage::model::LonLatTransform> to_lonlat() const override {
        return nullptr;
    }
    [[noreturn]] void no_overlap() const override { throw maillage::input_error("no overlap"); }

private:
    std::vector<int> m_fail;
    maillage::model::PopulationRaster m_window;
};

/// The exception resample_population_grid lets out for `fail`, run on 4 threads.
std::exception_ptr failure_of(std::vector<int> fail) {
    const int threads = maillage::core::max_threads();
    maillage::core::set_threads(4);
    const EqualAreaProjection proj(5.0, 45.0);
    const GridFrame f{0.0, 400.0, 100.0, 4, 4};
    FailingRaster source(std::move(fail));
    PopulationGridReport rep;
    std::exception_ptr out;
    try {
        resample_population_grid(source, f, proj, rep);
    } catch (...) {
        out = std::current_exception();
    }
    maillage::core::set_threads(threads);
    return out;
}

} // namespace

TEST(ResamplePopulationGrid, ParallelErrorKeepsItsTypeAndTheFirstBlockWins) {
    for (int run = 0; run < 20; ++run) {
        // Block 1's input error comes out as an input_error (exit code of a bad input), not
        // flattened; block 3's never wins over it, whatever the scheduling.
        try {
            std::rethrow_exception(failure_of({0, 1, 2, 1}));
        } catch (const maillage::input_error& e) {
            EXPECT_STREQ(e.what(), "bad pixel in block 1");
        } catch (...) {
            ADD_FAILURE() << "not an input_error";
        }
        // A failure that is not the input's stays a runtime_failure.
        try {
            std::rethrow_exception(failure_of({0, 2, 1, 1}));
        } catch (const maillage::input_error&) {
            ADD_FAILURE() << "a runtime failure came out as an input error";
        } catch (const maillage::runtime_failure& e) {
            EXPECT_STREQ(e.what(), "read failure in block 1");
        }
    }
}
