#include "sections.hpp"

#include "maillage/model/networks.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>
#include <vector>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;

/// The data's label of a network (summary.json's type_labels), or "" (older runs, no labels).
std::string data_label(const json& summary, const std::string& code) {
    if (!summary.contains(key::type_labels)) {
        return "";
    }
    const auto& labels = summary.at(key::type_labels);
    return labels.contains(code) ? labels.at(code).get<std::string>() : std::string();
}

/// The networks' colour indices, as the maps give them: the networks with the most sites first
/// (ties by code).
std::map<std::string, std::size_t> network_indices(const std::vector<json>& types) {
    std::vector<std::pair<double, std::string>> order;
    order.reserve(types.size());
    for (const auto& x : types) {
        order.emplace_back(-x.at("sites").get<double>(), x.at("type").get<std::string>());
    }
    std::sort(order.begin(), order.end());
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < order.size(); ++i) {
        index[order[i].second] = i;
    }
    return index;
}

} // namespace

std::string network_name(const json& summary, const std::string& code, bool fr) {
    return model::network_label(code, data_label(summary, code), fr ? "fr" : "en");
}

std::optional<ReportSection> by_type_section(const json& summary, bool fr,
                                             const NumberFormat& number) {
    if (!summary.contains(key::by_type)) {
        return std::nullopt;
    }
    const double threshold_km =
        summary.at(key::parameters).at(key::params::threshold_km).get<double>();
    const std::string t =
        number(threshold_km, threshold_km == std::floor(threshold_km) ? 0 : 1) + " km";
    std::vector<json> types(summary.at(key::by_type).begin(), summary.at(key::by_type).end());
    std::stable_sort(types.begin(), types.end(), [](const json& a, const json& b) {
        return a.at("mean_km").get<double>() < b.at("mean_km").get<double>();
    });
    const std::string title = fr ? "Par réseau : le site le plus proche de chaque type"
                                 : "By network: the nearest site of each type";
    const std::string intro =
        fr ? "Pour chaque habitant, la distance au site le plus proche de chaque type (un index "
             "par type : c'est le plus proche du réseau, pas le plus proche de tous filtré "
             "ensuite). Distances géodésiques, pondérées par la population ; les types sont "
             "classés de la distance moyenne la plus courte à la plus longue."
           : "For every inhabitant, the distance to the nearest site of each type (one index per "
             "type: the nearest of the network, not the overall nearest filtered afterwards). "
             "Geodesic distances, weighted by population; the types run from the shortest mean "
             "distance to the longest.";
    const auto colour_index = network_indices(types);
    const std::string h_type = fr ? "Réseau" : "Network";
    const std::string h_sites = "Sites";
    const std::string h_mean = fr ? "Moyenne (km)" : "Mean (km)";
    const std::string h_p50 = fr ? "Médiane (km)" : "Median (km)";
    const std::string h_p90 = fr ? "90 % à moins de (km)" : "90 % within (km)";
    const std::string h_max = "Maximum (km)";
    const std::string h_beyond = fr ? "Habitants à plus de " + t : "Inhabitants beyond " + t;
    const std::string h_share = fr ? "Part à plus de " + t : "Share beyond " + t;

    std::ostringstream h;
    std::ostringstream md;
    std::ostringstream csv;
    h << "<h2 id=\"networks\">" << esc(title) << "</h2>\n<p>" << esc(intro)
      << "</p>\n<table id=\"by-type\">\n<thead><tr><th>" << esc(h_type) << "</th><th>"
      << esc(h_sites) << "</th><th>" << esc(h_mean) << "</th><th>" << esc(h_p50) << "</th><th>"
      << esc(h_p90) << "</th><th>" << esc(h_max) << "</th><th>" << esc(h_beyond) << "</th><th>"
      << esc(h_share) << "</th></tr></thead>\n<tbody>\n";
    md << "\n## " << title << "\n\n"
       << intro << "\n\n| " << h_type << " | " << h_sites << " | " << h_mean << " | " << h_p50
       << " | " << h_p90 << " | " << h_max << " | " << h_beyond << " | " << h_share
       << " |\n|---|---:|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& x : types) {
        const std::string type = x.at("type").get<std::string>();
        const std::string label = network_name(summary, type, fr);
        const auto symbol = model::network_symbol(colour_index.at(type));
        const char* colour = symbol.colour;
        const double sites = x.at("sites").get<double>();
        const double mean = x.at("mean_km").get<double>();
        const double p50 = x.at("p50_km").get<double>();
        const double p90 = x.at("p90_km").get<double>();
        const double max = x.at("max_km").get<double>();
        const double beyond = x.at("population_beyond").get<double>();
        const double share = 100.0 * x.at("share_beyond").get<double>();
        const std::string share_text = number(share, 1) + " %";
        // The share as a bar, so that the networks compare at a glance.
        h << "<tr><td data-code=\"" << esc(type) << "\"><span class=\"swatch " << symbol.shape
          << "\" style=\"background:" << colour << "\"></span>" << esc(label)
          << "</td><td class=\"n\" data-v=\"" << sites << "\">" << esc(number(sites, 0))
          << "</td><td class=\"n\" data-v=\"" << mean << "\">" << esc(number(mean, 1))
          << "</td><td class=\"n\" data-v=\"" << p50 << "\">" << esc(number(p50, 1))
          << "</td><td class=\"n\" data-v=\"" << p90 << "\">" << esc(number(p90, 1))
          << "</td><td class=\"n\" data-v=\"" << max << "\">" << esc(number(max, 1))
          << "</td><td class=\"n\" data-v=\"" << beyond << "\">" << esc(number(beyond, 0))
          << "</td><td class=\"n\" data-v=\"" << share
          << "\"><span style=\"display:inline-block;height:.8em;background:" << colour
          << ";width:" << plain(std::clamp(share, 0.0, 100.0), 1) << "px;margin-right:6px\"></span>"
          << esc(share_text) << "</td></tr>\n";
        md << "| " << label << " | " << number(sites, 0) << " | " << number(mean, 1) << " | "
           << number(p50, 1) << " | " << number(p90, 1) << " | " << number(max, 1) << " | "
           << number(beyond, 0) << " | " << share_text << " |\n";
        csv << "type_sites," << type << ',' << plain(sites, 0) << ",\n"
            << "type_mean_km," << type << ',' << plain(mean, 4) << ",km\n"
            << "type_p50_km," << type << ',' << plain(p50, 4) << ",km\n"
            << "type_p90_km," << type << ',' << plain(p90, 4) << ",km\n"
            << "type_max_km," << type << ',' << plain(max, 4) << ",km\n"
            << "type_population_beyond," << type << ',' << plain(beyond, 0) << ",\n"
            << "type_share_beyond_pct," << type << ',' << plain(share, 4) << ",%\n";
    }
    const std::string layers =
        fr ? "Les colonnes nearest_km_TYPE et mean_km_TYPE de la couche zones, et les rasters "
             "distance_TYPE.tif, donnent ces distances par commune et par maille."
           : "The columns nearest_km_TYPE and mean_km_TYPE of the zones layer, and the rasters "
             "distance_TYPE.tif, give these distances per zone and per cell.";
    h << "</tbody></table>\n<p class=\"hint\">" << esc(layers) << "</p>\n";
    md << "\n" << layers << "\n";
    return ReportSection{h.str(), md.str(), csv.str()};
}

namespace {

/// The figures of summary.json's "catchments" member and of the catchments layer.
struct CatchmentFigures {
    double with, sites, area, study, gap_pct, cells_differ, pop_differ, extra_m;
    double median_pop = 0.0;
    double largest_pop = 0.0;
};

CatchmentFigures catchment_figures(const json& summary) {
    const auto& c = summary.at(key::catchments);
    CatchmentFigures x{};
    x.with = c.at("sites_with_catchment").get<double>();
    x.sites = summary.at(key::sites_count).get<double>();
    x.area = c.at("area_km2").get<double>();
    x.study = c.at("study_area_km2").get<double>();
    x.gap_pct = x.study > 0 ? 100.0 * (x.area - x.study) / x.study : 0.0;
    x.cells_differ = c.at("cells_assigned_differently").get<double>();
    x.pop_differ = c.at("population_assigned_differently").get<double>();
    x.extra_m = 1000.0 * c.at("max_extra_km").get<double>();
    return x;
}

/// The median and largest population of the catchments.
void add_populations(CatchmentFigures& x, const std::vector<Catchment>& all) {
    std::vector<double> pops;
    pops.reserve(all.size());
    for (const auto& a : all) {
        pops.push_back(a.population);
    }
    std::sort(pops.begin(), pops.end());
    x.median_pop = pops.empty() ? 0.0 : pops[pops.size() / 2];
    x.largest_pop = pops.empty() ? 0.0 : pops.back();
}

std::string catchments_intro(const CatchmentFigures& x, bool fr, const NumberFormat& number) {
    return fr ? "L'aire de desserte d'un site est la partie du territoire dont il est le site le "
                "plus proche (partition de Voronoï, découpée au territoire). Ses bords sont des "
                "médiatrices dans le plan à aires égales, non géodésiques : " +
                    number(x.cells_differ, 0) + " mailles (" + number(x.pop_differ, 0) +
                    " habitants) tombent dans l'aire d'un site au plus " + number(x.extra_m, 1) +
                    " m plus loin que leur site le plus proche. Population, surface et distance "
                    "moyenne de chaque aire viennent des mailles et de leur site exact."
              : "A site's catchment is the part of the study area whose nearest site it is (a "
                "Voronoi partition, clipped to the study area). Its edges are bisectors in the "
                "equal-area plane, not geodesic ones: " +
                    number(x.cells_differ, 0) + " cells (" + number(x.pop_differ, 0) +
                    " inhabitants) fall in the catchment of a site at most " +
                    number(x.extra_m, 1) +
                    " m farther than their nearest. The population, area and mean distance of "
                    "each catchment come from the cells and their exact nearest site.";
}

Figures catchment_lines(const CatchmentFigures& x, bool fr, const NumberFormat& number) {
    return {
        {fr ? "Sites avec une aire de desserte" : "Sites with a catchment",
         number(x.with, 0) + (fr ? " sur " : " of ") + number(x.sites, 0)},
        {fr ? "Surface des aires (km²)" : "Area of the catchments (km²)",
         number(x.area, 0) + (fr ? " (territoire : " : " (study area: ") + number(x.study, 0) +
             ", " + number(x.gap_pct, 3) + " %)"},
        {fr ? "Habitants par aire, médiane" : "Inhabitants per catchment, median",
         number(x.median_pop, 0)},
        {fr ? "Habitants de l'aire la plus peuplée" : "Inhabitants of the most populated",
         number(x.largest_pop, 0)},
    };
}

void catchments_csv(std::ostream& csv, const CatchmentFigures& x) {
    csv << "catchments_sites_with,," << plain(x.with, 0) << ",\ncatchments_area_km2,,"
        << plain(x.area, 4) << ",km²\ncatchments_study_area_km2,," << plain(x.study, 4)
        << ",km²\ncatchments_cells_assigned_differently,," << plain(x.cells_differ, 0)
        << ",\ncatchments_population_assigned_differently,," << plain(x.pop_differ, 4)
        << ",\ncatchments_max_extra_m,," << plain(x.extra_m, 1)
        << ",m\ncatchments_median_population,," << plain(x.median_pop, 0) << ",\n";
}

/// A table of ten catchments, the first by `before`; `population` says which figure goes to
/// figures.csv (the population, else the mean distance) under `csv_key`.
struct CatchmentTable {
    const char* id;
    std::string heading;
    const char* csv_key;
    bool population;
};

template <class Before>
void write_catchment_table(std::ostream& h, std::ostream& md, std::ostream& csv,
                           const CatchmentTable& table, std::vector<Catchment> list, Before before,
                           bool fr, const NumberFormat& number) {
    std::stable_sort(list.begin(), list.end(), before);
    if (list.size() > 10) {
        list.resize(10);
    }
    h << "<h3>" << esc(table.heading) << "</h3>\n";
    md << "\n### " << table.heading << "\n\n";
    table_head(h, md, table.id,
               {"Site", fr ? "Réseau" : "Network", fr ? "Habitants" : "Inhabitants",
                fr ? "Surface (km²)" : "Area (km²)",
                fr ? "Distance moyenne (km)" : "Mean distance (km)"},
               "|---|---|---:|---:|---:|");
    for (const auto& x : list) {
        const std::string name = x.name.empty() ? x.site_id : x.name;
        h << "<tr><td>" << esc(name) << "</td><td>" << esc(x.type) << "</td>";
        number_cell(h, x.population, number(x.population, 0));
        number_cell(h, x.area_km2, number(x.area_km2, 0));
        number_cell(h, x.mean_km, number(x.mean_km, 1));
        h << "</tr>\n";
        md << "| " << name << " | " << x.type << " | " << number(x.population, 0) << " | "
           << number(x.area_km2, 0) << " | " << number(x.mean_km, 1) << " |\n";
        csv << table.csv_key << ',' << x.site_id << ','
            << plain(table.population ? x.population : x.mean_km, 4)
            << (table.population ? ",\n" : ",km\n");
    }
    h << "</tbody></table>\n";
}

} // namespace

std::optional<ReportSection> catchments_section(const std::filesystem::path& run_dir,
                                                const json& summary, bool fr,
                                                const NumberFormat& number) {
    if (!summary.contains(key::catchments)) {
        return std::nullopt;
    }
    auto x = catchment_figures(summary);
    auto all = load_catchments(run_dir);
    for (auto& c : all) {
        c.type = network_name(summary, c.type, fr);
    }
    add_populations(x, all);
    const std::string title = fr ? "Aires de desserte des sites" : "Catchments of the sites";
    const std::string intro = catchments_intro(x, fr, number);
    std::ostringstream h;
    std::ostringstream md;
    std::ostringstream csv;
    h << "<h2 id=\"catchments\">" << esc(title) << "</h2>\n<p>" << esc(intro)
      << "</p>\n<div class=\"figures\" id=\"catchments-figures\">\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    write_figures(h, md, catchment_lines(x, fr, number), fr ? " : " : ": ");
    h << "</div>\n";
    if (x.with < x.sites) {
        const std::string note =
            fr ? "Les " + number(x.sites - x.with, 0) +
                     " autres sites partagent leur position avec un autre site, dont l'aire "
                     "les compte, ou leur cellule est hors du territoire."
               : "The " + number(x.sites - x.with, 0) +
                     " other sites share their position with another site, whose catchment "
                     "counts them, or their cell lies outside the study area.";
        h << "<p class=\"hint\">" << esc(note) << "</p>\n";
        md << "\n" << note << "\n";
    }
    catchments_csv(csv, x);
    write_catchment_table(
        h, md, csv,
        {"catchments-populated",
         fr ? "Les aires les plus peuplées" : "The most populated catchments",
         "catchment_population", true},
        all, [](const Catchment& a, const Catchment& b) { return a.population > b.population; }, fr,
        number);
    // The farthest, among catchments where someone lives.
    std::vector<Catchment> lived;
    std::copy_if(all.begin(), all.end(), std::back_inserter(lived),
                 [](const Catchment& c) { return c.population > 0; });
    write_catchment_table(
        h, md, csv,
        {"catchments-farthest",
         fr ? "Les aires où la distance moyenne est la plus longue"
            : "The catchments with the longest mean distance",
         "catchment_mean_km", false},
        lived, [](const Catchment& a, const Catchment& b) { return a.mean_km > b.mean_km; }, fr,
        number);
    return ReportSection{h.str(), md.str(), csv.str()};
}

} // namespace maillage::report
