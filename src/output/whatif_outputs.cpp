#include "maillage/output/whatif_outputs.hpp"
#include "internal.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/files.hpp"
#include "maillage/output/layer_writer.hpp"
#include "maillage/output/styles.hpp"

#include <ogr_geometry.h>

#include <array>
#include <cmath>
#include <fstream>
#include <sstream>
#include <tuple>

namespace maillage::output {

using analysis::DistanceDistribution;
namespace {

using core::round_to;
using output::FieldValue;

using detail::km4;

std::string change_word(double delta) { return delta > 0 ? "rose" : (delta < 0 ? "fell" : "same"); }

void write_zones(GDALDataset& ds, const std::string& path, const AnalysisResult& base,
                 const WhatIfResult& w, const io::SiteSet& sites, const io::ZoneSet& zones,
                 OutputGeometryLog& log) {
    namespace fld = model::schema::whatif_zones;
    const auto srs = io::wgs84();
    output::LayerWriter lw(ds, path, fld::layer, wkbMultiPolygon, &srs,
                           {{fld::zone_id, OFTString},
                            {fld::name, OFTString},
                            {fld::population, detail::population_type(base.whole_population)},
                            {fld::group, OFTString},
                            {fld::mean_km_before, OFTReal},
                            {fld::mean_km_after, OFTReal},
                            {fld::delta_km, OFTReal},
                            {fld::change, OFTString},
                            {fld::max_km_before, OFTReal},
                            {fld::max_km_after, OFTReal},
                            {fld::nearest_site_before, OFTString},
                            {fld::nearest_site_after, OFTString},
                            {fld::nearest_km_before, OFTReal},
                            {fld::nearest_km_after, OFTReal},
                            {fld::sites_within_before, OFTInteger},
                            {fld::sites_within_after, OFTInteger},
                            {fld::pop_moved, OFTReal},
                            {fld::pop_beyond_before, OFTReal},
                            {fld::pop_beyond_after, OFTReal},
                            {fld::pop_newly_beyond, OFTReal},
                            {fld::pop_back_within, OFTReal}});
    for (std::size_t i = 0; i < zones.zones.size(); ++i) {
        if (!zone_changed(base, w, i)) {
            continue;
        }
        const auto& z = zones.zones[i];
        const auto& b = base.zones[i];
        const auto& a = w.zones[i];
        const auto& d = w.zone_delta[i];
        const auto g = log.prepare(*zones.ctx, z.geometry.get(), fld::layer, z.id);
        const double delta = a.mean_m - b.mean_m;
        lw.add(g.get(), {z.id,
                         z.name,
                         detail::population_field(base.zone_population[i], base.whole_population),
                         z.group,
                         km4(b.mean_m),
                         km4(a.mean_m),
                         km4(delta),
                         change_word(delta),
                         km4(b.max_m),
                         km4(a.max_m),
                         sites.sites[b.nearest_site].id,
                         w.sites[a.nearest_site].id,
                         km4(b.nearest_m),
                         km4(a.nearest_m),
                         static_cast<std::int64_t>(b.sites_within),
                         static_cast<std::int64_t>(a.sites_within),
                         round_to(d.population_moved, 4),
                         round_to(b.population_beyond, 4),
                         round_to(a.population_beyond, 4),
                         round_to(d.population_newly_beyond, 4),
                         round_to(d.population_back_within, 4)});
    }
    lw.finish();
}

void write_sites(GDALDataset& ds, const std::string& path, const WhatIfResult& w,
                 const io::SiteSet& sites) {
    namespace fld = model::schema::whatif_sites;
    const auto srs = io::wgs84();
    output::LayerWriter lw(ds, path, fld::layer, wkbPoint, &srs,
                           {{fld::site_id, OFTString},
                            {fld::name, OFTString},
                            {fld::type, OFTString},
                            {fld::status, OFTString},
                            {fld::catchment_before, OFTReal},
                            {fld::catchment_after, OFTReal},
                            {fld::catchment_change, OFTReal},
                            {fld::nearest_other_km, OFTReal}});
    auto add = [&](const model::Site& s, const std::string& status, double before, double after,
                   double nearest_other_m) {
        OGRPoint pt(s.position.lon, s.position.lat);
        lw.add(&pt, {s.id, s.name, s.type, status, round_to(before, 4), round_to(after, 4),
                     round_to(after - before, 4),
                     nearest_other_m < 0 ? FieldValue{} : FieldValue{km4(nearest_other_m)}});
    };
    // Baseline order, closed and kept together; then the opened sites.
    for (std::size_t s = 0; s < sites.sites.size(); ++s) {
        const auto np = w.new_position[s];
        if (np < 0) {
            add(sites.sites[s], "closed", w.catchment_before[s], 0.0, -1.0);
            continue;
        }
        const auto& after = w.site_results[static_cast<std::size_t>(np)];
        if (after.catchment_population != w.catchment_before[s]) {
            add(sites.sites[s], "kept", w.catchment_before[s], after.catchment_population,
                after.nearest_other_m);
        }
    }
    std::size_t n_kept = 0;
    for (const auto np : w.new_position) {
        n_kept += np >= 0 ? 1 : 0;
    }
    for (std::size_t s = n_kept; s < w.sites.size(); ++s) {
        add(w.sites[s], "opened", 0.0, w.site_results[s].catchment_population,
            w.site_results[s].nearest_other_m);
    }
    lw.finish();
}

nlohmann::ordered_json site_json(const model::Site& s, double catchment) {
    namespace wk = model::schema::summary::in_whatif;
    return {{wk::site_id, s.id},
            {wk::name, s.name},
            {"lon", round_to(s.position.lon, 7)},
            {"lat", round_to(s.position.lat, 7)},
            {"catchment_population", round_to(catchment, 4)}};
}

/// The what-if layers' QGIS styles, as rows of the GeoPackage's layer_styles table.
void add_styles(GDALDataset& ds, const std::string& path, const std::string& lang) {
    detail::add_layer_styles(
        ds, path,
        {{model::schema::whatif_zones::layer, output::whatif_zones_qml(lang)},
         {model::schema::whatif_sites::layer, output::whatif_sites_qml(lang)}});
}

template <typename T> std::string describe(const char* what, std::size_t i, T a, T b) {
    std::ostringstream o;
    o.precision(17);
    o << what << " " << i << ": incremental " << a << ", full rerun " << b;
    return o.str();
}

/// The differences found between the incremental result and the full rerun, the first
/// `max_reported` of them kept.
class Differences {
public:
    explicit Differences(std::size_t max_reported) : m_max(max_reported) {}

    /// Notes "WHAT I: incremental MINE, full rerun FULL" when they differ.
    template <typename T> void check(const char* what, std::size_t i, T mine, T full) {
        if (mine != full) {
            note(describe(what, i, mine, full));
        }
    }
    void note(std::string message) {
        if (m_list.size() < m_max) {
            m_list.push_back(std::move(message));
        }
    }
    std::vector<std::string> take() { return std::move(m_list); }

private:
    std::size_t m_max;
    std::vector<std::string> m_list;
};

/// A member of a result row, compared under the name `what`.
template <class Row, typename T> struct Compared {
    const char* what;
    T Row::*member;
};
template <class Row, typename T> Compared<Row, T> compared(const char* what, T Row::*member) {
    return {what, member};
}

/// Compares the rows of two results of the same size, row by row, each row member by member in
/// the order given.
template <class Row, class... T>
void compare_rows(Differences& d, const std::vector<Row>& mine, const std::vector<Row>& full,
                  const Compared<Row, T>&... members) {
    for (std::size_t i = 0; i < mine.size(); ++i) {
        (d.check(members.what, i, mine[i].*members.member, full[i].*members.member), ...);
    }
}

/// The cells of the study area: their nearest site and distance (exact, and the raster's).
void compare_cells(Differences& d, const WhatIfResult& w, const AnalysisResult& full) {
    for (std::size_t c = 0; c < w.cell_m.size(); ++c) {
        if (full.grid.zone[c] < 0) {
            continue;
        }
        d.check("cell site", c, w.cell_site[c], full.cell_site[c]);
        d.check("cell distance (m)", c, w.cell_m[c], full.cell_m[c]);
        d.check("cell distance (km, raster)", c, w.cell_km[c], full.cell_km[c]);
    }
}

/// The distribution of the distances over the population, and the coverage curve.
void compare_distribution(Differences& d, const WhatIfResult& w, const AnalysisResult& full) {
    const auto& a = w.distribution;
    const auto& f = full.distribution;
    const std::array<std::tuple<const char*, double, double>, 7> figures{
        {{"total", a.total, f.total},
         {"mean", a.mean_m, f.mean_m},
         {"p50", a.p50_m, f.p50_m},
         {"p90", a.p90_m, f.p90_m},
         {"p99", a.p99_m, f.p99_m},
         {"max", a.max_m, f.max_m},
         {"population beyond", w.population_beyond, full.population_beyond}}};
    for (const auto& [what, mine, theirs] : figures) {
        d.check(what, 0, mine, theirs);
    }
    if (a.coverage != f.coverage) {
        d.note("coverage curve differs");
    }
}

} // namespace

bool zone_changed(const AnalysisResult& /*base*/, const WhatIfResult& w, std::size_t zone) {
    return w.zone_delta[zone].changed;
}

std::vector<std::string> compare_with_full_rerun(const WhatIfResult& w, const AnalysisResult& full,
                                                 std::size_t max_reported) {
    if (full.cell_m.size() != w.cell_m.size() || full.zones.size() != w.zones.size() ||
        full.sites.size() != w.site_results.size()) {
        return {"the full rerun has another grid, zone count or site count"};
    }
    using analysis::SiteResult;
    using analysis::ZoneResult;
    Differences d(max_reported);
    compare_cells(d, w, full);
    compare_rows(d, w.zones, full.zones, compared("zone nearest site", &ZoneResult::nearest_site),
                 compared("zone nearest (m)", &ZoneResult::nearest_m),
                 compared("zone sites within", &ZoneResult::sites_within),
                 compared("zone mean (m)", &ZoneResult::mean_m),
                 compared("zone max (m)", &ZoneResult::max_m),
                 compared("zone population beyond", &ZoneResult::population_beyond),
                 compared("zone weighted sum", &ZoneResult::weighted_sum_m));
    compare_rows(d, w.site_results, full.sites,
                 compared("site catchment", &SiteResult::catchment_population),
                 compared("site catchment weighted sum", &SiteResult::catchment_weighted_m),
                 compared("site catchment cells", &SiteResult::catchment_cells),
                 compared("site catchment zones", &SiteResult::catchment_zones),
                 compared("site zone", &SiteResult::zone),
                 compared("site nearest other (m)", &SiteResult::nearest_other_m));
    compare_distribution(d, w, full);
    return d.take();
}

nlohmann::ordered_json make_whatif_summary(const AnalysisResult& base, const WhatIfResult& w,
                                           const io::SiteSet& sites, const io::ZoneSet& zones,
                                           const Scenario& scenario) {
    namespace wk = model::schema::summary::in_whatif;
    nlohmann::ordered_json j;
    auto closed = nlohmann::ordered_json::array();
    for (const auto s : scenario.closed) {
        closed.push_back(site_json(sites.sites[s], w.catchment_before[s]));
    }
    auto opened = nlohmann::ordered_json::array();
    const std::size_t n_kept = w.sites.size() - scenario.opened.size();
    for (std::size_t k = 0; k < scenario.opened.size(); ++k) {
        opened.push_back(
            site_json(scenario.opened[k], w.site_results[n_kept + k].catchment_population));
    }
    j[wk::changes] = {{wk::closed, closed}, {wk::opened, opened}};
    j[wk::sites_count] = {{wk::before, sites.sites.size()}, {wk::after, w.sites.size()}};
    j["zones_count"] = zones.zones.size();
    const double total = base.distribution.total;
    auto share = [&](double v) { return total > 0 ? round_to(v / total, 6) : 0.0; };
    j[wk::population_total] = round_to(total, 4);
    j[wk::population_moved] = round_to(w.population_moved, 4);
    j["share_moved"] = share(w.population_moved);
    j[wk::population_newly_beyond] = round_to(w.population_newly_beyond, 4);
    j[wk::population_back_within] = round_to(w.population_back_within, 4);
    j[wk::population_beyond] = {
        {wk::before, round_to(base.population_beyond, 4)},
        {wk::after, round_to(w.population_beyond, 4)},
        {"change", round_to(w.population_beyond - base.population_beyond, 4)},
        {"share_before", share(base.population_beyond)},
        {"share_after", share(w.population_beyond)}};
    j[wk::distance_km] = {{wk::before, detail::distance_summary(base.distribution)},
                          {wk::after, detail::distance_summary(w.distribution)},
                          {"mean_change", total > 0 ? km4(w.weighted_delta_m / total) : 0.0}};
    std::size_t changed = 0;
    std::size_t rose = 0;
    std::size_t fell = 0;
    for (std::size_t i = 0; i < zones.zones.size(); ++i) {
        if (zone_changed(base, w, i)) {
            ++changed;
            const double delta = w.zones[i].mean_m - base.zones[i].mean_m;
            rose += delta > 0 ? 1 : 0;
            fell += delta < 0 ? 1 : 0;
        }
    }
    j["zones_changed"] = {{"count", changed}, {"rose", rose}, {"fell", fell}};
    auto groups = nlohmann::ordered_json::array();
    for (const auto& g : w.groups) {
        auto mean = [&](double weighted) {
            return g.population > 0 ? km4(weighted / g.population) : 0.0;
        };
        groups.push_back({{wk::group, g.group},
                          {"population", round_to(g.population, 4)},
                          {"sites_before", g.sites_before},
                          {"sites_after", g.sites_after},
                          {wk::mean_km_before, mean(g.weighted_before_m)},
                          {wk::mean_km_after, mean(g.weighted_after_m)},
                          {wk::mean_km_change, mean(g.weighted_after_m - g.weighted_before_m)},
                          {wk::population_beyond_before, round_to(g.beyond_before, 4)},
                          {wk::population_beyond_after, round_to(g.beyond_after, 4)},
                          {wk::population_moved, round_to(g.population_moved, 4)},
                          {"population_newly_beyond", round_to(g.newly_beyond, 4)},
                          {"population_back_within", round_to(g.back_within, 4)},
                          {wk::zones_changed, g.zones_changed}});
    }
    j[wk::by_group] = groups;
    const auto& st = w.stats;
    j[wk::incremental] = {{wk::cells_total, st.cells_total},
                          {wk::cells_recomputed, st.cells_recomputed},
                          {"cells_searched_again", st.cells_closed},
                          {"cells_compared_with_opened", st.cells_compared},
                          {"cells_scanned_in_reach", st.cells_in_reach},
                          {"cells_changed", st.cells_changed},
                          {"share_recomputed",
                           st.cells_total > 0 ? round_to(static_cast<double>(st.cells_recomputed) /
                                                             static_cast<double>(st.cells_total),
                                                         6)
                                              : 0.0},
                          {"zones_recomputed", st.zones_recomputed},
                          {"reach_km", km4(st.radius_bound_m)}};
    return j;
}

namespace {

namespace file = model::schema::files;

/// GeoPackage: the what-if layers and their styles added to the run's maillage.gpkg.
void add_to_gpkg(io::StagedOutput& out, const AnalysisResult& base, const WhatIfResult& w,
                 const io::SiteSet& sites, const io::ZoneSet& zones, const std::string& lang,
                 OutputGeometryLog& log) {
    const std::string path = out.path(file::gpkg).string();
    auto ds = reopen_gpkg(path, "the what-if layers");
    write_zones(*ds, path, base, w, sites, zones, log);
    write_sites(*ds, path, w, sites);
    add_styles(*ds, path, lang);
    output::close_dataset(std::move(ds), path);
}

/// GeoJSON: whatif_zones.geojson and whatif_sites.geojson, with their QGIS styles.
void write_files(io::StagedOutput& out, output::VectorFormat format, const AnalysisResult& base,
                 const WhatIfResult& w, const io::SiteSet& sites, const io::ZoneSet& zones,
                 const std::string& lang, OutputGeometryLog& log) {
    namespace wz = model::schema::whatif_zones;
    namespace ws = model::schema::whatif_sites;
    write_text(out.path(wz::layer + std::string(file::qml_ext)), output::whatif_zones_qml(lang));
    write_text(out.path(ws::layer + std::string(file::qml_ext)), output::whatif_sites_qml(lang));
    {
        const std::string path = out.path(wz::layer + std::string(file::geojson_ext)).string();
        auto ds = output::create_vector(path, format);
        write_zones(*ds, path, base, w, sites, zones, log);
        output::close_dataset(std::move(ds), path);
    }
    {
        const std::string path = out.path(ws::layer + std::string(file::geojson_ext)).string();
        auto ds = output::create_vector(path, format);
        write_sites(*ds, path, w, sites);
        output::close_dataset(std::move(ds), path);
    }
}

} // namespace

void write_whatif_outputs(io::StagedOutput& out, output::VectorFormat format,
                          const AnalysisResult& base, const WhatIfResult& w,
                          const io::SiteSet& sites, const io::ZoneSet& zones,
                          const Parameters& params, const RunDescription& run,
                          const nlohmann::ordered_json& whatif) {
    write_outputs(out, format, base, sites, zones, params, run);
    OutputGeometryLog unrecorded; // a RunDescription without a log
    auto& log = run.geometry ? *run.geometry : unrecorded;
    if (format == output::VectorFormat::gpkg) {
        add_to_gpkg(out, base, w, sites, zones, run.lang, log);
    } else {
        write_files(out, format, base, w, sites, zones, run.lang, log);
    }
    auto summary = make_summary(base, sites, zones, params, run);
    summary[model::schema::summary::whatif] = whatif;
    write_text(out.path(file::summary), summary.dump(2) + "\n");
}

} // namespace maillage::output
