#include "maillage/io/zone_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/site_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <optional>

namespace maillage::io {
namespace {

std::string describe_value(const OGRFeature& f, int idx) {
    if (!f.IsFieldSetAndNotNull(idx)) {
        return "empty";
    }
    return "'" + std::string(f.GetFieldAsString(idx)) + "'";
}

/// What to do about a population value that is not a non-negative number.
std::string population_hint(const OGRFeature& f, int idx, const std::string& field) {
    if (!f.IsFieldSetAndNotNull(idx)) {
        return "Give every zone a population (0 for an empty zone), or name another field with "
               "--population.";
    }
    std::string text = f.GetFieldAsString(idx);
    // Thousands separators: spaces, no-break spaces (U+00A0, U+202F), apostrophes.
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == ' ' || text[i] == '\'') {
            continue;
        }
        if (text.compare(i, 2, "\xC2\xA0") == 0) {
            ++i;
            continue;
        }
        if (text.compare(i, 3, "\xE2\x80\xAF") == 0) {
            i += 2;
            continue;
        }
        digits.push_back(text[i]);
    }
    if (digits != text && parse_number(digits)) {
        return "Write it without thousands separators (" + digits + ").";
    }
    if (const auto v = parse_number(text); v && *v < 0) {
        return "A population cannot be negative: fix the value (0 for an empty zone).";
    }
    return "Fix the value (0 for an empty zone), or name the population field with --population "
           "(now '" +
           field + "').";
}

/// For a CSV of zones without a geometry: the text of its WKT column, if it has one.
std::string wkt_text(const OGRFeature& f, OGRFeatureDefn& defn) {
    const auto name = first_present(defn, {"geom", "geometry", "wkt", "WKT"});
    if (name.empty()) {
        return {};
    }
    const int idx = find_field(defn, name);
    return f.IsFieldSetAndNotNull(idx) ? f.GetFieldAsString(idx) : "";
}

} // namespace

ZoneSet read_zones(const ZoneReadOptions& o) {
    const bool csv = is_csv_path(o.path);
    auto ds = open_vector(
        o.path, csv ? std::vector<std::string>{"GEOM_POSSIBLE_NAMES=geom,geometry,wkt,WKT"}
                    : std::vector<std::string>{});
    OGRLayer* layer = first_layer(*ds, o.path);
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    require_features(*layer, o.path, csv, "zone");
    if (csv && o.path.rfind("/vsi", 0) != 0) {
        check_csv_field_counts(o.path);
    }

    ZoneSet out;
    out.ctx = std::make_shared<geo::GeosContext>();
    const auto& ctx = *out.ctx;
    out.report.path = o.path;
    out.report.driver = ds->GetDriver() != nullptr ? ds->GetDriver()->GetDescription() : "";
    out.report.files = dataset_files(*ds, o.path);
    out.report.layer = layer->GetName();

    auto need = [&](const std::string& field, const char* option) {
        const int idx = find_field(defn, field);
        if (idx < 0) {
            throw input_error(o.path + ": no field '" + field + "' (fields: " + field_list(defn) +
                              "). Name the right one with " + option + ".");
        }
        return idx;
    };
    const int id_idx = need(o.id_field, "--zone-id");
    const int pop_idx = need(o.population_field, "--population");
    const int name_idx = find_field(defn, o.name_field);
    if (name_idx < 0 && o.name_field != "nom") {
        need(o.name_field, "--zone-name");
    }
    int group_idx = -1;
    if (!o.group_field.empty() && o.group_field != "none") {
        group_idx = need(o.group_field, "--group-by");
        out.group_field = o.group_field;
    } else if (o.group_field.empty()) {
        group_idx = find_field(defn, "departement");
        if (group_idx >= 0) {
            out.group_field = "departement";
        }
    }

    const auto layer_type = wkbFlatten(layer->GetGeomType());
    if (layer_type == wkbNone) {
        throw input_error(o.path + ": the layer '" + layer->GetName() +
                          "' has no geometry; zones must be polygons.");
    }
    if (layer_type == wkbPoint || layer_type == wkbMultiPoint) {
        throw input_error(o.path + ": the zones are " + OGRGeometryTypeToName(layer_type) +
                          " features; zones must be polygons (communes). Give the zones' polygons; "
                          "points go in --sites, or in `maillage nearest --points`.");
    }
    if (layer_type == wkbLineString || layer_type == wkbMultiLineString) {
        throw input_error(o.path + ": the zones are " + OGRGeometryTypeToName(layer_type) +
                          " features; zones must be polygons (communes). Give the zones' polygons "
                          "(boundaries drawn as lines must be turned into polygons first, e.g. "
                          "with QGIS's Lines to polygons).");
    }

    const auto crs = resolve_crs(*layer, o.crs, "--zones-crs", false);
    const auto& ct = crs.to_wgs84;
    out.report.crs = crs.name;
    auto skip = [&](const std::string& where, const std::string& reason) {
        skip_feature(out.report, o.strict, where, reason);
    };

    struct Pending {
        model::Zone zone;
        std::vector<unsigned char> wkb;
        std::string invalid_reason;
        std::string error;
    };
    std::vector<Pending> pending;
    bool recoded = false;
    for (auto& f : *layer) {
        ++out.report.features;
        model::Zone z;
        z.id = f->IsFieldSetAndNotNull(id_idx) ? text_field(*f, id_idx, recoded) : "";
        std::string where = feature_where(csv, f->GetFID());
        if (!z.id.empty()) {
            where += " (" + o.id_field + " " + z.id + ")";
        }
        z.name = name_idx >= 0 ? text_field(*f, name_idx, recoded) : "";
        z.group = group_idx >= 0 ? text_field(*f, group_idx, recoded) : "";

        // Population: a wrong value would silently change every total, so it stops the run.
        std::optional<double> pop;
        if (f->IsFieldSetAndNotNull(pop_idx)) {
            const auto type = defn.GetFieldDefn(pop_idx)->GetType();
            if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
                pop = f->GetFieldAsDouble(pop_idx);
            } else {
                pop = parse_number(f->GetFieldAsString(pop_idx));
            }
        }
        if (!pop || !std::isfinite(*pop) || *pop < 0) {
            throw input_error(o.path + ": " + where + ": population (" + o.population_field + ") " +
                              describe_value(*f, pop_idx) + " is not a non-negative number. " +
                              population_hint(*f, pop_idx, o.population_field));
        }
        z.population = *pop;
        if (z.id.empty()) {
            skip(where, "empty " + o.id_field + " (population " + format_number(z.population) +
                            " not counted): give the zone an id");
            continue;
        }

        OGRGeometry* g = f->GetGeometryRef();
        if (g == nullptr || g->IsEmpty() != 0) {
            const std::string pop = format_number(z.population);
            if (const auto wkt = csv ? wkt_text(*f, defn) : std::string(); !wkt.empty()) {
                skip(where, "the geometry text '" + wkt.substr(0, 40) +
                                (wkt.size() > 40 ? "..." : "") + "' is not valid WKT (population " +
                                pop + " not counted): fix the polygon's text");
            } else {
                skip(where, "no geometry (population " + pop +
                                " not counted): give the zone its polygon, or remove it");
            }
            continue;
        }
        const auto gtype = wkbFlatten(g->getGeometryType());
        if (gtype != wkbPolygon && gtype != wkbMultiPolygon) {
            if (gtype == wkbPoint || gtype == wkbMultiPoint) {
                throw input_error(o.path + ": " + where + ": geometry is a " +
                                  OGRGeometryTypeToName(gtype) +
                                  "; zones must be polygons (communes). Give the zones' polygons; "
                                  "points go in --sites.");
            }
            skip(where, std::string("geometry is a ") + OGRGeometryTypeToName(gtype) +
                            ", not a polygon: give the zone its polygon");
            continue;
        }
        if (ct && g->transform(ct.get()) != OGRERR_NONE) {
            skip(where, "cannot be transformed from " + out.report.crs +
                            " to WGS84: check its coordinates and the CRS (--zones-crs)");
            continue;
        }
        {
            // GeoJSON without a "crs" member is read as WGS84 whatever it holds: coordinates
            // out of the lon/lat range reveal a projected file.
            OGREnvelope env;
            g->getEnvelope(&env);
            if (!(std::abs(env.MinX) <= 360 && std::abs(env.MaxX) <= 360 &&
                  std::abs(env.MinY) <= 90 && std::abs(env.MaxY) <= 90)) {
                throw input_error(o.path + ": " + where +
                                  " has coordinates that are not longitude/latitude (e.g. x " +
                                  format_number(env.MinX) + ", y " + format_number(env.MinY) +
                                  ") although the layer's CRS is " + out.report.crs +
                                  ". If the file is in a projected CRS, give it with --zones-crs "
                                  "(e.g. EPSG:2154 for Lambert-93).");
            }
        }
        g->flattenTo2D();
        Pending p;
        p.wkb.resize(g->WkbSize());
        g->exportToWkb(wkbNDR, p.wkb.data(), wkbVariantIso);
        z.where = where;
        p.zone = std::move(z);
        pending.push_back(std::move(p));
    }

    // Validity checks and repairs are the costly part: done in parallel, one GEOS context per
    // thread; notices are then reported in input order.
    const auto n = static_cast<std::int64_t>(pending.size());
#pragma omp parallel
    {
        geo::GeosContext local;
#pragma omp for schedule(dynamic, 32)
        for (std::int64_t i = 0; i < n; ++i) {
            auto& p = pending[static_cast<std::size_t>(i)];
            try {
                auto geom = geo::from_wkb(local, p.wkb.data(), p.wkb.size());
                if (GEOSisValid_r(local.get(), geom.get()) != 1) {
                    char* reason = GEOSisValidReason_r(local.get(), geom.get());
                    p.invalid_reason = reason != nullptr ? reason : "invalid";
                    GEOSFree_r(local.get(), reason);
                    GEOSMakeValidParams* params = GEOSMakeValidParams_create_r(local.get());
                    GEOSMakeValidParams_setMethod_r(local.get(), params, GEOS_MAKE_VALID_STRUCTURE);
                    GEOSMakeValidParams_setKeepCollapsed_r(local.get(), params, 0);
                    GEOSGeometry* fixed =
                        GEOSMakeValidWithParams_r(local.get(), geom.get(), params);
                    GEOSMakeValidParams_destroy_r(local.get(), params);
                    geom = geo::polygonal_part(local, geo::own(local, fixed, "make-valid"));
                }
                // GEOS geometries do not belong to a context; the zone set's one destroys them.
                p.zone.geometry = geo::GeomPtr(geom.release(), geo::GeomDeleter{ctx.get()});
            } catch (const std::exception& e) {
                p.error = e.what();
            }
            std::vector<unsigned char>().swap(p.wkb); // frees it (`= {}` keeps the buffer)
        }
    }
    for (auto& p : pending) {
        if (!p.error.empty()) {
            throw input_error(o.path + ": " + p.zone.where +
                              ": cannot use the geometry: " + p.error);
        }
        if (!p.invalid_reason.empty()) {
            const std::string why = "invalid polygon (" + p.invalid_reason + ")";
            if (GEOSisEmpty_r(ctx.get(), p.zone.geometry.get()) == 1) {
                skip(p.zone.where, why + " that repairs to nothing");
                continue;
            }
            if (o.strict) {
                throw input_error(o.path + ": " + p.zone.where + ": " + why +
                                  " (--strict). Fix the polygon, or run without --strict to have "
                                  "it repaired.");
            }
            out.report.repaired.push_back({p.zone.where, why + ", repaired by make-valid"});
        }
        out.zones.push_back(std::move(p.zone));
    }
    out.report.used = out.zones.size();
    out.report.text_recoded = recoded;
    if (out.zones.empty()) {
        std::string msg = o.path + ": no usable zone (" + std::to_string(out.report.features) +
                          " read, " + std::to_string(out.report.skipped.size()) + " skipped).";
        const std::size_t shown = std::min<std::size_t>(3, out.report.skipped.size());
        for (std::size_t i = 0; i < shown; ++i) {
            msg += (i == 0 ? " Skipped: " : "; ") + out.report.skipped[i].where + ": " +
                   out.report.skipped[i].reason;
        }
        throw input_error(msg + ". Fix these features, or name the right fields (--zone-id).");
    }
    return out;
}

} // namespace maillage::io
