#include "sections.hpp"

#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <vector>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;

} // namespace

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
    const std::string h_type = "Type";
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
    h << "<h2 id=\"by-type\">" << esc(title) << "</h2>\n<p>" << esc(intro)
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
        const double sites = x.at("sites").get<double>();
        const double mean = x.at("mean_km").get<double>();
        const double p50 = x.at("p50_km").get<double>();
        const double p90 = x.at("p90_km").get<double>();
        const double max = x.at("max_km").get<double>();
        const double beyond = x.at("population_beyond").get<double>();
        const double share = 100.0 * x.at("share_beyond").get<double>();
        const std::string share_text = number(share, 1) + " %";
        // The share as a bar, so that the networks compare at a glance.
        h << "<tr><td>" << esc(type) << "</td><td class=\"n\" data-v=\"" << sites << "\">"
          << esc(number(sites, 0)) << "</td><td class=\"n\" data-v=\"" << mean << "\">"
          << esc(number(mean, 1)) << "</td><td class=\"n\" data-v=\"" << p50 << "\">"
          << esc(number(p50, 1)) << "</td><td class=\"n\" data-v=\"" << p90 << "\">"
          << esc(number(p90, 1)) << "</td><td class=\"n\" data-v=\"" << max << "\">"
          << esc(number(max, 1)) << "</td><td class=\"n\" data-v=\"" << beyond << "\">"
          << esc(number(beyond, 0)) << "</td><td class=\"n\" data-v=\"" << share
          << "\"><span style=\"display:inline-block;height:.8em;background:#d7301f;width:"
          << plain(std::clamp(share, 0.0, 100.0), 1) << "px;margin-right:6px\"></span>"
          << esc(share_text) << "</td></tr>\n";
        md << "| " << type << " | " << number(sites, 0) << " | " << number(mean, 1) << " | "
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

std::optional<ReportSection> catchments_section(const std::filesystem::path& run_dir,
                                                const json& summary, bool fr,
                                                const NumberFormat& number) {
    if (!summary.contains(key::catchments)) {
        return std::nullopt;
    }
    const auto& c = summary.at(key::catchments);
    const double with = c.at("sites_with_catchment").get<double>();
    const double sites = summary.at(key::sites_count).get<double>();
    const double area = c.at("area_km2").get<double>();
    const double study = c.at("study_area_km2").get<double>();
    const double gap_pct = study > 0 ? 100.0 * (area - study) / study : 0.0;
    const double cells_differ = c.at("cells_assigned_differently").get<double>();
    const double pop_differ = c.at("population_assigned_differently").get<double>();
    const double extra_m = 1000.0 * c.at("max_extra_km").get<double>();

    auto all = load_catchments(run_dir);
    std::vector<double> pops;
    pops.reserve(all.size());
    for (const auto& x : all) {
        pops.push_back(x.population);
    }
    std::sort(pops.begin(), pops.end());
    const double median_pop = pops.empty() ? 0.0 : pops[pops.size() / 2];
    const double largest_pop = pops.empty() ? 0.0 : pops.back();

    const std::string title = fr ? "Aires de desserte des sites" : "Catchments of the sites";
    const std::string intro =
        fr ? "L'aire de desserte d'un site est la partie du territoire dont il est le site le "
             "plus proche (partition de Voronoï, découpée au territoire). Ses bords sont des "
             "médiatrices dans le plan à aires égales, non géodésiques : " +
                 number(cells_differ, 0) + " mailles (" + number(pop_differ, 0) +
                 " habitants) tombent dans l'aire d'un site au plus " + number(extra_m, 1) +
                 " m plus loin que leur site le plus proche. Population, surface et distance "
                 "moyenne de chaque aire viennent des mailles et de leur site exact."
           : "A site's catchment is the part of the study area whose nearest site it is (a "
             "Voronoi partition, clipped to the study area). Its edges are bisectors in the "
             "equal-area plane, not geodesic ones: " +
                 number(cells_differ, 0) + " cells (" + number(pop_differ, 0) +
                 " inhabitants) fall in the catchment of a site at most " + number(extra_m, 1) +
                 " m farther than their nearest. The population, area and mean distance of each "
                 "catchment come from the cells and their exact nearest site.";
    const std::vector<std::pair<std::string, std::string>> figures{
        {fr ? "Sites avec une aire de desserte" : "Sites with a catchment",
         number(with, 0) + (fr ? " sur " : " of ") + number(sites, 0)},
        {fr ? "Surface des aires (km²)" : "Area of the catchments (km²)",
         number(area, 0) + (fr ? " (territoire : " : " (study area: ") + number(study, 0) + ", " +
             number(gap_pct, 3) + " %)"},
        {fr ? "Habitants par aire, médiane" : "Inhabitants per catchment, median",
         number(median_pop, 0)},
        {fr ? "Habitants de l'aire la plus peuplée" : "Inhabitants of the most populated",
         number(largest_pop, 0)},
    };
    std::ostringstream h;
    std::ostringstream md;
    std::ostringstream csv;
    h << "<h2 id=\"catchments\">" << esc(title) << "</h2>\n<p>" << esc(intro)
      << "</p>\n<div class=\"figures\" id=\"catchments-figures\">\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    for (const auto& [label, value] : figures) {
        h << "<div class=\"figure\"><b>" << esc(value) << "</b>" << esc(label) << "</div>\n";
        md << "- " << label << (fr ? " : " : ": ") << value << '\n';
    }
    h << "</div>\n";
    if (with < sites) {
        const std::string note =
            fr ? "Les " + number(sites - with, 0) +
                     " autres sites partagent leur position avec un autre site, dont l'aire "
                     "les compte, ou leur cellule est hors du territoire."
               : "The " + number(sites - with, 0) +
                     " other sites share their position with another site, whose catchment "
                     "counts them, or their cell lies outside the study area.";
        h << "<p class=\"hint\">" << esc(note) << "</p>\n";
        md << "\n" << note << "\n";
    }
    csv << "catchments_sites_with,," << plain(with, 0) << ",\ncatchments_area_km2,,"
        << plain(area, 4) << ",km²\ncatchments_study_area_km2,," << plain(study, 4)
        << ",km²\ncatchments_cells_assigned_differently,," << plain(cells_differ, 0)
        << ",\ncatchments_population_assigned_differently,," << plain(pop_differ, 4)
        << ",\ncatchments_max_extra_m,," << plain(extra_m, 1)
        << ",m\ncatchments_median_population,," << plain(median_pop, 0) << ",\n";

    const std::string h_site = "Site";
    const std::string h_type = "Type";
    const std::string h_pop = fr ? "Habitants" : "Inhabitants";
    const std::string h_area = fr ? "Surface (km²)" : "Area (km²)";
    const std::string h_mean = fr ? "Distance moyenne (km)" : "Mean distance (km)";
    auto table = [&](const std::string& id, const std::string& heading, std::vector<Catchment> list,
                     auto before, const char* csv_key) {
        std::stable_sort(list.begin(), list.end(), before);
        if (list.size() > 10) {
            list.resize(10);
        }
        h << "<h3>" << esc(heading) << "</h3>\n<table id=\"" << id << "\">\n<thead><tr><th>"
          << esc(h_site) << "</th><th>" << esc(h_type) << "</th><th>" << esc(h_pop) << "</th><th>"
          << esc(h_area) << "</th><th>" << esc(h_mean) << "</th></tr></thead>\n<tbody>\n";
        md << "\n### " << heading << "\n\n| " << h_site << " | " << h_type << " | " << h_pop
           << " | " << h_area << " | " << h_mean << " |\n|---|---|---:|---:|---:|\n";
        for (const auto& x : list) {
            const std::string name = x.name.empty() ? x.site_id : x.name;
            h << "<tr><td>" << esc(name) << "</td><td>" << esc(x.type)
              << "</td><td class=\"n\" data-v=\"" << x.population << "\">"
              << esc(number(x.population, 0)) << "</td><td class=\"n\" data-v=\"" << x.area_km2
              << "\">" << esc(number(x.area_km2, 0)) << "</td><td class=\"n\" data-v=\""
              << x.mean_km << "\">" << esc(number(x.mean_km, 1)) << "</td></tr>\n";
            md << "| " << name << " | " << x.type << " | " << number(x.population, 0) << " | "
               << number(x.area_km2, 0) << " | " << number(x.mean_km, 1) << " |\n";
            csv << csv_key << ',' << x.site_id << ','
                << plain(std::string(csv_key) == "catchment_population" ? x.population : x.mean_km,
                         4)
                << (std::string(csv_key) == "catchment_population" ? ",\n" : ",km\n");
        }
        h << "</tbody></table>\n";
    };
    table(
        "catchments-populated",
        fr ? "Les aires les plus peuplées" : "The most populated catchments", all,
        [](const Catchment& a, const Catchment& b) { return a.population > b.population; },
        "catchment_population");
    // The farthest, among catchments where someone lives.
    std::vector<Catchment> lived;
    std::copy_if(all.begin(), all.end(), std::back_inserter(lived),
                 [](const Catchment& x) { return x.population > 0; });
    table(
        "catchments-farthest",
        fr ? "Les aires où la distance moyenne est la plus longue"
           : "The catchments with the longest mean distance",
        lived, [](const Catchment& a, const Catchment& b) { return a.mean_km > b.mean_km; },
        "catchment_mean_km");
    return ReportSection{h.str(), md.str(), csv.str()};
}

} // namespace maillage::report
