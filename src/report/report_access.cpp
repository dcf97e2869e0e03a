#include "sections.hpp"

#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;
namespace acc = model::schema::summary::in_access;

/// The distance decay in words: "Gaussian, d0 = 30 km" or "bands 0–10 km: 1.00, ...".
std::string decay_text(const json& decay, bool fr) {
    namespace dk = key::decay;
    if (decay.at(dk::kind).get<std::string>() == dk::kind_gaussian) {
        return (fr ? "gaussienne, d0 = " : "Gaussian, d0 = ") +
               fmt(decay.at(dk::d0_km).get<double>(), 0, fr) + " km";
    }
    std::string text;
    for (const auto& b : decay.at(dk::bands)) {
        text += (text.empty() ? "" : ", ") + fmt(b.at(dk::from_km).get<double>(), 0, fr) + "–" +
                fmt(b.at(dk::to_km).get<double>(), 0, fr) + (fr ? " km : " : " km: ") +
                fmt(b.at(dk::weight).get<double>(), 2, fr);
    }
    return (fr ? "bandes " : "bands ") + text;
}

/// The paragraph under the title: the method, the supply and the decay of this run.
std::string access_intro(const json& a, bool fr) {
    const auto& parameters = a.at(acc::parameters);
    const std::string decay = decay_text(parameters.at(acc::decay), fr);
    const std::string capacity = parameters.at(acc::capacity).get<std::string>();
    const bool one = capacity == acc::capacity_one;
    return fr ? "Indice à deux étapes avec aire d'influence flottante (E2SFCA, la méthode de "
                "l'accessibilité potentielle localisée) : l'offre de chaque site (" +
                    (one ? std::string("1 par site") : "champ " + capacity) +
                    ") est divisée par la population qui l'entoure, pondérée selon la distance (" +
                    decay +
                    "), puis chaque habitant reçoit la somme de ces rapports sur les sites à sa "
                    "portée. Indice pour 100 000 habitants ; la moyenne régionale, pondérée par "
                    "la population, est l'offre totale rapportée à la population."
              : "Enhanced two-step floating catchment area index (E2SFCA, the method of the "
                "French APL): the supply of each site (" +
                    (one ? std::string("1 per site") : "field " + capacity) +
                    ") is divided by the population around it, weighted by distance (" + decay +
                    "), and each inhabitant receives the sum of these ratios over the sites in "
                    "reach. Index per 100,000 inhabitants; the population-weighted regional mean "
                    "is the total supply over the population.";
}

/// The figures of the whole study area of an "access" member.
struct AccessFigures {
    double mean, zones_below, population_below, share_of_population, no_site, reaching_nobody;
};

AccessFigures access_figures(const json& a) {
    const auto& below = a.at(acc::below);
    return {a.at(acc::index).at(acc::mean).get<double>(),
            below.at(acc::zones).get<double>(),
            below.at(acc::population).get<double>(),
            below.at(acc::share_of_population).get<double>(),
            a.at(acc::population_no_site_in_reach).get<double>(),
            a.at(acc::sites_reaching_nobody).at(acc::count).get<double>()};
}

Figures figure_lines(const AccessFigures& x, const std::string& pct, bool fr) {
    return {
        {fr ? "Moyenne régionale (pour 100 000 habitants)" : "Regional mean (per 100,000)",
         fmt(x.mean, 2, fr)},
        {fr ? "Communes sous " + pct + " de la moyenne" : "Zones below " + pct + " of the mean",
         fmt(x.zones_below, 0, fr)},
        {fr ? "Leurs habitants" : "Their inhabitants",
         fmt(x.population_below, 0, fr) + " (" + fmt(100.0 * x.share_of_population, 1, fr) + " %)"},
        {fr ? "Habitants sans site à portée" : "Inhabitants with no site in reach",
         fmt(x.no_site, 0, fr)},
        {fr ? "Sites n'atteignant personne (exclus)" : "Sites reaching nobody (left out)",
         fmt(x.reaching_nobody, 0, fr)},
    };
}

void figure_csv(std::ostream& csv, const AccessFigures& x) {
    csv << "access_mean_per_100k,," << plain(x.mean, 6) << ",\naccess_zones_below,,"
        << plain(x.zones_below, 0) << ",\naccess_population_below,," << plain(x.population_below, 0)
        << ",\naccess_population_no_site,," << plain(x.no_site, 0)
        << ",\naccess_sites_reaching_nobody,," << plain(x.reaching_nobody, 0) << ",\n";
}

/// The headings of the section's tables, in the page's language.
struct Headings {
    std::string group, pop, index, ratio, zones, below, commune, low_title;
};

Headings headings(const std::string& pct, bool fr) {
    return {fr ? "Groupe" : "Group",
            "Population",
            fr ? "Indice (pour 100 000)" : "Index (per 100,000)",
            fr ? "Rapport à la moyenne" : "Ratio to the mean",
            fr ? "Communes sous " + pct : "Zones below " + pct,
            fr ? "Leurs habitants" : "Their inhabitants",
            fr ? "Commune" : "Zone",
            fr ? "Communes les plus peuplées sous " + pct + " de la moyenne"
               : "Most populated zones below " + pct + " of the mean"};
}

/// The groups, from the lowest index: a table, and two lines each in figures.csv.
void write_groups(std::ostream& h, std::ostream& md, std::ostream& csv, const json& a,
                  const Headings& hd, bool fr) {
    std::vector<json> groups(a.at(acc::by_group).begin(), a.at(acc::by_group).end());
    std::stable_sort(groups.begin(), groups.end(), [](const json& x, const json& y) {
        return x.at(acc::index).get<double>() < y.at(acc::index).get<double>();
    });
    md << '\n';
    table_head(h, md, "access-groups", {hd.group, hd.pop, hd.index, hd.ratio, hd.zones, hd.below},
               "|---|---:|---:|---:|---:|---:|");
    for (const auto& g : groups) {
        const std::string name = g.at(acc::group).get<std::string>();
        const double ratio = g.at(acc::ratio).is_null() ? NAN : g.at(acc::ratio).get<double>();
        const std::array<std::pair<double, int>, 5> cells{
            {{g.at(acc::population).get<double>(), 0},
             {g.at(acc::index).get<double>(), 2},
             {ratio, 2},
             {g.at(acc::zones_below).get<double>(), 0},
             {g.at(acc::population_below).get<double>(), 0}}};
        h << "<tr><td>" << esc(name) << "</td>";
        md << "| " << name;
        for (const auto& [v, decimals] : cells) {
            number_cell(h, v, fmt(v, decimals, fr));
            md << " | " << fmt(v, decimals, fr);
        }
        h << "</tr>\n";
        md << " |\n";
        csv << "group_access_per_100k," << name << ',' << plain(cells[1].first, 6) << ",\n"
            << "group_access_ratio," << name << ',' << plain(ratio, 6) << ",\n";
    }
    h << "</tbody></table>\n";
}

/// The ten most populated zones below the chosen share of the mean.
void write_low(std::ostream& h, std::ostream& md, std::vector<LowAccessZone> low,
               const Headings& hd, bool fr) {
    std::stable_sort(low.begin(), low.end(), [](const LowAccessZone& x, const LowAccessZone& y) {
        return x.population > y.population;
    });
    if (low.size() > 10) {
        low.resize(10);
    }
    h << "<h3>" << esc(hd.low_title) << "</h3>\n";
    md << "\n### " << hd.low_title << "\n\n";
    table_head(h, md, "access-low", {hd.commune, hd.group, hd.pop, hd.index, hd.ratio},
               "|---|---|---:|---:|---:|");
    for (const auto& z : low) {
        h << "<tr><td>" << esc(z.name) << "</td><td>" << esc(z.group) << "</td>";
        number_cell(h, z.population, fmt(z.population, 0, fr));
        number_cell(h, z.index, fmt(z.index, 2, fr));
        number_cell(h, z.ratio, fmt(z.ratio, 2, fr));
        h << "</tr>\n";
        md << "| " << z.name << " | " << z.group << " | " << fmt(z.population, 0, fr) << " | "
           << fmt(z.index, 2, fr) << " | " << fmt(z.ratio, 2, fr) << " |\n";
    }
    h << "</tbody></table>\n";
}

} // namespace

/// The section of `maillage access` (its "access" member of summary.json and its access_zones
/// layer, in the run folder).
std::optional<ReportSection> access_section(const std::filesystem::path& dir, const json& s,
                                            bool fr) {
    if (!s.contains(key::access)) {
        return std::nullopt;
    }
    const auto& a = s.at(key::access);
    auto low = load_access_below(dir);
    if (!low) {
        return std::nullopt;
    }
    const std::string intro = access_intro(a, fr);
    const auto figures = access_figures(a);
    const std::string pct =
        fmt(100.0 * a.at(acc::below).at(acc::share).get<double>(), 0, fr) + " %";
    const std::string title =
        fr ? "Accessibilité potentielle (E2SFCA)" : "Potential accessibility (E2SFCA)";
    const auto hd = headings(pct, fr);
    std::ostringstream h;
    std::ostringstream md;
    std::ostringstream csv;
    h << "<h2>" << esc(title) << "</h2>\n<p>" << esc(intro) << "</p>\n<div class=\"figures\" "
      << "id=\"access-figures\">\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    write_figures(h, md, figure_lines(figures, pct, fr), " : ");
    h << "</div>\n";
    figure_csv(csv, figures);
    write_groups(h, md, csv, a, hd, fr);
    write_low(h, md, std::move(*low), hd, fr);
    return ReportSection{h.str(), md.str(), csv.str()};
}

} // namespace maillage::report
