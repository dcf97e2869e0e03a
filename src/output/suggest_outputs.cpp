#include "maillage/output/suggest_outputs.hpp"
#include "internal.hpp"
#include "maillage/output/files.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/layer_writer.hpp"
#include "maillage/output/styles.hpp"

namespace maillage::output {
namespace {

using core::round_to;
namespace key = model::schema::summary;
namespace sk = model::schema::summary::in_suggest;

/// The fields of the `suggested` layer.
const std::vector<FieldSpec>& suggested_fields() {
    static const std::vector<FieldSpec> fields{
        {"rank", OFTInteger},   {"candidate_id", OFTString}, {"name", OFTString},
        {"zone_id", OFTString}, {"zone_name", OFTString},    {"lon", OFTReal},
        {"lat", OFTReal},       {"gain", OFTReal},           {"newly_covered", OFTReal},
        {"covered", OFTReal},   {"covered_share", OFTReal},  {"population_beyond", OFTReal},
        {"mean_km", OFTReal},   {"mean_km_drop", OFTReal}};
    return fields;
}

void fill(LayerWriter& w, bool geometry, const std::vector<SuggestedSite>& rows) {
    for (const auto& r : rows) {
        OGRPoint pt(round_to(r.position.lon, 7), round_to(r.position.lat, 7));
        w.add(geometry ? &pt : nullptr,
              {r.rank, r.id, r.name, r.zone_id, r.zone_name, round_to(r.position.lon, 7),
               round_to(r.position.lat, 7), round_to(r.gain, 4), round_to(r.newly_covered, 4),
               round_to(r.covered, 4), round_to(r.covered_share, 6), round_to(r.beyond, 4),
               round_to(r.mean_km, 4), round_to(r.mean_km_drop, 4)});
    }
    w.finish();
}

/// The coverage before any pick, as the summary gives it.
nlohmann::ordered_json coverage_before(const analysis::SuggestResult& s) {
    const double pop = s.population;
    const double mean0 = pop > 0 ? s.weighted_sum_before_m / pop : 0.0;
    return {{"covered", round_to(s.covered_before, 4)},
            {sk::covered_share, pop > 0 ? round_to(s.covered_before / pop, 6) : 0.0},
            {"population_beyond", round_to(pop - s.covered_before, 4)},
            {sk::mean_km, round_to(mean0 / 1000.0, 4)}};
}

nlohmann::ordered_json pick_json(const SuggestedSite& r) {
    return {{sk::rank, r.rank},
            {sk::candidate_id, r.id},
            {sk::name, r.name},
            {"zone_id", r.zone_id},
            {sk::zone_name, r.zone_name},
            {"lon", round_to(r.position.lon, 7)},
            {"lat", round_to(r.position.lat, 7)},
            {"gain", round_to(r.gain, 4)},
            {sk::newly_covered, round_to(r.newly_covered, 4)},
            {"covered", round_to(r.covered, 4)},
            {sk::covered_share, round_to(r.covered_share, 6)},
            {"population_beyond", round_to(r.beyond, 4)},
            {sk::mean_km, round_to(r.mean_km, 4)},
            {"mean_km_drop", round_to(r.mean_km_drop, 4)}};
}

} // namespace

std::vector<SuggestedSite> suggested_sites(const analysis::SuggestResult& s,
                                           const analysis::Candidates& c,
                                           const std::vector<model::Zone>& zones,
                                           analysis::SuggestObjective objective) {
    std::vector<SuggestedSite> rows;
    const double pop = s.population;
    double prev_mean = pop > 0 ? s.weighted_sum_before_m / pop : 0.0;
    for (std::size_t k = 0; k < s.picks.size(); ++k) {
        const auto& p = s.picks[k];
        SuggestedSite r;
        r.rank = static_cast<std::int64_t>(k + 1);
        r.id = c.id[p.candidate];
        r.name = c.name[p.candidate];
        r.position = c.position[p.candidate];
        const std::int32_t z = c.zone[p.candidate];
        if (z >= 0) {
            r.zone_id = zones[static_cast<std::size_t>(z)].id;
            r.zone_name = zones[static_cast<std::size_t>(z)].name;
        }
        r.gain = objective == analysis::SuggestObjective::coverage ? p.gain : p.gain / 1000.0;
        r.newly_covered = p.newly_covered;
        r.covered = p.covered;
        r.covered_share = pop > 0 ? p.covered / pop : 0.0;
        r.beyond = pop - p.covered;
        const double mean = pop > 0 ? p.weighted_sum_m / pop : 0.0;
        r.mean_km = mean / 1000.0;
        r.mean_km_drop = (prev_mean - mean) / 1000.0;
        prev_mean = mean;
        rows.push_back(std::move(r));
    }
    return rows;
}

nlohmann::ordered_json suggest_summary(const analysis::SuggestResult& s,
                                       const std::vector<SuggestedSite>& rows,
                                       const analysis::Candidates& c,
                                       const SuggestSummaryOptions& options) {
    nlohmann::ordered_json j;
    j[sk::objective] = options.objective;
    j["add"] = options.add;
    j["added"] = rows.size();
    j["exhausted"] = s.exhausted;
    j["threshold_km"] = options.threshold_km;
    auto cj = nlohmann::ordered_json::object();
    cj[sk::source] = c.source;
    if (options.candidates_report != nullptr) {
        cj["path"] = options.candidates_path;
        cj["features"] = options.candidates_report->features;
        cj["skipped_count"] = options.candidates_report->skipped.size();
        cj["outside_study_area"] = c.outside_study_area;
    }
    if (c.source == sk::source_grid) {
        cj["grid_m"] = options.grid_m;
    }
    cj[sk::count] = c.position.size();
    j[sk::candidates] = cj;
    j["method"] = options.lazy ? "lazy greedy" : "greedy";
    j["gain_evaluations"] = s.evaluations;
    j[key::population_total] = round_to(s.population, 4);
    const auto before = coverage_before(s);
    j[sk::before] = before;
    auto picks = nlohmann::ordered_json::array();
    for (const auto& r : rows) {
        picks.push_back(pick_json(r));
    }
    j[sk::picks] = picks;
    auto curve = nlohmann::ordered_json::array();
    curve.push_back({{"sites_added", 0},
                     {"covered", before["covered"]},
                     {sk::covered_share, before[sk::covered_share]},
                     {sk::mean_km, before[sk::mean_km]}});
    for (const auto& r : rows) {
        curve.push_back({{"sites_added", r.rank},
                         {"covered", round_to(r.covered, 4)},
                         {sk::covered_share, round_to(r.covered_share, 6)},
                         {sk::mean_km, round_to(r.mean_km, 4)}});
    }
    j[key::coverage_curve] = curve;
    return j;
}

void write_suggested(io::StagedOutput& out, VectorFormat format,
                     const std::vector<SuggestedSite>& rows, const std::string& lang) {
    const auto& fields = suggested_fields();
    const auto srs = io::wgs84();
    if (format == VectorFormat::gpkg) {
        // The analysis layers are in maillage.gpkg already: the suggested sites join them.
        const std::string path = out.path(model::schema::files::gpkg).string();
        auto ds = reopen_gpkg(path, "the suggested sites");
        {
            LayerWriter w(*ds, path, "suggested", wkbPoint, &srs, fields);
            fill(w, true, rows);
        }
        detail::add_layer_styles(*ds, path, {{"suggested", suggested_sites_qml(lang)}});
        close_dataset(std::move(ds), path);
    } else {
        write_text(out.path("suggested" + std::string(model::schema::files::qml_ext)),
                   suggested_sites_qml(lang));
        const std::string path = out.path("suggested.geojson").string();
        auto ds = create_vector(path, format);
        {
            LayerWriter w(*ds, path, "suggested", wkbPoint, &srs, fields);
            fill(w, true, rows);
        }
        close_dataset(std::move(ds), path);
    }
    const std::string csv = out.path("suggested.csv").string();
    auto ds = create_vector(csv, VectorFormat::csv);
    {
        LayerWriter w(*ds, csv, "suggested", wkbNone, nullptr, fields);
        fill(w, false, rows);
    }
    close_dataset(std::move(ds), csv);
}

} // namespace maillage::output
