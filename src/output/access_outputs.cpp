// Outputs of `maillage access`: access_zones, access_sites, the access raster and the "access"
// section of summary.json.

#include "maillage/output/access_outputs.hpp"
#include "internal.hpp"
#include "maillage/output/outputs.hpp"

#include "maillage/model/schema.hpp"
#include "maillage/output/files.hpp"
#include "maillage/output/styles.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"

#include <ogr_geometry.h>

#include <cmath>

namespace maillage::output {

using analysis::access_per_inhabitants;
namespace {

using core::round_to;
using output::FieldValue;

/// An index per inhabitant as written: per 100,000 inhabitants, 6 decimals.
double per100k(double v) { return round_to(v * access_per_inhabitants, 6); }

/// The raster of the index: band description, GeoPackage table and identifier.
GridRasterNames access_raster() {
    return {"E2SFCA accessibility index (per 100,000 inhabitants)", model::schema::rasters::access,
            "access_per_100k"};
}

FieldValue ratio_value(double index, double mean) {
    return mean > 0 ? FieldValue{round_to(index / mean, 6)} : FieldValue{};
}

void write_zones(GDALDataset& ds, const std::string& path, const AccessResult& a,
                 const AnalysisResult& base, const io::ZoneSet& zones, const geo::GeosContext& ctx,
                 std::size_t begin, std::size_t end, OutputGeometryLog& log) {
    namespace fld = model::schema::access_zones;
    const auto srs = io::wgs84();
    output::LayerWriter w(ds, path, fld::layer, wkbMultiPolygon, &srs,
                          {{fld::zone_id, OFTString},
                           {fld::name, OFTString},
                           {fld::population, detail::population_type(base.whole_population)},
                           {fld::group, OFTString},
                           {fld::ref_lon, OFTReal},
                           {fld::ref_lat, OFTReal},
                           {fld::access, OFTReal},
                           {fld::access_ratio, OFTReal},
                           {fld::access_below, OFTInteger, OFSTBoolean},
                           {fld::sites_in_reach, OFTInteger}});
    for (std::size_t i = begin; i < end; ++i) {
        const auto& z = zones.zones[i];
        const auto& ref = base.zones[i].reference;
        const auto g = log.prepare(ctx, z.geometry.get(), fld::layer, z.id);
        w.add(g.get(),
              {z.id, z.name, detail::population_field(z.population, base.whole_population), z.group,
               round_to(ref.lon, 7), round_to(ref.lat, 7), per100k(a.zone_index[i]),
               ratio_value(a.zone_index[i], a.mean_index), static_cast<bool>(a.zone_below[i]),
               static_cast<std::int64_t>(a.zone_sites_in_reach[i])});
    }
    w.finish();
}

void write_sites(GDALDataset& ds, const std::string& path, const AccessResult& a,
                 const io::SiteSet& sites) {
    namespace fld = model::schema::access_sites;
    const auto srs = io::wgs84();
    output::LayerWriter w(ds, path, fld::layer, wkbPoint, &srs,
                          {{fld::site_id, OFTString},
                           {fld::name, OFTString},
                           {fld::type, OFTString},
                           {fld::capacity, OFTReal},
                           {fld::demand, OFTReal},
                           {fld::demand_context, OFTReal},
                           {fld::ratio, OFTReal},
                           {fld::reached, OFTInteger, OFSTBoolean}});
    for (std::size_t s = 0; s < sites.sites.size(); ++s) {
        const auto& site = sites.sites[s];
        OGRPoint pt(site.position.lon, site.position.lat);
        const double r = a.site_ratio[s];
        const double context = a.site_context_demand.empty() ? 0.0 : a.site_context_demand[s];
        w.add(&pt, {site.id, site.name, site.type, site.capacity, round_to(a.site_demand[s], 4),
                    round_to(context, 4), std::isnan(r) ? FieldValue{} : FieldValue{per100k(r)},
                    !std::isnan(r)});
    }
    w.finish();
}

} // namespace

nlohmann::ordered_json access_summary(const AccessResult& a, const AnalysisResult& base,
                                      const io::SiteSet& sites, const io::ZoneSet& zones,
                                      const AccessParameters& params,
                                      const AccessRunDescription& run) {
    namespace acc = model::schema::summary::in_access;
    nlohmann::ordered_json j;
    j["method"] = "E2SFCA: enhanced two-step floating catchment area (Luo & Qi 2009)";
    j["unit"] = "supply per 100,000 inhabitants";
    j[acc::parameters] = run.parameters;
    j[acc::parameters][acc::decay] = params.decay.to_json();
    j[acc::parameters]["below"] = params.below;
    j[acc::parameters]["grid_m"] = base.grid.cell_m;
    j["inputs"] = {{"sites", input_summary(sites.report)}, {"zones", input_summary(zones.report)}};
    j["equal_area_crs"] = base.projection.proj_string();
    j["grid"] = detail::grid_summary(base);
    j["sites_count"] = sites.sites.size();
    j["site_layers"] = site_layers_summary(sites, base);
    j["zones_count"] = zones.zones.size();
    j["supply_total"] = round_to(a.supply_total, 6);
    j["supply_served"] = round_to(a.supply_served, 6);
    auto unreached = nlohmann::ordered_json::array();
    double unreached_supply = 0.0;
    for (const auto s : a.unreached_sites) {
        unreached.push_back({{"site_id", sites.sites[s].id}, {"name", sites.sites[s].name}});
        unreached_supply += sites.sites[s].capacity;
    }
    j[acc::sites_reaching_nobody] = {{acc::count, a.unreached_sites.size()},
                                     {"capacity", round_to(unreached_supply, 6)},
                                     {"sites", unreached}};
    j["population_total"] = round_to(a.population_total, 4);
    j[acc::population_no_site_in_reach] = round_to(a.population_no_site, 4);
    // Sum over the demand of population x index (per inhabitant). Over all the demand, study
    // area and context zones, it is the supply of the reached sites, by construction of the
    // E2SFCA; here, the study area's part (the supply that reaches its people).
    j["sum_population_x_index"] = round_to(a.weighted_sum, 6);
    auto context = run.context.is_object() ? run.context : nlohmann::ordered_json{{"used", false}};
    if (context.value("used", false)) {
        context["population_demand"] = round_to(a.context_population, 4);
        context["population_in_reach"] = round_to(a.context_population_in_reach, 4);
        context["sites_with_demand"] = a.context_sites;
        // The supply that reaches the context zones' people: with the study area's part, the
        // supply of the reached sites (conservation over all the demand).
        context["sum_population_x_index"] = round_to(a.context_weighted_sum, 6);
    }
    j["context_zones"] = context;
    j["sum_population_x_index_all_demand"] = round_to(a.weighted_sum + a.context_weighted_sum, 6);
    j[acc::index] = {{acc::mean, per100k(a.mean_index)},
                     {"p10", per100k(a.p10)},
                     {"p50", per100k(a.p50)},
                     {"p90", per100k(a.p90)},
                     {"max", per100k(a.max_index)}};
    j[acc::below] = {
        {acc::share, params.below},
        {"threshold", per100k(a.threshold)},
        {acc::zones, a.zones_below},
        {acc::population, round_to(a.population_below, 4)},
        {acc::share_of_population,
         a.population_total > 0 ? round_to(a.population_below / a.population_total, 6) : 0.0},
        {"population_of_demand_points", round_to(a.population_below_cells, 4)}};
    auto groups = nlohmann::ordered_json::array();
    for (const auto& g : a.groups) {
        const double mean = g.population > 0 ? g.weighted_sum / g.population : 0.0;
        nlohmann::ordered_json e = {{acc::group, g.group},
                                    {acc::population, round_to(g.population, 4)},
                                    {acc::index, per100k(mean)}};
        e[acc::ratio] = a.mean_index > 0 ? nlohmann::ordered_json(round_to(mean / a.mean_index, 6))
                                         : nlohmann::ordered_json(nullptr);
        e["zones"] = g.zones;
        e[acc::zones_below] = g.zones_below;
        e[acc::population_below] = round_to(g.population_below, 4);
        groups.push_back(e);
    }
    j[acc::by_group] = groups;
    if (run.geometry) {
        j["output_geometry"] = run.geometry->to_json();
    }
    return j;
}

namespace {

namespace file = model::schema::files;

/// The QGIS styles of access's layers, by layer name.
std::vector<std::pair<std::string, std::string>> access_styles(const std::string& lang) {
    return {{model::schema::access_zones::layer, output::access_zones_qml(lang)},
            {model::schema::access_sites::layer, output::access_sites_qml(lang)}};
}

/// GeoPackage: access.gpkg with both layers, their styles and the raster.
void write_gpkg(io::StagedOutput& out, const AccessResult& a, const AnalysisResult& base,
                const io::SiteSet& sites, const io::ZoneSet& zones, const std::string& lang,
                OutputGeometryLog& log) {
    const std::string path = out.path(file::access_gpkg).string();
    auto ds = output::create_vector(path, output::VectorFormat::gpkg);
    write_zones(*ds, path, a, base, zones, *zones.ctx, 0, zones.zones.size(), log);
    write_sites(*ds, path, a, sites);
    detail::write_layer_styles(*ds, path, access_styles(lang));
    output::close_dataset(std::move(ds), path);
    write_grid_raster(path, base.grid, base.projection, a.cell_index, access_raster(), true);
}

/// GeoJSON: as for analyse, independent files side by side, the zones in slices stitched after.
void write_files(io::StagedOutput& out, const AccessResult& a, const AnalysisResult& base,
                 const io::SiteSet& sites, const io::ZoneSet& zones, const std::string& lang,
                 OutputGeometryLog& log) {
    for (const auto& [layer, qml] : access_styles(lang)) {
        write_text(out.path(layer + file::qml_ext), qml);
    }
    write_text(out.path(model::schema::rasters::access + std::string(file::qml_ext)),
               output::access_raster_qml(per100k(a.max_index), lang));
    const std::string zones_file =
        model::schema::access_zones::layer + std::string(file::geojson_ext);
    const auto slices = geojson_slices(out, zones_file, zones.zones.size());
    std::vector<WriteTask> tasks;
    tasks.reserve(slices.size() + 2); // the zones' slices, the sites, the raster
    for (const auto& slice : slices) {
        tasks.push_back(vector_file_task(
            slice.path, output::VectorFormat::geojson,
            [&, b = slice.begin, e = slice.end](GDALDataset& ds, const std::string& p,
                                                const geo::GeosContext& ctx) {
                write_zones(ds, p, a, base, zones, ctx, b, e, log);
            }));
    }
    tasks.push_back(vector_file_task(
        out.path(model::schema::access_sites::layer + std::string(file::geojson_ext)).string(),
        output::VectorFormat::geojson,
        [&](GDALDataset& ds, const std::string& p, const geo::GeosContext&) {
            write_sites(ds, p, a, sites);
        }));
    const std::string tif = out.path(file::access_tif).string();
    tasks.emplace_back([&, tif] {
        write_grid_raster(tif, base.grid, base.projection, a.cell_index, access_raster(), false);
    });
    run_write_tasks(tasks);
    stitch_slices(out, zones_file, slices);
}

} // namespace

void write_access_outputs(io::StagedOutput& out, output::VectorFormat format, const AccessResult& a,
                          const AnalysisResult& base, const io::SiteSet& sites,
                          const io::ZoneSet& zones, const AccessParameters& params,
                          const AccessRunDescription& run,
                          const nlohmann::ordered_json& existing_summary) {
    OutputGeometryLog unrecorded; // a run description without a log
    auto& log = run.geometry ? *run.geometry : unrecorded;
    if (format == output::VectorFormat::gpkg) {
        write_gpkg(out, a, base, sites, zones, run.lang, log);
    } else {
        write_files(out, a, base, sites, zones, run.lang, log);
    }
    nlohmann::ordered_json summary =
        existing_summary.is_object()
            ? existing_summary
            : nlohmann::ordered_json{{model::schema::summary::version, MAILLAGE_VERSION}};
    summary[model::schema::summary::access] = access_summary(a, base, sites, zones, params, run);
    io::redact_connections(summary); // inputs read from PostGIS: no password in the record
    write_text(out.path(file::summary), summary.dump(2) + "\n");
}

} // namespace maillage::output
