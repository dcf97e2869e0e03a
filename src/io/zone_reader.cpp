#include "maillage/io/zone_reader.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/site_reader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <memory>
#include <optional>

namespace maillage::io {

const std::vector<std::string>& group_field_names() {
    static const std::vector<std::string> names{"departement", "INSEE_DEP", "code_dep", "dep"};
    return names;
}

namespace {

std::string describe_value(const OGRFeature& f, int idx) {
    if (!f.IsFieldSetAndNotNull(idx)) {
        return "empty";
    }
    return "'" + std::string(f.GetFieldAsString(idx)) + "'";
}

/// The option "--STEM" + suffix of the zone options, for messages ("--zone-id").
std::string option(const ZoneReadOptions& o, const char* suffix) {
    return "--" + o.option_stem + suffix;
}

/// What to do about a population value that is not a non-negative number.
std::string population_hint(const OGRFeature& f, int idx, const ZoneReadOptions& o) {
    const std::string& field = o.population_field;
    if (!f.IsFieldSetAndNotNull(idx)) {
        return "Give every zone a population (0 for an empty zone), or name another field with " +
               o.population_option + ".";
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
    return "Fix the value (0 for an empty zone), or name the population field with " +
           o.population_option + " (now '" + field + "').";
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

/// The field indices of a zone layer.
struct ZoneFields {
    int id = -1;
    int population = -1;
    int name = -1;
    int group = -1;
};

ZoneFields zone_fields(const ZoneReadOptions& o, OGRFeatureDefn& defn, ZoneSet& out) {
    auto need = [&](const std::string& field, const std::string& option) {
        require_field(defn, o.path, field, option);
        return find_field(defn, field);
    };
    ZoneFields f;
    f.id = need(o.id_field, option(o, "-id"));
    f.population = need(o.population_field, o.population_option);
    f.name = find_field(defn, o.name_field);
    if (f.name < 0 && o.name_field != "nom") {
        need(o.name_field, option(o, "-name"));
    }
    if (!o.group_field.empty() && o.group_field != "none") {
        f.group = need(o.group_field, o.group_option);
        out.group_field = o.group_field;
    } else if (o.group_field.empty()) {
        const auto found = first_present(defn, group_field_names());
        if (!found.empty()) {
            f.group = find_field(defn, found);
            out.group_field = defn.GetFieldDefn(f.group)->GetNameRef();
        }
    }
    auto name = [&](int idx) {
        return idx < 0 ? std::string() : std::string(defn.GetFieldDefn(idx)->GetNameRef());
    };
    out.id_field = name(f.id);
    out.name_field = name(f.name);
    out.population_field = name(f.population);
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        out.layer_fields.emplace_back(defn.GetFieldDefn(i)->GetNameRef());
    }
    return f;
}

void check_layer_type(const ZoneReadOptions& o, OGRLayer& layer) {
    const auto layer_type = wkbFlatten(layer.GetGeomType());
    if (layer_type == wkbNone) {
        throw input_error(o.path + ": the layer '" + layer.GetName() +
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
}

/// A zone read, before its polygon is checked and repaired.
struct Pending {
    model::Zone zone;
    std::vector<unsigned char> wkb;
    std::string invalid_reason;
    std::string error;
};

/// Reads the features of a zone layer: each zone with its polygon (WGS84 lon/lat, as WKB), or
/// skipped and reported.
class FeatureReader {
public:
    FeatureReader(const ZoneReadOptions& o, OGRFeatureDefn& defn, const ZoneFields& fields,
                  bool csv, OGRCoordinateTransformation* ct, ZoneSet& out)
        : m_o(o), m_defn(defn), m_f(fields), m_csv(csv), m_ct(ct), m_out(out) {}

    /// The zone of `f`, or nullopt when it is skipped.
    std::optional<Pending> read(OGRFeature& f) {
        ++m_out.report.features;
        model::Zone z;
        z.id = f.IsFieldSetAndNotNull(m_f.id) ? text_field(f, m_f.id, m_recoded) : "";
        std::string where = feature_where(m_csv, f.GetFID());
        if (!z.id.empty()) {
            where += " (" + m_o.id_field + " " + z.id + ")";
        }
        z.name = m_f.name >= 0 ? text_field(f, m_f.name, m_recoded) : "";
        z.group = m_f.group >= 0 ? text_field(f, m_f.group, m_recoded) : "";
        z.population = population(f, where);
        if (z.id.empty()) {
            skip(where, "empty " + m_o.id_field + " (population " + format_number(z.population) +
                            " not counted): give the zone an id");
            return std::nullopt;
        }
        OGRGeometry* g = f.GetGeometryRef();
        if (!usable_geometry(f, g, where, z.population)) {
            return std::nullopt;
        }
        g->flattenTo2D();
        Pending p;
        p.wkb.resize(g->WkbSize());
        g->exportToWkb(wkbNDR, p.wkb.data(), wkbVariantIso);
        z.where = where;
        p.zone = std::move(z);
        return p;
    }

    [[nodiscard]] bool recoded() const { return m_recoded; }

    void skip(const std::string& where, const std::string& reason) {
        skip_feature(m_out.report, m_o.strict, where, reason);
    }

private:
    /// Population: a wrong value would silently change every total, so it stops the run.
    double population(const OGRFeature& f, const std::string& where) const {
        const int idx = m_f.population;
        std::optional<double> pop;
        if (f.IsFieldSetAndNotNull(idx)) {
            const auto type = m_defn.GetFieldDefn(idx)->GetType();
            if (type == OFTInteger || type == OFTInteger64 || type == OFTReal) {
                pop = f.GetFieldAsDouble(idx);
            } else {
                pop = parse_number(f.GetFieldAsString(idx));
            }
        }
        if (!pop || !std::isfinite(*pop) || *pop < 0) {
            throw input_error(m_o.path + ": " + where + ": population (" + m_o.population_field +
                              ") " + describe_value(f, idx) + " is not a non-negative number. " +
                              population_hint(f, idx, m_o));
        }
        return *pop;
    }

    /// False (the zone skipped) when g is not a polygon in WGS84 lon/lat; g is transformed
    /// there.
    bool usable_geometry(const OGRFeature& f, OGRGeometry* g, const std::string& where,
                         double population) {
        if (g == nullptr || g->IsEmpty() != 0) {
            const std::string pop = format_number(population);
            if (const auto wkt = m_csv ? wkt_text(f, m_defn) : std::string(); !wkt.empty()) {
                skip(where, "the geometry text '" + wkt.substr(0, 40) +
                                (wkt.size() > 40 ? "..." : "") + "' is not valid WKT (population " +
                                pop + " not counted): fix the polygon's text");
            } else {
                skip(where, "no geometry (population " + pop +
                                " not counted): give the zone its polygon, or remove it");
            }
            return false;
        }
        const auto gtype = wkbFlatten(g->getGeometryType());
        if (gtype != wkbPolygon && gtype != wkbMultiPolygon) {
            if (gtype == wkbPoint || gtype == wkbMultiPoint) {
                throw input_error(m_o.path + ": " + where + ": geometry is a " +
                                  OGRGeometryTypeToName(gtype) +
                                  "; zones must be polygons (communes). Give the zones' polygons; "
                                  "points go in --sites.");
            }
            skip(where, std::string("geometry is a ") + OGRGeometryTypeToName(gtype) +
                            ", not a polygon: give the zone its polygon");
            return false;
        }
        if (m_ct != nullptr && g->transform(m_ct) != OGRERR_NONE) {
            skip(where, "cannot be transformed from " + m_out.report.crs +
                            " to WGS84: check its coordinates and the CRS (" +
                            option(m_o, "s-crs") + ")");
            return false;
        }
        check_lonlat(*g, where);
        return true;
    }

    /// GeoJSON without a "crs" member is read as WGS84 whatever it holds: coordinates out of
    /// the lon/lat range reveal a projected file.
    void check_lonlat(const OGRGeometry& g, const std::string& where) const {
        OGREnvelope env;
        g.getEnvelope(&env);
        if (!(std::abs(env.MinX) <= 360 && std::abs(env.MaxX) <= 360 && std::abs(env.MinY) <= 90 &&
              std::abs(env.MaxY) <= 90)) {
            throw input_error(m_o.path + ": " + where +
                              " has coordinates that are not longitude/latitude (e.g. x " +
                              format_number(env.MinX) + ", y " + format_number(env.MinY) +
                              ") although the layer's CRS is " + m_out.report.crs +
                              ". If the file is in a projected CRS, give it with " +
                              option(m_o, "s-crs") + " (e.g. EPSG:2154 for Lambert-93).");
        }
    }

    const ZoneReadOptions& m_o;
    OGRFeatureDefn& m_defn;
    ZoneFields m_f;
    bool m_csv;
    OGRCoordinateTransformation* m_ct;
    ZoneSet& m_out;
    bool m_recoded = false;
};

/// Checks p's polygon and repairs it (GEOS make-valid, structure method) in `local`; the
/// geometry then belongs to `ctx`.
void repair(const geo::GeosContext& local, const geo::GeosContext& ctx, Pending& p) {
    auto* const lh = local.get();
    auto geom = geo::from_wkb(local, p.wkb.data(), p.wkb.size());
    if (GEOSisValid_r(lh, geom.get()) != 1) {
        char* reason = GEOSisValidReason_r(lh, geom.get());
        p.invalid_reason = reason != nullptr ? reason : "invalid";
        GEOSFree_r(lh, reason);
        struct ParamsDeleter {
            GEOSContextHandle_t ctx;
            void operator()(GEOSMakeValidParams* q) const { GEOSMakeValidParams_destroy_r(ctx, q); }
        };
        const std::unique_ptr<GEOSMakeValidParams, ParamsDeleter> params(
            GEOSMakeValidParams_create_r(lh), ParamsDeleter{lh});
        GEOSMakeValidParams_setMethod_r(lh, params.get(), GEOS_MAKE_VALID_STRUCTURE);
        GEOSMakeValidParams_setKeepCollapsed_r(lh, params.get(), 0);
        GEOSGeometry* fixed = GEOSMakeValidWithParams_r(lh, geom.get(), params.get());
        geom = geo::polygonal_part(local, geo::own(local, fixed, "make-valid"));
    }
    // GEOS geometries do not belong to a context; the zone set's one destroys them.
    p.zone.geometry = geo::GeomPtr(geom.release(), geo::GeomDeleter{ctx.get()});
}

/// Validity checks and repairs are the costly part: done in parallel, one GEOS context per
/// thread. A failure is kept with its zone (p.error), reported in input order with the other
/// notices.
void repair_all(std::vector<Pending>& pending, const geo::GeosContext& ctx) {
    std::vector<std::unique_ptr<geo::GeosContext>> contexts(
        static_cast<std::size_t>(core::max_threads()));
    core::parallel_for(pending.size(), 32, [&](std::size_t i) {
        auto& local = contexts[static_cast<std::size_t>(core::thread_index())];
        if (!local) {
            local = std::make_unique<geo::GeosContext>();
        }
        auto& p = pending[i];
        try {
            repair(*local, ctx, p);
        } catch (const std::exception& e) {
            p.error = e.what();
        }
        std::vector<unsigned char>().swap(p.wkb); // frees it (`= {}` keeps the buffer)
    });
}

/// The zones repaired, in input order; notices reported, errors thrown.
void keep_zones(const ZoneReadOptions& o, std::vector<Pending>& pending, FeatureReader& reader,
                ZoneSet& out) {
    for (auto& p : pending) {
        if (!p.error.empty()) {
            throw input_error(o.path + ": " + p.zone.where +
                              ": cannot use the geometry: " + p.error);
        }
        if (!p.invalid_reason.empty()) {
            const std::string why = "invalid polygon (" + p.invalid_reason + ")";
            if (GEOSisEmpty_r(out.ctx->get(), p.zone.geometry.get()) == 1) {
                reader.skip(p.zone.where, why + " that repairs to nothing");
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
}

[[noreturn]] void no_usable_zone(const ZoneReadOptions& o, const ZoneSet& out) {
    throw input_error(o.path + ": no usable zone (" + std::to_string(out.report.features) +
                      " read, " + std::to_string(out.report.skipped.size()) + " skipped)." +
                      skipped_examples(out.report) +
                      ". Fix these features, or name the right fields (" + option(o, "-id") + ").");
}

} // namespace

ZoneSet read_zones(const ZoneReadOptions& o) {
    const bool csv = is_csv_path(o.path);
    ZoneSet out;
    const auto in =
        open_input_layer(o.path,
                         csv ? std::vector<std::string>{"GEOM_POSSIBLE_NAMES=geom,geometry,wkt,WKT"}
                             : std::vector<std::string>{},
                         csv, "zone", out.report);
    OGRLayer* layer = in.layer;
    OGRFeatureDefn& defn = *layer->GetLayerDefn();
    out.ctx = std::make_shared<geo::GeosContext>();
    const auto fields = zone_fields(o, defn, out);
    check_layer_type(o, *layer);
    const auto crs = resolve_crs(*layer, o.crs, option(o, "s-crs"), false);
    out.report.crs = crs.name;

    FeatureReader reader(o, defn, fields, csv, crs.to_wgs84.get(), out);
    std::vector<Pending> pending;
    for (auto& f : *layer) {
        if (auto p = reader.read(*f)) {
            pending.push_back(std::move(*p));
        }
    }
    repair_all(pending, *out.ctx);
    keep_zones(o, pending, reader, out);
    out.report.used = out.zones.size();
    out.report.text_recoded = reader.recoded();
    if (out.zones.empty()) {
        no_usable_zone(o, out);
    }
    return out;
}

} // namespace maillage::io
