// Outputs of `maillage access`: access_zones, access_sites, the access raster and the "access"
// section of summary.json.

#include "maillage/output/access_outputs.hpp"
#include "internal.hpp"
#include "maillage/output/outputs.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"

#include <ogr_geometry.h>

#include <cmath>
#include <fstream>
#include <functional>

namespace maillage::output {

using analysis::access_per_inhabitants;
namespace {

using core::round_to;
using output::FieldValue;

/// An index per inhabitant as written: per 100,000 inhabitants, 6 decimals.
double per100k(double v) { return round_to(v * access_per_inhabitants, 6); }

FieldValue ratio_value(double index, double mean) {
    return mean > 0 ? FieldValue{round_to(index / mean, 6)} : FieldValue{};
}

void write_zones(GDALDataset& ds, const std::string& path, const AccessResult& a,
                 const AnalysisResult& base, const io::ZoneSet& zones, const geo::GeosContext& ctx,
                 std::size_t begin, std::size_t end, OutputGeometryLog& log) {
    const auto srs = io::wgs84();
    output::LayerWriter w(ds, path, "access_zones", wkbMultiPolygon, &srs,
                          {{"zone_id", OFTString},
                           {"name", OFTString},
                           {"population", detail::population_type(base.whole_population)},
                           {"group", OFTString},
                           {"ref_lon", OFTReal},
                           {"ref_lat", OFTReal},
                           {"access", OFTReal},
                           {"access_ratio", OFTReal},
                           {"access_below", OFTInteger, OFSTBoolean},
                           {"sites_in_reach", OFTInteger}});
    for (std::size_t i = begin; i < end; ++i) {
        const auto& z = zones.zones[i];
        const auto& ref = base.zones[i].reference;
        const auto g = log.prepare(ctx, z.geometry.get(), "access_zones", z.id);
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
    const auto srs = io::wgs84();
    output::LayerWriter w(ds, path, "access_sites", wkbPoint, &srs,
                          {{"site_id", OFTString},
                           {"name", OFTString},
                           {"type", OFTString},
                           {"capacity", OFTReal},
                           {"demand", OFTReal},
                           {"demand_context", OFTReal},
                           {"ratio", OFTReal},
                           {"reached", OFTInteger, OFSTBoolean}});
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

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    f << text;
    f.close();
    if (!f) {
        throw runtime_failure(path.string() + ": cannot write (is the disk full?)");
    }
}

} // namespace

nlohmann::ordered_json access_summary(const AccessResult& a, const AnalysisResult& base,
                                      const io::SiteSet& sites, const io::ZoneSet& zones,
                                      const AccessParameters& params,
                                      const AccessRunDescription& run) {
    nlohmann::ordered_json j;
    j["method"] = "E2SFCA: enhanced two-step floating catchment area (Luo & Qi 2009)";
    j["unit"] = "supply per 100,000 inhabitants";
    j["parameters"] = run.parameters;
    j["parameters"]["decay"] = params.decay.to_json();
    j["parameters"]["below"] = params.below;
    j["parameters"]["grid_m"] = base.grid.cell_m;
    j["inputs"] = {{"sites", input_summary(sites.report)}, {"zones", input_summary(zones.report)}};
    j["equal_area_crs"] = base.projection.proj_string();
    j["grid"] = {{"cell_m", base.grid.cell_m},
                 {"width", base.grid.width},
                 {"height", base.grid.height},
                 {"cells_in_study_area", std::count_if(base.grid.zone.begin(), base.grid.zone.end(),
                                                       [](auto z) { return z >= 0; })},
                 {"zones_on_reference_point", base.point_demands}};
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
    j["sites_reaching_nobody"] = {{"count", a.unreached_sites.size()},
                                  {"capacity", round_to(unreached_supply, 6)},
                                  {"sites", unreached}};
    j["population_total"] = round_to(a.population_total, 4);
    j["population_no_site_in_reach"] = round_to(a.population_no_site, 4);
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
    j["index"] = {{"mean", per100k(a.mean_index)},
                  {"p10", per100k(a.p10)},
                  {"p50", per100k(a.p50)},
                  {"p90", per100k(a.p90)},
                  {"max", per100k(a.max_index)}};
    j["below"] = {{"share", params.below},
                  {"threshold", per100k(a.threshold)},
                  {"zones", a.zones_below},
                  {"population", round_to(a.population_below, 4)},
                  {"share_of_population", a.population_total > 0
                                              ? round_to(a.population_below / a.population_total, 6)
                                              : 0.0},
                  {"population_of_demand_points", round_to(a.population_below_cells, 4)}};
    auto groups = nlohmann::ordered_json::array();
    for (const auto& g : a.groups) {
        const double mean = g.population > 0 ? g.weighted_sum / g.population : 0.0;
        nlohmann::ordered_json e = {{"group", g.group},
                                    {"population", round_to(g.population, 4)},
                                    {"index", per100k(mean)}};
        e["ratio"] = a.mean_index > 0 ? nlohmann::ordered_json(round_to(mean / a.mean_index, 6))
                                      : nlohmann::ordered_json(nullptr);
        e["zones"] = g.zones;
        e["zones_below"] = g.zones_below;
        e["population_below"] = round_to(g.population_below, 4);
        groups.push_back(e);
    }
    j["by_group"] = groups;
    if (run.geometry) {
        j["output_geometry"] = run.geometry->to_json();
    }
    return j;
}

void write_access_outputs(io::StagedOutput& out, output::VectorFormat format, const AccessResult& a,
                          const AnalysisResult& base, const io::SiteSet& sites,
                          const io::ZoneSet& zones, const AccessParameters& params,
                          const AccessRunDescription& run,
                          const nlohmann::ordered_json& existing_summary) {
    const GridRasterNames raster{"E2SFCA accessibility index (per 100,000 inhabitants)", "access",
                                 "access_per_100k"};
    OutputGeometryLog unrecorded; // a run description without a log
    auto& log = run.geometry ? *run.geometry : unrecorded;
    if (format == output::VectorFormat::gpkg) {
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
        const std::string path = out.path("access.gpkg").string();
        auto ds = output::create_vector(path, format);
        write_zones(*ds, path, a, base, zones, *zones.ctx, 0, zones.zones.size(), log);
        write_sites(*ds, path, a, sites);
        output::close_dataset(std::move(ds), path);
        write_grid_raster(path, base.grid, base.projection, a.cell_index, raster, true);
    } else {
        // As for analyse: independent files side by side, the zones in two slices stitched after.
        std::vector<std::function<void()>> tasks;
        const std::size_t nz = zones.zones.size();
        const std::size_t slices = nz >= 64 ? 2 : 1;
        std::vector<std::string> slice_paths;
        for (std::size_t k = 0; k < slices; ++k) {
            const std::size_t b = nz * k / slices;
            const std::size_t e = nz * (k + 1) / slices;
            const std::string name = slices == 1 ? "access_zones.geojson"
                                                 : "access_zones.geojson.slice" + std::to_string(k);
            const std::string path = out.path(name).string();
            slice_paths.push_back(path);
            tasks.emplace_back([&, path, b, e] {
                geo::GeosContext ctx;
                auto ds = output::create_vector(path, output::VectorFormat::geojson);
                write_zones(*ds, path, a, base, zones, ctx, b, e, log);
                output::close_dataset(std::move(ds), path);
            });
        }
        const std::string sites_path = out.path("access_sites.geojson").string();
        tasks.emplace_back([&, sites_path] {
            auto ds = output::create_vector(sites_path, output::VectorFormat::geojson);
            write_sites(*ds, sites_path, a, sites);
            output::close_dataset(std::move(ds), sites_path);
        });
        const std::string tif = out.path("access.tif").string();
        tasks.emplace_back([&, tif] {
            write_grid_raster(tif, base.grid, base.projection, a.cell_index, raster, false);
        });
        std::vector<std::string> errors(tasks.size());
        const auto n = static_cast<int>(tasks.size());
#pragma omp parallel for schedule(dynamic, 1)
        for (int i = 0; i < n; ++i) {
            try {
                tasks[static_cast<std::size_t>(i)]();
            } catch (const std::exception& e) {
                errors[static_cast<std::size_t>(i)] = e.what();
            }
        }
        for (const auto& e : errors) {
            if (!e.empty()) {
                throw runtime_failure(e);
            }
        }
        if (slices > 1) {
            output::stitch_geojson(slice_paths, out.path("access_zones.geojson").string());
        }
    }
    nlohmann::ordered_json summary = existing_summary.is_object()
                                         ? existing_summary
                                         : nlohmann::ordered_json{{"version", MAILLAGE_VERSION}};
    summary["access"] = access_summary(a, base, sites, zones, params, run);
    io::redact_connections(summary); // inputs read from PostGIS: no password in the record
    write_text(out.path("summary.json"), summary.dump(2) + "\n");
}

} // namespace maillage::output
