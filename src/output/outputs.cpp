#include "maillage/output/outputs.hpp"
#include "internal.hpp"

#include "maillage/analysis/underserved.hpp"
#include "maillage/model/networks.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/files.hpp"
#include "maillage/output/group_outlines.hpp"
#include "maillage/output/styles.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"

#include <ogr_geometry.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace maillage::output {

using analysis::DistanceDistribution;
using analysis::population_grid_sag_tolerance_m;
using analysis::to_lonlat;
namespace {

/// The file a site was read from, for the sites layer: its name (a PostGIS source without its
/// password).
std::string site_source(const io::SiteSet& sites, const model::Site& site) {
    if (site.layer >= sites.layers.size()) {
        return {};
    }
    const auto& path = sites.layers[site.layer].path;
    if (io::is_postgis(path)) {
        return io::redact_connection(path);
    }
    return std::filesystem::path(path).filename().string();
}

using core::round_to;
using output::FieldSpec;
using output::FieldValue;

using detail::km4;
using detail::population_field;
using detail::population_json;
using detail::population_type;
using detail::write_layer_styles;

OGRSpatialReference laea_srs(const geo::EqualAreaProjection& proj) {
    OGRSpatialReference srs;
    if (srs.importFromProj4(proj.proj_string().c_str()) != OGRERR_NONE) {
        throw runtime_failure("cannot describe the equal-area CRS " + proj.proj_string());
    }
    std::ostringstream name;
    name << "maillage equal-area (LAEA " << proj.lat_0() << "N " << proj.lon_0() << "E, WGS84)";
    srs.SetProjCS(name.str().c_str());
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

void write_zones(GDALDataset& ds, const std::string& path, const AnalysisResult& r,
                 const io::SiteSet& sites, const io::ZoneSet& zones, double threshold_m,
                 const geo::GeosContext& ctx, std::size_t begin, std::size_t end,
                 OutputGeometryLog& log) {
    namespace fld = model::schema::zones;
    const auto srs = log.srs();
    const bool whole = r.whole_population;
    std::vector<FieldSpec> fields{{fld::zone_id, OFTString},
                                  {fld::name, OFTString},
                                  {fld::population, population_type(whole)},
                                  {fld::group, OFTString},
                                  {fld::ref_lon, OFTReal},
                                  {fld::ref_lat, OFTReal},
                                  {fld::nearest_site_id, OFTString},
                                  {fld::nearest_site_name, OFTString},
                                  {fld::nearest_km, OFTReal},
                                  {fld::mean_km, OFTReal},
                                  {fld::max_km, OFTReal},
                                  {fld::pop_beyond, population_type(whole)},
                                  {fld::share_beyond, OFTReal},
                                  {fld::sites_within, OFTInteger},
                                  {fld::underserved, OFTInteger, OFSTBoolean}};
    for (const auto& t : r.by_type) {
        fields.push_back({fld::nearest_km_prefix + t.key, OFTReal});
        fields.push_back({fld::mean_km_prefix + t.key, OFTReal});
    }
    // With a population grid, `population` is the grid's; the zone's own figure is kept beside.
    const bool grid = r.population_grid.has_value();
    if (grid) {
        fields.push_back({fld::population_layer, OFTReal});
        fields.push_back({fld::population_diff, OFTReal});
    }
    output::LayerWriter w(ds, path, fld::layer, wkbMultiPolygon, &srs, fields);
    for (std::size_t i = begin; i < end; ++i) {
        const auto& z = zones.zones[i];
        const auto& zr = r.zones[i];
        const auto& site = sites.sites[zr.nearest_site];
        const auto g = log.prepare(ctx, z.geometry.get(), fld::layer, z.id);
        const double pop = r.zone_population[i];
        const double share = pop > 0 ? zr.population_beyond / pop : 0.0;
        std::vector<FieldValue> values{z.id,
                                       z.name,
                                       population_field(pop, whole),
                                       z.group,
                                       round_to(zr.reference.lon, 7),
                                       round_to(zr.reference.lat, 7),
                                       site.id,
                                       site.name,
                                       km4(zr.nearest_m),
                                       km4(zr.mean_m),
                                       km4(zr.max_m),
                                       population_field(zr.population_beyond, whole),
                                       round_to(share, 6),
                                       static_cast<std::int64_t>(zr.sites_within),
                                       zr.nearest_m > threshold_m};
        for (const auto& t : r.by_type) {
            values.emplace_back(km4(t.zone_nearest_m[i]));
            values.emplace_back(km4(t.zone_mean_m[i]));
        }
        if (grid) {
            values.emplace_back(z.population);
            values.emplace_back(round_to(pop - z.population, 4));
        }
        w.add(g.get(), values);
    }
    w.finish();
}

void write_sites(GDALDataset& ds, const std::string& path, const AnalysisResult& r,
                 const io::SiteSet& sites, const OutputGeometryLog& log) {
    namespace fld = model::schema::sites;
    const auto srs = log.srs();
    output::LayerWriter w(ds, path, fld::layer, wkbPoint, &srs,
                          {{fld::site_id, OFTString},
                           {fld::name, OFTString},
                           {fld::type, OFTString},
                           {fld::catchment_population, population_type(r.whole_population)},
                           {fld::catchment_zones, OFTInteger},
                           {fld::nearest_other_km, OFTReal},
                           {fld::in_study_area, OFTInteger, OFSTBoolean},
                           {fld::source, OFTString}});
    for (std::size_t s = 0; s < sites.sites.size(); ++s) {
        const auto& site = sites.sites[s];
        const auto& sr = r.sites[s];
        const auto pt = log.point(site.position.lon, site.position.lat);
        w.add(pt.get(),
              {site.id, site.name, site.type,
               population_field(sr.catchment_population, r.whole_population),
               static_cast<std::int64_t>(sr.catchment_zones),
               sr.nearest_other_m < 0 ? FieldValue{} : FieldValue{km4(sr.nearest_other_m)},
               static_cast<std::int64_t>(sr.zone >= 0 ? 1 : 0), site_source(sites, site)});
    }
    w.finish();
}

void write_underserved(GDALDataset& ds, const std::string& path, const AnalysisResult& r,
                       const geo::GeosContext& ctx, OutputGeometryLog& log) {
    namespace fld = model::schema::underserved;
    const auto srs = log.srs();
    output::LayerWriter w(ds, path, fld::layer, wkbMultiPolygon, &srs,
                          {{fld::part, OFTInteger},
                           {fld::area_km2, OFTReal},
                           {fld::population, population_type(r.whole_population)},
                           {fld::max_km, OFTReal}});
    const auto proj = r.projection.clone();
    int part = 0;
    for (const auto& u : r.underserved) {
        ++part;
        const auto ll = log.prepare(ctx, to_lonlat(ctx, u.geometry.get(), proj).get(),
                                    "underserved", "part " + std::to_string(part));
        w.add(ll.get(), {static_cast<std::int64_t>(part), round_to(u.area_m2 / 1e6, 4),
                         population_field(u.population, r.whole_population), km4(u.max_m)});
    }
    w.finish();
}

void write_catchments(GDALDataset& ds, const std::string& path, const AnalysisResult& r,
                      const io::SiteSet& sites, const geo::GeosContext& ctx,
                      OutputGeometryLog& log) {
    namespace fld = model::schema::catchments;
    const auto srs = log.srs();
    output::LayerWriter w(ds, path, fld::layer, wkbMultiPolygon, &srs,
                          {{fld::site_id, OFTString},
                           {fld::name, OFTString},
                           {fld::type, OFTString},
                           {fld::population, population_type(r.whole_population)},
                           {fld::area_km2, OFTReal},
                           {fld::mean_km, OFTReal},
                           {fld::cells, OFTInteger}});
    const auto proj = r.projection.clone();
    for (std::size_t s = 0; s < sites.sites.size(); ++s) {
        const auto& g = r.catchments.geometry[s];
        if (!g) {
            continue;
        }
        const auto ll =
            log.prepare(ctx, to_lonlat(ctx, g.get(), proj).get(), fld::layer, sites.sites[s].id);
        const auto& sr = r.sites[s];
        const double mean =
            sr.catchment_population > 0 ? sr.catchment_weighted_m / sr.catchment_population : 0.0;
        w.add(ll.get(), {sites.sites[s].id, sites.sites[s].name, sites.sites[s].type,
                         population_field(sr.catchment_population, r.whole_population),
                         round_to(r.catchments.area_m2[s] / 1e6, 4), km4(mean),
                         static_cast<std::int64_t>(sr.catchment_cells)});
    }
    w.finish();
}

/// The groups layer: the zones dissolved by group (the departments), with the group's name,
/// number of zones and population.
void write_groups(GDALDataset& ds, const std::string& path, const AnalysisResult& r,
                  const io::ZoneSet& zones, const std::map<std::string, std::string>& names,
                  const geo::GeosContext& ctx, OutputGeometryLog& log) {
    namespace fld = model::schema::groups;
    const auto srs = log.srs();
    output::LayerWriter w(ds, path, fld::layer, wkbMultiPolygon, &srs,
                          {{fld::code, OFTString},
                           {fld::name, OFTString},
                           {fld::zones, OFTInteger},
                           {fld::population, population_type(r.whole_population)}});
    std::map<std::string, double> population;
    for (const auto& g : r.groups) {
        population[g.group] = g.population;
    }
    for (const auto& g : group_members(zones.zones)) {
        const auto outline = dissolve(ctx, zones.zones, g.members);
        const auto ll = log.prepare(ctx, outline.get(), fld::layer, g.code);
        const auto name = names.find(g.code);
        w.add(ll.get(), {g.code, name == names.end() ? std::string() : name->second,
                         static_cast<std::int64_t>(g.members.size()),
                         population_field(population[g.code], r.whole_population)});
    }
    w.finish();
}

struct RasterLayer {
    const std::vector<float>* km = nullptr;
    std::string table;       ///< GeoPackage raster table
    std::string description; ///< band description
};

void write_raster(const std::string& path, const AnalysisResult& r, bool gpkg,
                  const RasterLayer& layer);

} // namespace

void write_grid_raster(const std::string& path, const PopulationGrid& g,
                       const geo::EqualAreaProjection& projection, const std::vector<float>& cells,
                       const GridRasterNames& names, bool gpkg) {
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr src(mem->Create("", g.width, g.height, 1, GDT_Float32, nullptr));
    std::array<double, 6> gt{g.min_x, g.cell_m, 0.0, g.max_y, 0.0, -g.cell_m};
    src->SetGeoTransform(gt.data());
    const auto srs = laea_srs(projection);
    src->SetSpatialRef(&srs);
    constexpr float nodata = -9999.0F;
    std::vector<float> values(cells.size());
    for (std::size_t i = 0; i < values.size(); ++i) {
        values[i] = std::isnan(cells[i]) ? nodata : cells[i];
    }
    GDALRasterBand* band = src->GetRasterBand(1);
    band->SetNoDataValue(nodata);
    band->SetDescription(names.description.c_str());
    if (band->RasterIO(GF_Write, 0, 0, g.width, g.height, values.data(), g.width, g.height,
                       GDT_Float32, 0, 0) != CE_None) {
        throw runtime_failure("cannot fill the " + names.table +
                              " raster: " + io::gdal_last_error());
    }
    CPLErrorReset();
    errno = 0; // see output::close_dataset
    GDALDatasetUniquePtr out;
    if (gpkg) {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
        const std::string table = "RASTER_TABLE=" + names.table;
        const std::string identifier = "RASTER_IDENTIFIER=" + names.identifier;
        std::array<const char*, 5> opts{"APPEND_SUBDATASET=YES", table.c_str(), "TILE_FORMAT=TIFF",
                                        identifier.c_str(), nullptr};
        out.reset(drv->CreateCopy(path.c_str(), src.get(), FALSE, const_cast<char**>(opts.data()),
                                  nullptr, nullptr));
    } else {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
        std::array<const char*, 5> opts{"COMPRESS=DEFLATE", "PREDICTOR=3", "TILED=YES",
                                        "NUM_THREADS=ALL_CPUS", nullptr};
        out.reset(drv->CreateCopy(path.c_str(), src.get(), FALSE, const_cast<char**>(opts.data()),
                                  nullptr, nullptr));
    }
    if (!out) {
        const int err = io::disk_errno(errno);
        throw runtime_failure(path + ": cannot write the " + names.table +
                              " raster: " + io::write_failure_reason(path, err) +
                              " (GDAL: " + io::gdal_last_error().substr(0, 240) + ")");
    }
    output::close_dataset(std::move(out), path);
}

namespace {

void write_raster(const std::string& path, const AnalysisResult& r, bool gpkg,
                  const RasterLayer& layer) {
    write_grid_raster(path, r.grid, r.projection, *layer.km,
                      {layer.description, layer.table, layer.table + "_km"}, gpkg);
}

void write_raster(const std::string& path, const AnalysisResult& r, bool gpkg) {
    write_raster(
        path, r, gpkg,
        {&r.cell_km, model::schema::rasters::distance, "distance to the nearest site (km)"});
}

output::ProjectCrs project_crs(const OGRSpatialReference& srs, const std::string& authid) {
    output::ProjectCrs crs;
    crs.authid = authid;
    char* wkt = nullptr;
    const std::array<const char*, 2> opts{"FORMAT=WKT2_2019", nullptr};
    if (srs.exportToWkt(&wkt, opts.data()) == OGRERR_NONE && wkt != nullptr) {
        crs.wkt = wkt;
    }
    CPLFree(wkt);
    char* proj4 = nullptr;
    if (srs.exportToProj4(&proj4) == OGRERR_NONE && proj4 != nullptr) {
        crs.proj4 = proj4;
    }
    CPLFree(proj4);
    return crs;
}

/// The networks of the sites, the largest first (ties by code), labelled in `lang`: the first
/// get the first colours of model::network_symbol.
std::vector<output::NetworkStyle> site_networks(const io::SiteSet& sites, const std::string& lang) {
    std::map<std::string, std::pair<std::size_t, std::string>> seen; // code -> count, label
    for (const auto& s : sites.sites) {
        auto& [count, label] = seen[s.type];
        ++count;
        if (label.empty()) {
            label = s.type_label;
        }
    }
    std::vector<std::pair<std::string, std::pair<std::size_t, std::string>>> order(seen.begin(),
                                                                                   seen.end());
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
    std::vector<output::NetworkStyle> out;
    out.reserve(order.size());
    for (const auto& [code, value] : order) {
        out.push_back({code, model::network_label(code, value.second, lang)});
    }
    return out;
}

std::vector<std::string> type_keys(const AnalysisResult& r) {
    std::vector<std::string> keys;
    keys.reserve(r.by_type.size());
    for (const auto& t : r.by_type) {
        keys.push_back(t.key);
    }
    return keys;
}

nlohmann::ordered_json notices(const std::vector<model::Notice>& list) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& n : list) {
        arr.push_back({{"where", n.where}, {"reason", n.reason}});
    }
    return arr;
}

nlohmann::ordered_json input_json(const model::ReadReport& rep) {
    return {{"path", rep.path},
            {"driver", rep.driver},
            {"layer", rep.layer},
            {"crs", rep.crs},
            {"features", rep.features},
            {"used", rep.used},
            {"skipped_count", rep.skipped.size()},
            {"repaired_count", rep.repaired.size()},
            {"text_encoding", rep.text_recoded ? "Windows-1252 (not UTF-8), recoded" : "UTF-8"},
            {"skipped", notices(rep.skipped)},
            {"repaired", notices(rep.repaired)}};
}

/// summary.json "population_grid": what was read from the grid, where its population went, and
/// how far the zones' totals from the grid are from the zones' own figures.
nlohmann::ordered_json population_grid_json(const AnalysisResult& r, const io::ZoneSet& zones) {
    namespace gk = model::schema::summary::in_population_grid;
    const auto& g = *r.population_grid;
    nlohmann::ordered_json j;
    j[gk::path] = g.path;
    j[gk::kind] = g.kind;
    j["driver"] = g.driver;
    j["layer"] = g.layer;
    if (g.kind == "vector") {
        j["field"] = g.field;
    }
    j[gk::crs] = g.crs;
    j["source_cells"] = g.source_cells;
    j["cells_read"] = g.cells_read;
    j["cells_with_population"] = g.cells_with_population;
    j[gk::population_read] = round_to(g.population_read, 4);
    j[gk::population_in_zones] = round_to(g.population_in_study_area, 4);
    j[gk::population_outside_study_area] =
        round_to(g.population_outside_zones + g.population_beyond_extent, 4);
    j["population_outside_zones_in_grid"] = round_to(g.population_outside_zones, 4);
    j["population_beyond_grid_extent"] = round_to(g.population_beyond_extent, 4);
    j["edges"] = {{"sag_tolerance_m", population_grid_sag_tolerance_m},
                  {"densified", g.edges_densified},
                  {"max_sag_m", round_to(g.max_edge_sag_m, 6)}};

    // Zone by zone: the grid's total against the zone's own figure.
    const std::size_t nz = zones.zones.size();
    double layer_total = 0.0;
    double grid_total = 0.0;
    std::size_t no_cell = 0;
    double no_cell_population = 0.0;
    std::size_t off_10 = 0;
    std::size_t max_abs_i = 0;
    std::optional<std::size_t> max_rel_i;
    std::vector<std::size_t> order(nz);
    for (std::size_t i = 0; i < nz; ++i) {
        const double own = zones.zones[i].population;
        const double diff = r.zone_population[i] - own;
        layer_total += own;
        grid_total += r.zone_population[i];
        if (r.zones[i].cells == 0) {
            ++no_cell;
            no_cell_population += own;
        }
        if (std::abs(diff) >
            std::abs(r.zone_population[max_abs_i] - zones.zones[max_abs_i].population)) {
            max_abs_i = i;
        }
        if (own > 0) {
            const double rel = std::abs(diff) / own;
            off_10 += rel > 0.1 ? 1 : 0;
            if (!max_rel_i ||
                rel > std::abs(r.zone_population[*max_rel_i] - zones.zones[*max_rel_i].population) /
                          zones.zones[*max_rel_i].population) {
                max_rel_i = i;
            }
        }
        order[i] = i;
    }
    auto diff_of = [&](std::size_t i) { return r.zone_population[i] - zones.zones[i].population; };
    auto zone_json = [&](std::size_t i) {
        const double own = zones.zones[i].population;
        const double diff = diff_of(i);
        return nlohmann::ordered_json{
            {gk::zone_id, zones.zones[i].id},
            {gk::name, zones.zones[i].name},
            {gk::population_layer, round_to(own, 4)},
            {gk::population_grid, round_to(r.zone_population[i], 4)},
            {"difference", round_to(diff, 4)},
            {"relative_difference",
             own > 0 ? nlohmann::ordered_json(round_to(diff / own, 6)) : nullptr},
            {"cells", r.zones[i].cells}};
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return std::abs(diff_of(a)) > std::abs(diff_of(b));
    });
    auto worst = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < order.size() && k < 10; ++k) {
        worst.push_back(zone_json(order[k]));
    }
    nlohmann::ordered_json c;
    c[gk::zones_population_total] = round_to(layer_total, 4);
    c[gk::grid_population_total] = round_to(grid_total, 4);
    c["difference"] = round_to(grid_total - layer_total, 4);
    c["relative_difference"] =
        layer_total > 0
            ? nlohmann::ordered_json(round_to((grid_total - layer_total) / layer_total, 6))
            : nullptr;
    c["zones_without_cell"] = no_cell;
    c["zones_without_cell_population_layer"] = round_to(no_cell_population, 4);
    c[gk::zones_off_10_percent] = off_10;
    c["max_abs_difference"] = nz > 0 ? zone_json(max_abs_i) : nlohmann::ordered_json(nullptr);
    c["max_relative_difference"] =
        max_rel_i ? zone_json(*max_rel_i) : nlohmann::ordered_json(nullptr);
    c[gk::worst_zones] = worst;
    j[gk::comparison] = c;
    return j;
}

} // namespace

nlohmann::ordered_json input_summary(const model::ReadReport& report) { return input_json(report); }

nlohmann::ordered_json site_layers_summary(const io::SiteSet& sites, const AnalysisResult& r) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& l : sites.layers) {
        std::size_t inside = 0;
        for (std::size_t i = l.first; i < l.first + l.count; ++i) {
            inside += r.sites[i].zone >= 0 ? 1 : 0;
        }
        arr.push_back({{"path", l.path},
                       {"role", l.border ? "border" : "sites"},
                       {"sites", l.count},
                       {"in_study_area", inside},
                       {"outside_study_area", l.count - inside}});
    }
    return arr;
}

namespace detail {

/// QGIS reads a GeoPackage's default styles from its layer_styles table (the table QGIS itself
/// writes when a style is saved into the database).
void write_layer_styles(GDALDataset& ds, const std::string& path,
                        const std::vector<std::pair<std::string, std::string>>& styles) {
    namespace fld = model::schema::layer_styles;
    output::LayerWriter w(ds, path, fld::layer, wkbNone, nullptr,
                          {{fld::f_table_catalog, OFTString},
                           {fld::f_table_schema, OFTString},
                           {fld::f_table_name, OFTString},
                           {fld::f_geometry_column, OFTString},
                           {fld::style_name, OFTString},
                           {fld::style_qml, OFTString},
                           {fld::style_sld, OFTString},
                           {fld::use_as_default, OFTInteger, OFSTBoolean},
                           {fld::description, OFTString},
                           {fld::owner, OFTString},
                           {fld::ui, OFTString},
                           {fld::update_time, OFTString}});
    for (const auto& [table, qml] : styles) {
        w.add(nullptr,
              {std::string(), std::string(), table, std::string("geom"), table + " (maillage)", qml,
               std::string(), true, std::string("written by maillage"), std::string(),
               std::string(), std::string("2000-01-01T00:00:00Z")});
    }
    w.finish();
}

void add_layer_styles(GDALDataset& ds, const std::string& path,
                      const std::vector<std::pair<std::string, std::string>>& styles_to_add) {
    OGRLayer* styles = ds.GetLayerByName(model::schema::layer_styles::layer);
    if (styles == nullptr) {
        return;
    }
    namespace fld = model::schema::layer_styles;
    for (const auto& [table, qml] : styles_to_add) {
        OGRFeatureUniquePtr f(OGRFeature::CreateFeature(styles->GetLayerDefn()));
        f->SetField(fld::f_table_catalog, "");
        f->SetField(fld::f_table_schema, "");
        f->SetField(fld::f_table_name, table.c_str());
        f->SetField(fld::f_geometry_column, "geom");
        f->SetField(fld::style_name, (table + " (maillage)").c_str());
        f->SetField(fld::style_qml, qml.c_str());
        f->SetField(fld::style_sld, "");
        f->SetField(fld::use_as_default, 1);
        f->SetField(fld::description, "written by maillage");
        f->SetField(fld::owner, "");
        f->SetField(fld::ui, "");
        f->SetField(fld::update_time, "2000-01-01T00:00:00Z");
        if (styles->CreateFeature(f.get()) != OGRERR_NONE) {
            throw runtime_failure(path + ": cannot add the style of " + table + ": " +
                                  io::gdal_last_error());
        }
    }
}

nlohmann::ordered_json grid_summary(const AnalysisResult& r) {
    return {{"cell_m", r.grid.cell_m},
            {"width", r.grid.width},
            {"height", r.grid.height},
            {"cells_in_study_area",
             std::count_if(r.grid.zone.begin(), r.grid.zone.end(), [](auto z) { return z >= 0; })},
            {"zones_on_reference_point", r.point_demands}};
}

nlohmann::ordered_json distance_summary(const analysis::DistanceDistribution& d) {
    namespace key = model::schema::summary::distance;
    return {{key::mean, km4(d.mean_m)},
            {key::p50, km4(d.p50_m)},
            {key::p90, km4(d.p90_m)},
            {key::p99, km4(d.p99_m)},
            {key::max, km4(d.max_m)}};
}

} // namespace detail

namespace {

namespace key = model::schema::summary;

/// summary.json's "parameters" and "inputs".
void add_parameters_and_inputs(nlohmann::ordered_json& j, const io::SiteSet& sites,
                               const io::ZoneSet& zones, const Parameters& params,
                               const RunDescription& run) {
    j[key::parameters] = run.parameters;
    j[key::parameters][key::params::threshold_km] = params.threshold_km;
    j[key::parameters]["grid_m"] = params.grid_m;
    j[key::parameters]["by_type"] = params.by_type;
    j[key::parameters]["catchments"] = params.catchments;
    j["inputs"] = {{"sites", input_json(sites.report)}, {"zones", input_json(zones.report)}};
    j["inputs"]["zones"]["group_field"] = zones.group_field;
    auto layers = nlohmann::ordered_json::array();
    for (const auto& l : sites.layers) {
        auto one = input_json(l.report);
        one["role"] = l.border ? "border" : "sites";
        layers.push_back(one);
    }
    j["inputs"]["site_layers"] = layers;
}

nlohmann::ordered_json coverage_curve_json(const DistanceDistribution& d) {
    auto curve = nlohmann::ordered_json::array();
    for (std::size_t k = 0; k < d.coverage.size(); ++k) {
        curve.push_back({{key::curve::km, k + 1}, {key::curve::share, round_to(d.coverage[k], 6)}});
    }
    return curve;
}

nlohmann::ordered_json groups_json(const AnalysisResult& r) {
    namespace g_key = key::group;
    const bool whole = r.whole_population;
    auto groups = nlohmann::ordered_json::array();
    for (const auto& g : r.groups) {
        groups.push_back(
            {{g_key::group, g.group},
             {g_key::population, population_json(g.population, whole)},
             {"population_beyond", population_json(g.population_beyond, whole)},
             {g_key::share_beyond,
              g.population > 0 ? round_to(g.population_beyond / g.population, 6) : 0.0},
             {g_key::mean_km, g.population > 0 ? km4(g.weighted_sum_m / g.population) : 0.0},
             {g_key::sites, g.sites},
             {"zones", g.zones}});
    }
    return groups;
}

nlohmann::ordered_json underserved_json(const AnalysisResult& r) {
    const bool whole = r.whole_population;
    double area = 0.0;
    double pop = 0.0;
    for (const auto& u : r.underserved) {
        area += u.area_m2;
        pop += u.population;
    }
    const auto& strays = r.underserved_strays;
    return {
        {key::parts::parts, r.underserved.size()},
        {key::parts::area_km2, round_to(area / 1e6, 4)},
        {"population", population_json(pop, whole)},
        {"min_max_km",
         r.underserved.empty()
             ? nlohmann::ordered_json(nullptr)
             : nlohmann::ordered_json(km4(
                   std::min_element(r.underserved.begin(), r.underserved.end(),
                                    [](const auto& a, const auto& b) { return a.max_m < b.max_m; })
                       ->max_m))},
        {"beyond_in_no_part",
         {{"assigned_to_nearest_part", strays.cells},
          {"assigned_population", population_json(strays.population, whole)},
          {"unassigned", strays.unassigned},
          {"unassigned_population", population_json(strays.unassigned_population, whole)}}}};
}

nlohmann::ordered_json by_type_json(const AnalysisResult& r) {
    const bool whole = r.whole_population;
    auto types = nlohmann::ordered_json::array();
    for (const auto& t : r.by_type) {
        const auto& td = t.distribution;
        types.push_back(
            {{"type", t.type},
             {"key", t.key},
             {"sites", t.sites},
             {"mean_km", km4(td.mean_m)},
             {"p50_km", km4(td.p50_m)},
             {"p90_km", km4(td.p90_m)},
             {"max_km", km4(td.max_m)},
             {"population_beyond", population_json(t.population_beyond, whole)},
             {"share_beyond", td.total > 0 ? round_to(t.population_beyond / td.total, 6) : 0.0}});
    }
    return types;
}

nlohmann::ordered_json catchments_json(const AnalysisResult& r) {
    const auto& c = r.catchments;
    double sum = 0.0;
    std::size_t with = 0;
    for (std::size_t s = 0; s < c.area_m2.size(); ++s) {
        sum += c.area_m2[s];
        with += c.geometry[s] ? 1 : 0;
    }
    return {{"sites_with_catchment", with},
            {"area_km2", round_to(sum / 1e6, 4)},
            {"study_area_km2", round_to(c.study_area_m2 / 1e6, 4)},
            {"cells_assigned_differently", c.cells_differ},
            {"population_assigned_differently",
             population_json(c.population_differ, r.whole_population)},
            {"max_extra_km", km4(c.max_extra_m)}};
}

/// summary.json's figures of the distances: totals, distribution, curve, groups, underserved.
void add_distance_figures(nlohmann::ordered_json& j, const AnalysisResult& r) {
    const auto& d = r.distribution;
    const bool whole = r.whole_population;
    j[key::population_total] = population_json(d.total, whole);
    j[key::population_beyond] = population_json(r.population_beyond, whole);
    j[key::share_beyond] = d.total > 0 ? round_to(r.population_beyond / d.total, 6) : 0.0;
    j[key::distance_km] = detail::distance_summary(d);
    j[key::coverage_curve] = coverage_curve_json(d);
    j[key::by_group] = groups_json(r);
    j[key::underserved] = underserved_json(r);
}

} // namespace

nlohmann::ordered_json make_summary(const AnalysisResult& r, const io::SiteSet& sites,
                                    const io::ZoneSet& zones, const Parameters& params,
                                    const RunDescription& run) {
    nlohmann::ordered_json j;
    j[key::version] = MAILLAGE_VERSION;
    add_parameters_and_inputs(j, sites, zones, params, run);
    j["equal_area_crs"] = r.projection.proj_string();
    j["grid"] = detail::grid_summary(r);
    j[key::sites_count] = sites.sites.size();
    j[key::sites_outside_study_area] = r.sites_outside;
    j["site_layers"] = site_layers_summary(sites, r);
    j["sites_lonlat_swapped"] = r.sites_swapped;
    j["zones_count"] = zones.zones.size();
    add_distance_figures(j, r);
    if (!r.by_type.empty()) {
        j[key::by_type] = by_type_json(r);
    }
    // The networks in the data's words, for the report: the first label of each type.
    nlohmann::ordered_json labels = nlohmann::ordered_json::object();
    for (const auto& s : sites.sites) {
        if (!s.type_label.empty() && !labels.contains(s.type)) {
            labels[s.type] = s.type_label;
        }
    }
    if (!labels.empty()) {
        j[key::type_labels] = labels;
    }
    if (params.catchments) {
        j[key::catchments] = catchments_json(r);
    }
    if (r.population_grid) {
        j[key::population_grid] = population_grid_json(r, zones);
    }
    if (run.geometry) {
        j["output_geometry"] = run.geometry->to_json();
    }
    for (const auto& [name, value] : run.summary_extra.items()) {
        j[name] = value;
    }
    return j;
}

namespace {

namespace file = model::schema::files;

/// The raster of the distance to the nearest site of one type (analyse --by-type).
RasterLayer by_type_raster(const analysis::TypeResult& t) {
    return {&t.cell_km, model::schema::rasters::distance_prefix + t.key,
            "distance to the nearest site of type " + t.type + " (km)"};
}

/// Whether the groups layer is written: the zones have a group field.
bool with_groups(const io::ZoneSet& zones) { return !zones.group_field.empty(); }

/// The QGIS styles of the layers of analyse, by layer name.
std::vector<std::pair<std::string, std::string>>
vector_styles(const AnalysisResult& r, const io::SiteSet& sites, const io::ZoneSet& zones,
              const Parameters& params, const std::string& lang) {
    std::vector<std::pair<std::string, std::string>> styles{
        {model::schema::zones::layer, output::zones_qml(params.threshold_km, lang, type_keys(r))},
        {model::schema::sites::layer, output::sites_qml(site_networks(sites, lang), lang)},
        {model::schema::underserved::layer, output::underserved_qml(params.threshold_km, lang)}};
    if (params.catchments) {
        styles.emplace_back(model::schema::catchments::layer, output::catchments_qml(lang));
    }
    if (with_groups(zones)) {
        styles.emplace_back(model::schema::groups::layer, output::groups_qml(lang));
    }
    return styles;
}

/// GeoPackage: one maillage.gpkg with every layer, their styles and the rasters.
void write_gpkg(io::StagedOutput& out, const AnalysisResult& r, const io::SiteSet& sites,
                const io::ZoneSet& zones, const Parameters& params, const RunDescription& run,
                OutputGeometryLog& log) {
    const double threshold_m = params.threshold_km * 1000.0;
    const std::string path = out.path(file::gpkg).string();
    auto ds = output::create_vector(path, output::VectorFormat::gpkg);
    write_zones(*ds, path, r, sites, zones, threshold_m, *zones.ctx, 0, zones.zones.size(), log);
    write_sites(*ds, path, r, sites, log);
    write_underserved(*ds, path, r, *zones.ctx, log);
    if (params.catchments) {
        write_catchments(*ds, path, r, sites, *zones.ctx, log);
    }
    if (with_groups(zones)) {
        write_groups(*ds, path, r, zones, run.group_names, *zones.ctx, log);
    }
    write_layer_styles(*ds, path, vector_styles(r, sites, zones, params, run.lang));
    output::close_dataset(std::move(ds), path);
    write_raster(path, r, true);
    for (const auto& t : r.by_type) {
        write_raster(path, r, true, by_type_raster(t));
    }
}

/// GeoJSON: the tasks that write the layer files, each with its own GDAL dataset and GEOS
/// context. The zones, the largest layer, in `slices` stitched after.
std::vector<WriteTask> vector_file_tasks(io::StagedOutput& out, output::VectorFormat format,
                                         const AnalysisResult& r, const io::SiteSet& sites,
                                         const io::ZoneSet& zones, const Parameters& params,
                                         const RunDescription& run, OutputGeometryLog& log,
                                         const std::vector<LayerSlice>& slices) {
    const double threshold_m = params.threshold_km * 1000.0;
    std::vector<WriteTask> tasks;
    tasks.reserve(slices.size() + 4); // the zones' slices, sites, underserved, catchments, groups
    for (const auto& slice : slices) {
        tasks.push_back(vector_file_task(
            slice.path, format,
            [&r, &sites, &zones, &log, threshold_m, b = slice.begin,
             e = slice.end](GDALDataset& ds, const std::string& p, const geo::GeosContext& ctx) {
                write_zones(ds, p, r, sites, zones, threshold_m, ctx, b, e, log);
            }));
    }
    const auto layer_path = [&](const char* layer) {
        return out.path(layer + std::string(file::geojson_ext)).string();
    };
    tasks.push_back(vector_file_task(
        layer_path(model::schema::sites::layer), format,
        [&r, &sites, &log](GDALDataset& ds, const std::string& p, const geo::GeosContext&) {
            write_sites(ds, p, r, sites, log);
        }));
    tasks.push_back(vector_file_task(
        layer_path(model::schema::underserved::layer), format,
        [&r, &log](GDALDataset& ds, const std::string& p, const geo::GeosContext& ctx) {
            write_underserved(ds, p, r, ctx, log);
        }));
    if (params.catchments) {
        tasks.push_back(vector_file_task(
            layer_path(model::schema::catchments::layer), format,
            [&r, &sites, &log](GDALDataset& ds, const std::string& p, const geo::GeosContext& ctx) {
                write_catchments(ds, p, r, sites, ctx, log);
            }));
    }
    if (with_groups(zones)) {
        tasks.push_back(
            vector_file_task(layer_path(model::schema::groups::layer), format,
                             [&r, &zones, &run, &log](GDALDataset& ds, const std::string& p,
                                                      const geo::GeosContext& ctx) {
                                 write_groups(ds, p, r, zones, run.group_names, ctx, log);
                             }));
    }
    return tasks;
}

/// GeoJSON: one file per layer and per raster, written side by side, and the QGIS style of each
/// (QGIS loads NAME.qml as the default style of NAME.geojson or NAME.tif).
void write_files(io::StagedOutput& out, output::VectorFormat format, const AnalysisResult& r,
                 const io::SiteSet& sites, const io::ZoneSet& zones, const Parameters& params,
                 const RunDescription& run, OutputGeometryLog& log) {
    const std::string zones_file = model::schema::zones::layer + std::string(file::geojson_ext);
    const auto slices = geojson_slices(out, zones_file, zones.zones.size());
    auto tasks = vector_file_tasks(out, format, r, sites, zones, params, run, log, slices);
    const auto raster_qml = output::distance_raster_qml(params.threshold_km, run.lang);
    for (const auto& t : r.by_type) {
        const std::string name = model::schema::rasters::distance_prefix + t.key;
        const std::string tif_t = out.path(name + file::tif_ext).string();
        tasks.emplace_back([&r, &t, tif_t] { write_raster(tif_t, r, false, by_type_raster(t)); });
        write_text(out.path(name + file::qml_ext), raster_qml);
    }
    for (const auto& [layer, qml] : vector_styles(r, sites, zones, params, run.lang)) {
        write_text(out.path(layer + file::qml_ext), qml);
    }
    write_text(out.path(model::schema::rasters::distance + std::string(file::qml_ext)), raster_qml);
    const std::string tif = out.path(file::distance_tif).string();
    tasks.emplace_back([&r, tif] { write_raster(tif, r, false); });
    run_write_tasks(tasks);
    stitch_slices(out, zones_file, slices);
}

/// The extent of the zones (WGS84 lon/lat) in `crs`: xmin, ymin, xmax, ymax.
std::array<double, 4> zones_extent(const io::ZoneSet& zones, const OGRSpatialReference& crs) {
    double xmin = 180;
    double ymin = 90;
    double xmax = -180;
    double ymax = -90;
    for (const auto& z : zones.zones) {
        double x0 = 0;
        double y0 = 0;
        double x1 = 0;
        double y1 = 0;
        if (GEOSGeom_getXMin_r(zones.ctx->get(), z.geometry.get(), &x0) == 1 &&
            GEOSGeom_getYMin_r(zones.ctx->get(), z.geometry.get(), &y0) == 1 &&
            GEOSGeom_getXMax_r(zones.ctx->get(), z.geometry.get(), &x1) == 1 &&
            GEOSGeom_getYMax_r(zones.ctx->get(), z.geometry.get(), &y1) == 1) {
            xmin = std::min(xmin, x0);
            ymin = std::min(ymin, y0);
            xmax = std::max(xmax, x1);
            ymax = std::max(ymax, y1);
        }
    }
    if (xmin > xmax) {
        return {-1, -1, 1, 1};
    }
    const auto wgs84 = io::wgs84();
    std::unique_ptr<OGRCoordinateTransformation> ct(
        OGRCreateCoordinateTransformation(&wgs84, &crs));
    std::array<double, 4> out{xmin, ymin, xmax, ymax};
    if (ct && ct->TransformBounds(xmin, ymin, xmax, ymax, out.data(), &out[1], &out[2], &out[3],
                                  21) == TRUE) {
        return out;
    }
    return {xmin, ymin, xmax, ymax};
}

/// The text at the bottom of the print layout: the inputs, the method and maillage's version.
std::string layout_sources(const io::SiteSet& sites, const io::ZoneSet& zones,
                           const Parameters& params, const std::string& lang) {
    auto name = [](const std::string& path) {
        return io::is_postgis(path) ? io::redact_connection(path)
                                    : std::filesystem::path(path).filename().string();
    };
    std::string site_files;
    for (const auto& l : sites.layers) {
        site_files += (site_files.empty() ? "" : ", ") + name(l.path);
    }
    const bool fr = lang == "fr";
    return std::string(fr ? "Sources : sites " : "Sources: sites ") + site_files +
           (fr ? " ; zones et population " : "; zones and population ") + name(zones.report.path) +
           (fr ? ". Distances à vol d'oiseau (géodésiques, WGS84), grille de population de "
               : ". Straight-line (geodesic, WGS84) distances, population grid of ") +
           legend_number(params.grid_m, lang) +
           (fr ? " m. Réalisé avec maillage " : " m. Made with maillage ") + MAILLAGE_VERSION + ".";
}

/// The layers' names in the project, in `lang`.
struct LayerNames {
    std::string sites, underserved, catchments, groups, zones, distance;
};

LayerNames layer_names(const Parameters& params, const io::ZoneSet& zones,
                       const std::string& lang) {
    const auto t = legend_number(params.threshold_km, lang);
    const bool fr = lang == "fr";
    std::string field = zones.group_field;
    std::transform(field.begin(), field.end(), field.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool departments = field.find("dep") != std::string::npos;
    return {"Sites",
            (fr ? "Zones mal desservies (> " : "Underserved areas (> ") + t + " km)",
            fr ? "Aires de desserte" : "Catchments",
            departments ? (fr ? "Départements" : "Departments")
                        : (fr ? "Groupes (" : "Groups (") + zones.group_field + ")",
            fr ? "Communes : distance moyenne" : "Communes: mean distance",
            fr ? "Distance au site le plus proche (km)" : "Distance to the nearest site (km)"};
}

/// maillage.qgs: the layers of the run in a QGIS project, over a web-mercator map, with a print
/// layout. From top to bottom: the sites, the underserved areas (hatched), the catchments and
/// the groups (outlines), the zones (coloured, the map a reader reads), then the rasters, off:
/// they lie under the opaque zones (switch the zones off to see them).
void write_qgis_project(io::StagedOutput& out, output::VectorFormat format, const AnalysisResult& r,
                        const io::SiteSet& sites, const io::ZoneSet& zones,
                        const Parameters& params, const RunDescription& run) {
    const bool gpkg = format == output::VectorFormat::gpkg;
    const auto& lang = run.lang;
    auto source = [&](const std::string& name) {
        return gpkg ? "./" + std::string(file::gpkg) + "|layername=" + name
                    : "./" + name + file::geojson_ext;
    };
    auto raster_source = [&](const std::string& name) {
        return gpkg ? "GPKG:./" + std::string(file::gpkg) + ":" + name
                    : "./" + name + file::tif_ext;
    };
    // The vector layers' CRS (--out-crs, else WGS84); the project's: --out-crs, else Web
    // Mercator.
    OutputGeometryLog unrecorded;
    const auto& log = run.geometry ? *run.geometry : unrecorded;
    const auto vector_crs = log.srs();
    const auto layer_crs = project_crs(vector_crs, log.authid());
    OGRSpatialReference mercator;
    mercator.importFromEPSG(3857);
    mercator.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const bool own_crs =
        vector_crs.IsSame(&mercator) == FALSE && vector_crs.IsGeographic() == FALSE;
    const auto& map_crs = own_crs ? vector_crs : mercator;
    const auto map_authid = own_crs ? log.authid() : std::string("EPSG:3857");
    const auto names = layer_names(params, zones, lang);
    namespace sc = model::schema;
    std::vector<output::ProjectLayer> layers{
        {names.sites, source(sc::sites::layer), "vector", "Point", layer_crs,
         output::sites_qml(site_networks(sites, lang), lang)},
        {names.underserved, source(sc::underserved::layer), "vector", "Polygon", layer_crs,
         output::underserved_qml(params.threshold_km, lang)}};
    if (params.catchments) {
        layers.push_back({names.catchments, source(sc::catchments::layer), "vector", "Polygon",
                          layer_crs, output::catchments_qml(lang)});
    }
    if (with_groups(zones)) {
        layers.push_back({names.groups, source(sc::groups::layer), "vector", "Polygon", layer_crs,
                          output::groups_qml(lang)});
    }
    layers.push_back({names.zones, source(sc::zones::layer), "vector", "Polygon", layer_crs,
                      output::zones_qml(params.threshold_km, lang, type_keys(r))});
    const auto laea = project_crs(laea_srs(r.projection), "");
    const auto raster_qml = output::distance_raster_qml(params.threshold_km, lang);
    layers.push_back({names.distance, raster_source(sc::rasters::distance), "raster", "", laea,
                      raster_qml, "", false});
    for (const auto& t : r.by_type) {
        const auto label = model::network_label(t.type, "", lang);
        layers.push_back(
            {std::string(tr(lang, "Distance au plus proche : ", "Distance to the nearest: ")) +
                 label + " (km)",
             raster_source(sc::rasters::distance_prefix + t.key), "raster", "", laea, raster_qml,
             "", false});
    }
    output::PrintLayout layout;
    layout.lang = lang;
    layout.title = tr(lang, "Distance des habitants au site le plus proche",
                      "Distance from the inhabitants to the nearest site");
    layout.subtitle =
        std::string(tr(lang,
                       "Communes colorées par la distance moyenne de leurs habitants ; seuil ",
                       "Communes coloured by the mean distance of their inhabitants; threshold ")) +
        legend_number(params.threshold_km, lang) + " km";
    layout.sources = layout_sources(sites, zones, params, lang);
    layout.extent = zones_extent(zones, map_crs);
    write_text(out.path(file::qgis_project),
               output::qgis_project("maillage", project_crs(map_crs, map_authid), layers, &layout));
}

} // namespace

void write_outputs(io::StagedOutput& out, output::VectorFormat format, const AnalysisResult& r,
                   const io::SiteSet& sites, const io::ZoneSet& zones, const Parameters& params,
                   const RunDescription& run) {
    OutputGeometryLog unrecorded; // a RunDescription without a log
    auto& log = run.geometry ? *run.geometry : unrecorded;
    if (format == output::VectorFormat::gpkg) {
        write_gpkg(out, r, sites, zones, params, run, log);
    } else {
        write_files(out, format, r, sites, zones, params, run, log);
    }
    if (run.qgis_project) {
        write_qgis_project(out, format, r, sites, zones, params, run);
    }
    const auto summary_path = out.path(file::summary);
    auto summary = make_summary(r, sites, zones, params, run);
    io::redact_connections(summary); // inputs read from PostGIS: no password in the record
    write_text(summary_path, summary.dump(2) + "\n");
}

} // namespace maillage::output
