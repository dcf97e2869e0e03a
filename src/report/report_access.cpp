#include "sections.hpp"

#include "maillage/model/schema.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace maillage::report {

namespace {
using nlohmann::json;
namespace key = model::schema::summary;
} // namespace

/// The section of `maillage access` (its "access" member of summary.json and its access_zones
/// layer, in the run folder).
std::optional<ReportSection> access_section(const std::filesystem::path& dir, const json& s,
                                            bool fr) {
    if (!s.contains(key::access)) {
        return std::nullopt;
    }
    const auto& a = s.at(key::access);
    auto below_zones = load_access_below(dir);
    if (!below_zones) {
        return std::nullopt;
    }
    auto& low = *below_zones;
    std::ostringstream md;
    std::ostringstream csv;
    std::stable_sort(low.begin(), low.end(), [](const LowAccessZone& x, const LowAccessZone& y) {
        return x.population > y.population;
    });
    if (low.size() > 10) {
        low.resize(10);
    }
    const auto& decay = a.at("parameters").at("decay");
    std::string decay_text;
    if (decay.at("kind").get<std::string>() == "gaussian") {
        decay_text = (fr ? "gaussienne, d0 = " : "Gaussian, d0 = ") +
                     fmt(decay.at("d0_km").get<double>(), 0, fr) + " km";
    } else {
        for (const auto& b : decay.at("bands")) {
            decay_text += (decay_text.empty() ? "" : ", ") +
                          fmt(b.at("from_km").get<double>(), 0, fr) + "–" +
                          fmt(b.at("to_km").get<double>(), 0, fr) + (fr ? " km : " : " km: ") +
                          fmt(b.at("weight").get<double>(), 2, fr);
        }
        decay_text = (fr ? "bandes " : "bands ") + decay_text;
    }
    const std::string capacity = a.at("parameters").at("capacity").get<std::string>();
    const double mean = a.at("index").at("mean").get<double>();
    const auto& below = a.at("below");
    const double share = below.at("share").get<double>();
    const std::string pct = fmt(100.0 * share, 0, fr) + " %";
    const std::string title =
        fr ? "Accessibilité potentielle (E2SFCA)" : "Potential accessibility (E2SFCA)";
    const std::string intro =
        fr ? "Indice à deux étapes avec aire d'influence flottante (E2SFCA, la méthode de "
             "l'accessibilité potentielle localisée) : l'offre de chaque site (" +
                 (capacity == "1 per site" ? std::string("1 par site") : "champ " + capacity) +
                 ") est divisée par la population qui l'entoure, pondérée selon la distance (" +
                 decay_text +
                 "), puis chaque habitant reçoit la somme de ces rapports sur les sites à sa "
                 "portée. Indice pour 100 000 habitants ; la moyenne régionale, pondérée par la "
                 "population, est l'offre totale rapportée à la population."
           : "Enhanced two-step floating catchment area index (E2SFCA, the method of the French "
             "APL): the supply of each site (" +
                 (capacity == "1 per site" ? std::string("1 per site") : "field " + capacity) +
                 ") is divided by the population around it, weighted by distance (" + decay_text +
                 "), and each inhabitant receives the sum of these ratios over the sites in "
                 "reach. Index per 100,000 inhabitants; the population-weighted regional mean is "
                 "the total supply over the population.";
    const std::vector<std::pair<std::string, std::string>> figures{
        {fr ? "Moyenne régionale (pour 100 000 habitants)" : "Regional mean (per 100,000)",
         fmt(mean, 2, fr)},
        {fr ? "Communes sous " + pct + " de la moyenne" : "Zones below " + pct + " of the mean",
         fmt(below.at("zones").get<double>(), 0, fr)},
        {fr ? "Leurs habitants" : "Their inhabitants",
         fmt(below.at("population").get<double>(), 0, fr) + " (" +
             fmt(100.0 * below.at("share_of_population").get<double>(), 1, fr) + " %)"},
        {fr ? "Habitants sans site à portée" : "Inhabitants with no site in reach",
         fmt(a.at("population_no_site_in_reach").get<double>(), 0, fr)},
        {fr ? "Sites n'atteignant personne (exclus)" : "Sites reaching nobody (left out)",
         fmt(a.at("sites_reaching_nobody").at("count").get<double>(), 0, fr)},
    };
    csv << "access_mean_per_100k,," << plain(mean, 6) << ",\naccess_zones_below,,"
        << plain(below.at("zones").get<double>(), 0) << ",\naccess_population_below,,"
        << plain(below.at("population").get<double>(), 0) << ",\naccess_population_no_site,,"
        << plain(a.at("population_no_site_in_reach").get<double>(), 0)
        << ",\naccess_sites_reaching_nobody,,"
        << plain(a.at("sites_reaching_nobody").at("count").get<double>(), 0) << ",\n";
    std::vector<json> groups(a.at("by_group").begin(), a.at("by_group").end());
    std::stable_sort(groups.begin(), groups.end(), [](const json& x, const json& y) {
        return x.at("index").get<double>() < y.at("index").get<double>();
    });
    const std::string h_group = fr ? "Groupe" : "Group";
    const std::string h_pop = "Population";
    const std::string h_index = fr ? "Indice (pour 100 000)" : "Index (per 100,000)";
    const std::string h_ratio = fr ? "Rapport à la moyenne" : "Ratio to the mean";
    const std::string h_zones = fr ? "Communes sous " + pct : "Zones below " + pct;
    const std::string h_below = fr ? "Leurs habitants" : "Their inhabitants";
    const std::string h_commune = fr ? "Commune" : "Zone";
    const std::string low_title = fr ? "Communes les plus peuplées sous " + pct + " de la moyenne"
                                     : "Most populated zones below " + pct + " of the mean";
    std::ostringstream h;
    h << "<h2>" << esc(title) << "</h2>\n<p>" << esc(intro) << "</p>\n<div class=\"figures\" "
      << "id=\"access-figures\">\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    for (const auto& [label, value] : figures) {
        h << "<div class=\"figure\"><b>" << esc(value) << "</b>" << esc(label) << "</div>\n";
        md << "- " << label << " : " << value << '\n';
    }
    h << "</div>\n<table id=\"access-groups\">\n<thead><tr><th>" << esc(h_group) << "</th><th>"
      << esc(h_pop) << "</th><th>" << esc(h_index) << "</th><th>" << esc(h_ratio) << "</th><th>"
      << esc(h_zones) << "</th><th>" << esc(h_below) << "</th></tr></thead>\n<tbody>\n";
    md << "\n| " << h_group << " | " << h_pop << " | " << h_index << " | " << h_ratio << " | "
       << h_zones << " | " << h_below << " |\n|---|---:|---:|---:|---:|---:|\n";
    for (const auto& g : groups) {
        const std::string name = g.at("group").get<std::string>();
        const double pop = g.at("population").get<double>();
        const double index = g.at("index").get<double>();
        const double ratio = g.at("ratio").is_null() ? NAN : g.at("ratio").get<double>();
        const double zones = g.at("zones_below").get<double>();
        const double below_pop = g.at("population_below").get<double>();
        h << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << pop << "\">"
          << esc(fmt(pop, 0, fr)) << "</td><td class=\"n\" data-v=\"" << index << "\">"
          << esc(fmt(index, 2, fr)) << "</td><td class=\"n\" data-v=\"" << ratio << "\">"
          << esc(fmt(ratio, 2, fr)) << "</td><td class=\"n\" data-v=\"" << zones << "\">"
          << esc(fmt(zones, 0, fr)) << "</td><td class=\"n\" data-v=\"" << below_pop << "\">"
          << esc(fmt(below_pop, 0, fr)) << "</td></tr>\n";
        md << "| " << name << " | " << fmt(pop, 0, fr) << " | " << fmt(index, 2, fr) << " | "
           << fmt(ratio, 2, fr) << " | " << fmt(zones, 0, fr) << " | " << fmt(below_pop, 0, fr)
           << " |\n";
        csv << "group_access_per_100k," << name << ',' << plain(index, 6) << ",\n"
            << "group_access_ratio," << name << ',' << plain(ratio, 6) << ",\n";
    }
    h << "</tbody></table>\n<h3>" << esc(low_title) << "</h3>\n<table id=\"access-low\">\n"
      << "<thead><tr><th>" << esc(h_commune) << "</th><th>" << esc(h_group) << "</th><th>"
      << esc(h_pop) << "</th><th>" << esc(h_index) << "</th><th>" << esc(h_ratio)
      << "</th></tr></thead>\n<tbody>\n";
    md << "\n### " << low_title << "\n\n| " << h_commune << " | " << h_group << " | " << h_pop
       << " | " << h_index << " | " << h_ratio << " |\n|---|---|---:|---:|---:|\n";
    for (const auto& z : low) {
        h << "<tr><td>" << esc(z.name) << "</td><td>" << esc(z.group)
          << "</td><td class=\"n\" data-v=\"" << z.population << "\">"
          << esc(fmt(z.population, 0, fr)) << "</td><td class=\"n\" data-v=\"" << z.index << "\">"
          << esc(fmt(z.index, 2, fr)) << "</td><td class=\"n\" data-v=\"" << z.ratio << "\">"
          << esc(fmt(z.ratio, 2, fr)) << "</td></tr>\n";
        md << "| " << z.name << " | " << z.group << " | " << fmt(z.population, 0, fr) << " | "
           << fmt(z.index, 2, fr) << " | " << fmt(z.ratio, 2, fr) << " |\n";
    }
    h << "</tbody></table>\n";
    return ReportSection{h.str(), md.str(), csv.str()};
}

} // namespace maillage::report
