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
namespace sk = model::schema::summary::in_suggest;
namespace gk = model::schema::summary::in_population_grid;

/// Where the candidates came from, as the intro of the section names them.
std::string candidates_among(const std::string& source, bool fr) {
    if (source == sk::source_zones) {
        return fr ? "les communes (leur point de référence)" : "the zones' reference points";
    }
    if (source == sk::source_grid) {
        return fr ? "les mailles d'une grille" : "the cells of a grid";
    }
    return fr ? "les lieux du fichier de candidats" : "the places of the candidates file";
}

/// The intro of the section: how many places were picked, for which objective (`coverage`:
/// within `t` km), among how many candidates and which (`among`).
std::string suggest_intro(const json& g, bool fr, bool coverage, std::size_t n_picks,
                          const std::string& t, const std::string& among) {
    std::ostringstream intro;
    if (fr) {
        intro << "Les " << n_picks << " lieux qui, ajoutés un à un aux sites existants, "
              << (coverage ? "amènent le plus d'habitants à moins de " + t + " km d'un site"
                           : "réduisent le plus la distance moyenne au site le plus proche")
              << ", choisis parmi " << g.at(sk::candidates).at(sk::count).get<std::size_t>()
              << " candidats (" << among << ") par la méthode gloutonne.";
    } else {
        intro << "The " << n_picks << " places which, added one by one to the existing sites, "
              << (coverage ? "bring the most inhabitants within " + t + " km of a site"
                           : "most reduce the mean distance to the nearest site")
              << ", chosen among " << g.at(sk::candidates).at(sk::count).get<std::size_t>()
              << " candidates (" << among << ") by the greedy method.";
    }
    return intro.str();
}

/// The section's title, intro and table, written at once as HTML, Markdown and CSV rows.
class SuggestTable {
public:
    explicit SuggestTable(bool fr) : m_fr(fr) {}

    /// The title, the intro and the table's header (`t`: the threshold, formatted).
    void head(const std::string& title, const std::string& intro, const std::string& t) {
        const std::string h_place = m_fr ? "Lieu" : "Place";
        const std::string h_zone = m_fr ? "Commune" : "Zone";
        const std::string h_new =
            m_fr ? "Nouveaux habitants à moins de " + t + " km" : "Newly within " + t + " km";
        const std::string h_share =
            m_fr ? "Part à moins de " + t + " km (%)" : "Share within " + t + " km (%)";
        const std::string h_mean = m_fr ? "Distance moyenne (km)" : "Mean distance (km)";
        m_html << "<h2>" << esc(title) << "</h2>\n<p>" << esc(intro)
               << "</p>\n<table id=\"suggest\">\n"
               << "<thead><tr><th>#</th><th>" << esc(h_place) << "</th><th>" << esc(h_zone)
               << "</th><th>" << esc(h_new) << "</th><th>" << esc(h_share) << "</th><th>"
               << esc(h_mean) << "</th></tr></thead>\n<tbody>\n";
        m_md << "\n## " << title << "\n\n"
             << intro << "\n\n| # | " << h_place << " | " << h_zone << " | " << h_new << " | "
             << h_share << " | " << h_mean << " |\n|---:|---|---|---:|---:|---:|\n";
    }

    /// A row: rank "0" is today's (no rank, no newly covered inhabitants).
    void row(const std::string& rank, const std::string& place, const std::string& zone,
             double newly, double share, double mean) {
        const std::string n = rank == "0" ? "—" : fmt(newly, 0, m_fr);
        m_html << "<tr><td class=\"n\">" << (rank == "0" ? "" : rank) << "</td><td>" << esc(place)
               << "</td><td>" << esc(zone) << "</td><td class=\"n\" data-v=\"" << newly << "\">"
               << esc(n) << "</td><td class=\"n\" data-v=\"" << 100.0 * share << "\">"
               << esc(fmt(100.0 * share, 2, m_fr)) << "</td><td class=\"n\" data-v=\"" << mean
               << "\">" << esc(fmt(mean, 2, m_fr)) << "</td></tr>\n";
        m_md << "| " << (rank == "0" ? "" : rank) << " | " << place << " | " << zone << " | " << n
             << " | " << fmt(100.0 * share, 2, m_fr) << " | " << fmt(mean, 2, m_fr) << " |\n";
        m_csv << "suggest_newly_covered," << rank << ',' << plain(newly, 0) << ",\n"
              << "suggest_covered_share_pct," << rank << ',' << plain(100.0 * share, 4) << ",%\n"
              << "suggest_mean_km," << rank << ',' << plain(mean, 4) << ",km\n";
    }

    /// The section, its table closed.
    ReportSection finish() {
        m_html << "</tbody></table>\n";
        return ReportSection{m_html.str(), m_md.str(), m_csv.str()};
    }

private:
    bool m_fr;
    std::ostringstream m_html;
    std::ostringstream m_md;
    std::ostringstream m_csv;
};

} // namespace

/// The section of `maillage suggest` (its `suggest` member of summary.json).
std::optional<ReportSection> suggest_section(const json& s, bool fr) {
    if (!s.contains(key::suggest)) {
        return std::nullopt;
    }
    const auto& g = s.at(key::suggest);
    const double threshold_km = s.at(key::parameters).at(key::params::threshold_km).get<double>();
    const bool coverage = g.at(sk::objective).get<std::string>() == sk::objective_coverage;
    const auto& before = g.at(sk::before);
    const auto& picks = g.at(sk::picks);
    const std::string source = g.at(sk::candidates).at(sk::source).get<std::string>();
    const std::string t = fmt(threshold_km, threshold_km == std::floor(threshold_km) ? 0 : 1, fr);
    SuggestTable table(fr);
    table.head(fr ? "Où ajouter des sites ?" : "Where to add sites",
               suggest_intro(g, fr, coverage, picks.size(), t, candidates_among(source, fr)), t);
    table.row("0", fr ? "Aujourd'hui" : "Today", "", 0.0,
              before.at(sk::covered_share).get<double>(), before.at(sk::mean_km).get<double>());
    for (const auto& p : picks) {
        const std::string name = p.at(sk::name).get<std::string>();
        table.row(std::to_string(p.at(sk::rank).get<int>()),
                  name.empty() ? p.at(sk::candidate_id).get<std::string>() : name,
                  p.at(sk::zone_name).get<std::string>(), p.at(sk::newly_covered).get<double>(),
                  p.at(sk::covered_share).get<double>(), p.at(sk::mean_km).get<double>());
    }
    return table.finish();
}

/// The section on the population grid (a run with --population-grid).
std::optional<ReportSection> population_grid_section(const json& s, bool fr) {
    if (!s.contains(key::population_grid)) {
        return std::nullopt;
    }
    const auto& g = s.at(key::population_grid);
    std::ostringstream md;
    std::ostringstream csv;
    const auto& c = g.at(gk::comparison);
    const double read = g.at(gk::population_read).get<double>();
    const double in_zones = g.at(gk::population_in_zones).get<double>();
    const double outside = g.at(gk::population_outside_study_area).get<double>();
    const double own = c.at(gk::zones_population_total).get<double>();
    const double from_grid = c.at(gk::grid_population_total).get<double>();
    const double rel = own > 0 ? 100.0 * (from_grid - own) / own : 0.0;
    const char* title = fr ? "Grille de population" : "Population grid";
    const std::string intro =
        fr ? "La population est placée d'après la grille " + g.at(gk::path).get<std::string>() +
                 " (" + g.at(gk::kind).get<std::string>() + ", " +
                 g.at(gk::crs).get<std::string>() +
                 "), rééchantillonnée sur la grille d'analyse à population constante."
           : "The population is placed with the grid " + g.at(gk::path).get<std::string>() + " (" +
                 g.at(gk::kind).get<std::string>() + ", " + g.at(gk::crs).get<std::string>() +
                 "), resampled onto the analysis grid, conserving population.";
    const std::vector<std::pair<std::string, std::string>> rows{
        {fr ? "Population lue dans la grille" : "Population read from the grid", fmt(read, 0, fr)},
        {fr ? "dans les zones" : "in the zones", fmt(in_zones, 0, fr)},
        {fr ? "hors de la zone d'étude" : "outside the study area", fmt(outside, 0, fr)},
        {fr ? "Population des zones (leur propre chiffre)" : "Zones' own population figures",
         fmt(own, 0, fr)},
        {fr ? "Écart grille − zones" : "Difference grid − zones",
         fmt(from_grid - own, 0, fr) + " (" + fmt(rel, 1, fr) + " %)"},
        {fr ? "Zones à plus de 10 % d'écart" : "Zones more than 10 % off",
         fmt(c.at(gk::zones_off_10_percent).get<double>(), 0, fr)}};
    std::ostringstream h;
    h << "<h2 id=\"population-grid\">" << esc(title) << "</h2>\n<p>" << esc(intro)
      << "</p>\n<table id=\"population-grid-figures\">\n<tbody>\n";
    md << "\n## " << title << "\n\n" << intro << "\n\n";
    for (const auto& [label, value] : rows) {
        h << "<tr><td>" << esc(label) << "</td><td class=\"n\">" << esc(value) << "</td></tr>\n";
        md << "- " << label << " : " << value << "\n";
    }
    const char* zone = "Zone";
    const char* layer = fr ? "population de la zone" : "zone's population";
    const char* grid = fr ? "population de la grille" : "grid's population";
    const char* diff = fr ? "écart" : "difference";
    h << "</tbody></table>\n<table id=\"population-grid-zones\">\n<thead><tr><th>" << esc(zone)
      << "</th><th>" << esc(layer) << "</th><th>" << esc(grid) << "</th><th>" << esc(diff)
      << "</th></tr></thead>\n<tbody>\n";
    md << "\n| " << zone << " | " << layer << " | " << grid << " | " << diff
       << " |\n|---|---:|---:|---:|\n";
    const auto& worst = c.at(gk::worst_zones);
    for (std::size_t i = 0; i < worst.size() && i < 5; ++i) {
        const auto& z = worst[i];
        const std::string name = z.at(gk::name).get<std::string>().empty()
                                     ? z.at(gk::zone_id).get<std::string>()
                                     : z.at(gk::name).get<std::string>();
        const double a = z.at(gk::population_layer).get<double>();
        const double b = z.at(gk::population_grid).get<double>();
        h << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << a << "\">"
          << esc(fmt(a, 0, fr)) << "</td><td class=\"n\" data-v=\"" << b << "\">"
          << esc(fmt(b, 0, fr)) << "</td><td class=\"n\" data-v=\"" << b - a << "\">"
          << esc(fmt(b - a, 0, fr)) << "</td></tr>\n";
        md << "| " << name << " | " << fmt(a, 0, fr) << " | " << fmt(b, 0, fr) << " | "
           << fmt(b - a, 0, fr) << " |\n";
    }
    h << "</tbody></table>\n";
    csv << "population_grid_read,," << plain(read, 4) << ",\npopulation_grid_in_zones,,"
        << plain(in_zones, 4) << ",\npopulation_grid_outside_study_area,," << plain(outside, 4)
        << ",\npopulation_grid_zones_own_total,," << plain(own, 4)
        << ",\npopulation_grid_difference_pct,," << plain(rel, 4) << ",%\n";
    return ReportSection{h.str(), md.str(), csv.str()};
}

} // namespace maillage::report
