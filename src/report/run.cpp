#include "run.hpp"

#include "maillage/core/error.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <fstream>
#include <utility>

namespace maillage::report {

namespace fs = std::filesystem;
using nlohmann::json;
namespace schema = model::schema;

namespace {

/// Layer `name` of a dataset, else its first layer.
OGRLayer* layer_of(GDALDataset& ds, const std::string& name, const std::string& path) {
    OGRLayer* l = ds.GetLayerByName(name.c_str());
    if (l == nullptr) {
        l = ds.GetLayerCount() > 0 ? ds.GetLayer(0) : nullptr;
    }
    if (l == nullptr) {
        throw input_error(path + ": no layer '" + name +
                          "'. Is it the output folder of maillage analyse?");
    }
    return l;
}

geo::GeomPtr geos_of(const geo::GeosContext& ctx, const OGRGeometry* g) {
    std::vector<unsigned char> wkb(g->WkbSize());
    g->exportToWkb(wkbNDR, wkb.data(), wkbVariantIso);
    return geo::from_wkb(ctx, wkb.data(), wkb.size());
}

json read_summary(const fs::path& dir) {
    const auto summary_path = dir / schema::files::summary;
    std::ifstream in(summary_path);
    if (!in) {
        throw input_error(summary_path.string() +
                          ": not found. Give --run the output folder of `maillage analyse`.");
    }
    json summary;
    try {
        in >> summary;
    } catch (const json::exception& e) {
        throw input_error(summary_path.string() + ": not a valid summary: " + e.what());
    }
    return summary;
}

/// Calls fn(feature, geometry) for every feature with a geometry of one output layer of the
/// folder (GeoPackage or GeoJSON run).
template <class Fn> void each_feature(const fs::path& dir, const char* name, const Fn& fn) {
    const bool gpkg = fs::exists(dir / schema::files::gpkg);
    auto ds = io::open_vector(
        (gpkg ? dir / schema::files::gpkg : dir / (name + std::string(schema::files::geojson_ext)))
            .string());
    for (auto& f : *layer_of(*ds, name, dir.string())) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (g != nullptr && !g->IsEmpty()) {
            fn(*f, *g);
        }
    }
}

Zone zone_of(const geo::GeosContext& ctx, OGRFeature& f, const OGRGeometry& g) {
    namespace fld = schema::zones;
    return {.id = field_text(f, fld::zone_id),
            .name = field_text(f, fld::name),
            .group = field_text_or(f, fld::group, fld::group_legacy),
            .population = field_double(f, fld::population),
            .mean_km = field_double(f, fld::mean_km),
            .pop_beyond = field_double(f, fld::pop_beyond),
            .lonlat = geos_of(ctx, &g),
            .xy = nullptr};
}

Site site_of(OGRFeature& f, const OGRGeometry& g) {
    namespace fld = schema::sites;
    const int in_area = f.GetFieldIndex(fld::in_study_area);
    return {field_text(f, fld::site_id),
            field_text(f, fld::name),
            field_text(f, fld::type),
            {g.toPoint()->getX(), g.toPoint()->getY()},
            in_area >= 0 && f.IsFieldSetAndNotNull(in_area) && f.GetFieldAsInteger(in_area) == 0,
            field_double(f, fld::catchment_population)};
}

Part part_of(const geo::GeosContext& ctx, OGRFeature& f, const OGRGeometry& g) {
    namespace fld = schema::underserved;
    return {.area_km2 = field_double(f, fld::area_km2),
            .population = field_double(f, fld::population),
            .max_km = field_double(f, fld::max_km),
            .lonlat = geos_of(ctx, &g),
            .xy = nullptr,
            .communes = {}};
}

} // namespace

Run load_run(const geo::GeosContext& ctx, const fs::path& dir) {
    Run run;
    run.summary = read_summary(dir);
    each_feature(dir, schema::zones::layer, [&](OGRFeature& f, const OGRGeometry& g) {
        run.zones.push_back(zone_of(ctx, f, g));
    });
    each_feature(dir, schema::sites::layer, [&](OGRFeature& f, const OGRGeometry& g) {
        if (wkbFlatten(g.getGeometryType()) == wkbPoint) {
            run.sites.push_back(site_of(f, g));
        }
    });
    each_feature(dir, schema::underserved::layer, [&](OGRFeature& f, const OGRGeometry& g) {
        run.parts.push_back(part_of(ctx, f, g));
    });
    if (run.zones.empty()) {
        throw input_error(dir.string() + ": the zones layer is empty.");
    }
    return run;
}

void find_communes(const geo::GeosContext& ctx, Run& run) {
    for (auto& p : run.parts) {
        geo::PreparedPtr prepared(GEOSPrepare_r(ctx.get(), p.lonlat.get()),
                                  geo::PreparedDeleter{ctx.get()});
        std::vector<std::pair<double, std::string>> touched;
        for (const auto& z : run.zones) {
            if (z.pop_beyond > 0 &&
                GEOSPreparedIntersects_r(ctx.get(), prepared.get(), z.lonlat.get()) == 1) {
                touched.emplace_back(-z.pop_beyond, z.name);
            }
        }
        std::sort(touched.begin(), touched.end());
        for (const auto& [neg, name] : touched) {
            p.communes.push_back(name);
        }
    }
}

std::vector<GroupRow> group_rows(const json& summary) {
    namespace key = schema::summary::group;
    std::vector<GroupRow> groups;
    for (const auto& g : summary.at(schema::summary::by_group)) {
        GroupRow r{
            g.at(key::group).get<std::string>(), g.at(key::population).get<double>(),
            g.at(key::sites).get<double>(),      0.0,
            g.at(key::mean_km).get<double>(),    100.0 * g.at(key::share_beyond).get<double>(),
            g.at(key::group).get<std::string>()};
        r.per_100k = r.population > 0 ? r.sites * 1e5 / r.population : 0.0;
        groups.push_back(r);
    }
    return groups;
}

std::optional<std::vector<InputFile>> load_run_inputs(const fs::path& dir) {
    namespace key = schema::run_record;
    nlohmann::ordered_json record; // in the order written: sites, border sites, zones
    if (std::ifstream in(dir / schema::files::run_record); in) {
        try {
            in >> record;
        } catch (const json::exception&) {
            record = nullptr;
        }
    }
    if (!record.is_object() || !record.contains(key::inputs)) {
        return std::nullopt;
    }
    std::vector<InputFile> files;
    for (const auto& [role, list] : record.at(key::inputs).items()) {
        for (const auto& file : list) {
            files.push_back(
                {file.value(key::path, std::string()), file.value(key::sha256, std::string())});
        }
    }
    return files;
}

double field_double(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsDouble(i) : 0.0;
}

std::string field_text(OGRFeature& f, const char* name) {
    const int i = f.GetFieldIndex(name);
    return i >= 0 && f.IsFieldSetAndNotNull(i) ? f.GetFieldAsString(i) : "";
}

std::string field_text_or(OGRFeature& f, const char* name, const char* legacy) {
    return f.GetFieldIndex(name) >= 0 ? field_text(f, name) : field_text(f, legacy);
}

RunLayer open_run_layer(const fs::path& dir, const std::string& name, const std::string& section) {
    const bool gpkg = fs::exists(dir / schema::files::gpkg);
    const auto path = gpkg ? dir / schema::files::gpkg : dir / (name + schema::files::geojson_ext);
    const std::string why = ", although summary.json has a " + section +
                            " section. Give --run the whole output folder of the run.";
    if (!fs::exists(path)) {
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

namespace {

/// row(feature) for every feature of layer `name` of the run folder (open_run_layer), in the
/// layer's order.
template <class Row>
auto rows_of(const fs::path& dir, const char* name, const char* section, const Row& row) {
    const auto run = open_run_layer(dir, name, section);
    std::vector<decltype(row(std::declval<OGRFeature&>()))> out;
    for (auto& f : *run.layer) {
        out.push_back(row(*f));
    }
    return out;
}

} // namespace

std::vector<Catchment> load_catchments(const fs::path& dir) {
    namespace fld = schema::catchments;
    return rows_of(dir, fld::layer, schema::summary::catchments, [](OGRFeature& f) {
        return Catchment{field_text(f, fld::site_id),    field_text(f, fld::name),
                         field_text(f, fld::type),       field_double(f, fld::population),
                         field_double(f, fld::area_km2), field_double(f, fld::mean_km)};
    });
}

std::vector<ChangedZone> load_whatif_zones(const fs::path& dir) {
    namespace fld = schema::whatif_zones;
    return rows_of(dir, fld::layer, schema::summary::whatif, [](OGRFeature& f) {
        return ChangedZone{field_text(f, fld::name), field_double(f, fld::population),
                           field_double(f, fld::mean_km_before),
                           field_double(f, fld::mean_km_after), field_double(f, fld::delta_km)};
    });
}

std::optional<std::vector<LowAccessZone>> load_access_below(const fs::path& dir) {
    namespace fld = schema::access_zones;
    const fs::path layer_file = fs::exists(dir / schema::files::access_gpkg)
                                    ? dir / schema::files::access_gpkg
                                    : dir / (fld::layer + std::string(schema::files::geojson_ext));
    if (!fs::exists(layer_file)) {
        return std::nullopt;
    }
    std::vector<LowAccessZone> low;
    auto ds = io::open_vector(layer_file.string());
    for (auto& f : *layer_of(*ds, fld::layer, layer_file.string())) {
        const int flag = f->GetFieldIndex(fld::access_below);
        if (flag >= 0 && f->IsFieldSetAndNotNull(flag) && f->GetFieldAsInteger(flag) != 0) {
            low.push_back({field_text(*f, fld::name),
                           field_text_or(*f, fld::group, fld::group_legacy),
                           field_double(*f, fld::population), field_double(*f, fld::access),
                           field_double(*f, fld::access_ratio)});
        }
    }
    return low;
}

} // namespace maillage::report
