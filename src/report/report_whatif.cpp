#include "sections.hpp"
#include "svg.hpp"

#include "maillage/geo/geos.hpp"

#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <tuple>
#include <vector>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;
namespace wk = model::schema::summary::in_whatif;

struct Words {
    const char* title;
    const char* closed;
    const char* opened;
    const char* figure;
    const char* before;
    const char* after;
    const char* change;
    const char* mean;
    const char* p90;
    const char* beyond;
    const char* sites;
    const char* moved;
    const char* newly;
    const char* back;
    const char* group;
    const char* zones_title;
    const char* commune;
    const char* population;
    const char* incremental;
    const char* cells;
};

const Words fr_words{"Scénario : et si…",
                     "Lieux fermés",
                     "Lieux ouverts",
                     "Indicateur",
                     "avant",
                     "après",
                     "écart",
                     "Distance moyenne (km)",
                     "90 % de la population à moins de (km)",
                     "Population au-delà du seuil",
                     "Lieux d'accueil",
                     "Population dont le lieu le plus proche change",
                     "Population qui passe au-delà du seuil",
                     "Population qui revient en deçà du seuil",
                     "Groupe",
                     "Communes les plus touchées (population × écart de distance moyenne)",
                     "Commune",
                     "Population",
                     "Calcul incrémental, mailles recalculées",
                     "sur"};

const Words en_words{"Scenario: what if…",
                     "Sites closed",
                     "Sites opened",
                     "Figure",
                     "before",
                     "after",
                     "change",
                     "Mean distance (km)",
                     "90 % of the population within (km)",
                     "Population beyond the threshold",
                     "Sites",
                     "Population whose nearest site changes",
                     "Population that falls beyond the threshold",
                     "Population that comes back within the threshold",
                     "Group",
                     "Communes most affected (population × change of mean distance)",
                     "Commune",
                     "Population",
                     "Incremental computation, cells recomputed",
                     "of"};

/// "+1.5" for a rise, "-1.5" for a fall, no sign when it rounds to zero.
std::string with_sign(double v, int decimals, const NumberFormat& number) {
    const double rounded = std::round(v * std::pow(10.0, decimals));
    return (rounded > 0 ? "+" : "") + number(rounded == 0 ? 0.0 : v, decimals);
}

/// The names of a list of sites of "changes" (their id when they have no name).
std::vector<std::string> site_names(const json& list) {
    std::vector<std::string> names;
    for (std::size_t i = 0; i < list.size() && i < 20; ++i) {
        const auto& x = list[i];
        const auto name = x.at(wk::name).get<std::string>();
        names.push_back(name.empty() ? x.at(wk::site_id).get<std::string>() : name);
    }
    return names;
}

/// A line of the before/after table.
struct FigureRow {
    std::string key;
    std::string label;
    double before, after;
    int decimals;
};

/// The section in the making: its words, its number format and its three outputs.
class WhatIfWriter {
public:
    WhatIfWriter(const json& w, double threshold_km, bool french, const NumberFormat& number)
        : m_w(w), m_t(french ? fr_words : en_words), m_number(number), m_sep(french ? " : " : ": "),
          m_beyond(std::string(m_t.beyond) + " (" + number(threshold_km, 0) + " km)") {}

    void changes();
    void figures();
    void people();
    void groups();
    void zones(std::vector<ChangedZone> zones);
    void incremental();
    void map(const std::filesystem::path& run_dir, double threshold_km, bool french);
    ReportSection section() const { return {m_html.str(), m_md.str(), m_csv.str()}; }

private:
    [[nodiscard]] std::vector<FigureRow> figure_rows() const;

    const json& m_w;
    const Words& m_t;
    const NumberFormat& m_number;
    std::string m_sep;
    std::string m_beyond; ///< the label of the population beyond the threshold
    std::ostringstream m_html;
    std::ostringstream m_md;
    std::ostringstream m_csv;
};

/// The sites closed and opened.
void WhatIfWriter::changes() {
    const auto& closed = m_w.at(wk::changes).at(wk::closed);
    const auto& opened = m_w.at(wk::changes).at(wk::opened);
    const std::string closed_names = list_names(site_names(closed), closed.size());
    const std::string opened_names = list_names(site_names(opened), opened.size());
    m_html << "<h2 id=\"whatif\">" << esc(m_t.title) << "</h2>\n<ul id=\"whatif-changes\">\n<li>"
           << esc(m_t.closed) << " (" << closed.size() << ")" << m_sep << esc(closed_names)
           << "</li>\n<li>" << esc(m_t.opened) << " (" << opened.size() << ")" << m_sep
           << esc(opened_names) << "</li>\n</ul>\n";
    m_md << "\n## " << m_t.title << "\n\n- " << m_t.closed << " (" << closed.size() << ")" << m_sep
         << closed_names << "\n- " << m_t.opened << " (" << opened.size() << ")" << m_sep
         << opened_names << "\n\n";
}

std::vector<FigureRow> WhatIfWriter::figure_rows() const {
    namespace dist = key::distance;
    const auto& d = m_w.at(wk::distance_km);
    const auto& pb = m_w.at(wk::population_beyond);
    const auto& sc = m_w.at(wk::sites_count);
    auto row = [](std::string k, std::string label, const json& before, const json& after,
                  int decimals) {
        return FigureRow{std::move(k), std::move(label), before.get<double>(), after.get<double>(),
                         decimals};
    };
    return {
        row("mean_km", m_t.mean, d.at(wk::before).at(dist::mean), d.at(wk::after).at(dist::mean),
            2),
        row("p90_km", m_t.p90, d.at(wk::before).at(dist::p90), d.at(wk::after).at(dist::p90), 2),
        row("population_beyond", m_beyond, pb.at(wk::before), pb.at(wk::after), 0),
        row("sites_count", m_t.sites, sc.at(wk::before), sc.at(wk::after), 0)};
}

/// Before, after, change.
void WhatIfWriter::figures() {
    const auto rows = figure_rows();
    table_head(m_html, m_md, "whatif-figures", {m_t.figure, m_t.before, m_t.after, m_t.change},
               "|---|---:|---:|---:|");
    for (const auto& r : rows) {
        const std::string signed_delta = with_sign(r.after - r.before, r.decimals, m_number);
        m_html << "<tr data-key=\"" << r.key << "\"><td>" << esc(r.label) << "</td><td class=\"n\">"
               << esc(m_number(r.before, r.decimals)) << "</td><td class=\"n\">"
               << esc(m_number(r.after, r.decimals)) << "</td><td class=\"n\">" << esc(signed_delta)
               << "</td></tr>\n";
        m_md << "| " << r.label << " | " << m_number(r.before, r.decimals) << " | "
             << m_number(r.after, r.decimals) << " | " << signed_delta << " |\n";
        const bool km = r.key.size() > 3 && r.key.compare(r.key.size() - 3, 3, "_km") == 0;
        const std::string unit = km ? "km" : "";
        m_csv << "whatif_" << r.key << "_before,," << plain(r.before, 4) << ',' << unit << '\n'
              << "whatif_" << r.key << "_after,," << plain(r.after, 4) << ',' << unit << '\n';
    }
    m_html << "</tbody></table>\n";
}

/// Who is affected.
void WhatIfWriter::people() {
    const double total = m_w.at(wk::population_total).get<double>();
    const double moved = m_w.at(wk::population_moved).get<double>();
    const double newly = m_w.at(wk::population_newly_beyond).get<double>();
    const double back = m_w.at(wk::population_back_within).get<double>();
    const std::string share = total > 0 ? m_number(100.0 * moved / total, 1) + " %" : "—";
    m_html << "<ul id=\"whatif-people\">\n<li data-key=\"population_moved\">" << esc(m_t.moved)
           << m_sep << esc(m_number(moved, 0)) << " (" << esc(share) << ")</li>\n"
           << "<li data-key=\"population_newly_beyond\">" << esc(m_t.newly) << m_sep
           << esc(m_number(newly, 0)) << "</li>\n<li data-key=\"population_back_within\">"
           << esc(m_t.back) << m_sep << esc(m_number(back, 0)) << "</li>\n</ul>\n";
    m_md << "\n- " << m_t.moved << m_sep << m_number(moved, 0) << " (" << share << ")\n- "
         << m_t.newly << m_sep << m_number(newly, 0) << "\n- " << m_t.back << m_sep
         << m_number(back, 0) << "\n\n";
    m_csv << "whatif_population_moved,," << plain(moved, 0) << ",\n"
          << "whatif_population_newly_beyond,," << plain(newly, 0) << ",\n"
          << "whatif_population_back_within,," << plain(back, 0) << ",\n"
          << "whatif_sites_closed,," << m_w.at(wk::changes).at(wk::closed).size()
          << ",\nwhatif_sites_opened,," << m_w.at(wk::changes).at(wk::opened).size() << ",\n";
}

/// The groups that changed.
void WhatIfWriter::groups() {
    const std::string mean = m_t.mean;
    table_head(m_html, m_md, "whatif-groups-table",
               {m_t.group, mean + ", " + m_t.before, mean + ", " + m_t.after, m_t.change,
                m_beyond + ", " + m_t.before, m_beyond + ", " + m_t.after, m_t.moved},
               "|---|---:|---:|---:|---:|---:|---:|");
    for (const auto& g : m_w.at(wk::by_group)) {
        if (g.at(wk::zones_changed).get<double>() == 0) {
            continue;
        }
        const auto name = g.at(wk::group).get<std::string>();
        const double ma = g.at(wk::mean_km_after).get<double>();
        const double gm = g.at(wk::population_moved).get<double>();
        const std::array<std::string, 6> cells{
            m_number(g.at(wk::mean_km_before).get<double>(), 2),
            m_number(ma, 2),
            with_sign(g.at(wk::mean_km_change).get<double>(), 2, m_number),
            m_number(g.at(wk::population_beyond_before).get<double>(), 0),
            m_number(g.at(wk::population_beyond_after).get<double>(), 0),
            m_number(gm, 0)};
        m_html << "<tr><td>" << esc(name) << "</td>";
        m_md << "| " << name;
        for (const auto& c : cells) {
            m_html << "<td class=\"n\">" << esc(c) << "</td>";
            m_md << " | " << c;
        }
        m_html << "</tr>\n";
        m_md << " |\n";
        m_csv << "whatif_group_mean_km_after," << name << ',' << plain(ma, 4) << ",km\n"
              << "whatif_group_population_moved," << name << ',' << plain(gm, 0) << ",\n";
    }
    m_html << "</tbody></table>\n";
}

/// The communes most affected: the ten with the largest population × change of mean distance.
void WhatIfWriter::zones(std::vector<ChangedZone> zones) {
    std::stable_sort(zones.begin(), zones.end(), [](const ChangedZone& a, const ChangedZone& b) {
        return a.population * std::abs(a.delta) > b.population * std::abs(b.delta);
    });
    if (zones.size() > 10) {
        zones.resize(10);
    }
    const std::string before = m_t.before;
    const std::string after = m_t.after;
    const std::string change = m_t.change;
    m_html << "<h3>" << esc(m_t.zones_title) << "</h3>\n";
    m_md << "\n### " << m_t.zones_title << "\n\n";
    table_head(m_html, m_md, "whatif-zones-table",
               {m_t.commune, m_t.population, before + " (km)", after + " (km)", change + " (km)"},
               "|---|---:|---:|---:|---:|");
    for (const auto& z : zones) {
        const std::string dz = with_sign(z.delta, 2, m_number);
        m_html << "<tr><td>" << esc(z.name) << "</td><td class=\"n\">"
               << esc(m_number(z.population, 0)) << "</td><td class=\"n\">"
               << esc(m_number(z.before, 2)) << "</td><td class=\"n\">" << esc(m_number(z.after, 2))
               << "</td><td class=\"n\">" << esc(dz) << "</td></tr>\n";
        m_md << "| " << z.name << " | " << m_number(z.population, 0) << " | "
             << m_number(z.before, 2) << " | " << m_number(z.after, 2) << " | " << dz << " |\n";
    }
    m_html << "</tbody></table>\n";
}

/// How many cells the incremental computation recomputed.
void WhatIfWriter::incremental() {
    const auto& inc = m_w.at(wk::incremental);
    const double rec = inc.at(wk::cells_recomputed).get<double>();
    const double all = inc.at(wk::cells_total).get<double>();
    m_html << "<p class=\"hint\">" << esc(m_t.incremental) << m_sep << esc(m_number(rec, 0)) << ' '
           << esc(m_t.cells) << ' ' << esc(m_number(all, 0)) << ".</p>\n";
    m_md << "\n"
         << m_t.incremental << m_sep << m_number(rec, 0) << ' ' << m_t.cells << ' '
         << m_number(all, 0) << ".\n";
}

/// The scenario's sites as map markers: the closed or the opened ones of "changes".
std::vector<Marker> markers_of(const json& list) {
    std::vector<Marker> out;
    for (const auto& x : list) {
        const auto name = x.at(wk::name).get<std::string>();
        out.push_back({{x.at("lon").get<double>(), x.at("lat").get<double>()},
                       name.empty() ? x.at(wk::site_id).get<std::string>() : name,
                       0});
    }
    return out;
}

/// Every `id="` and `url(#` of an SVG prefixed, so that a second map in the page has ids of its
/// own.
std::string prefix_ids(std::string svg, const std::string& prefix) {
    for (const std::string from : {" id=\"", "url(#"}) {
        const std::string to = from + prefix;
        for (auto at = svg.find(from); at != std::string::npos;
             at = svg.find(from, at + to.size())) {
            svg.replace(at, from.size(), to);
        }
    }
    return svg;
}

/// The map after the changes: the zones by their mean distance after (whatif_zones'
/// mean_km_after; the baseline's for the zones that did not change), without the closed sites,
/// closed sites crossed out, opened sites as stars. The underserved areas are the baseline's:
/// not drawn.
std::string after_map_svg(const std::filesystem::path& run_dir, const json& w, double threshold_km,
                          bool french) {
    namespace fld = model::schema::whatif_zones;
    geo::GeosContext ctx;
    Run run = load_run(ctx, run_dir);
    std::map<std::string, double> after;
    auto layer = open_run_layer(run_dir, fld::layer, "whatif");
    for (auto& f : *layer.layer) {
        after[field_text(*f, fld::zone_id)] = field_double(*f, fld::mean_km_after);
    }
    for (auto& z : run.zones) {
        if (const auto it = after.find(z.id); it != after.end()) {
            z.mean_km = it->second;
        }
    }
    MapExtras extras;
    extras.underserved = false;
    extras.closed = markers_of(w.at(wk::changes).at(wk::closed));
    extras.opened = markers_of(w.at(wk::changes).at(wk::opened));
    std::set<std::string> closed_ids;
    for (const auto& x : w.at(wk::changes).at(wk::closed)) {
        closed_ids.insert(x.at(wk::site_id).get<std::string>());
    }
    std::erase_if(run.sites, [&](const Site& s) { return closed_ids.contains(s.id); });
    const auto proj = maps_projection(ctx, run);
    return prefix_ids(map_svg(ctx, run, proj, threshold_km, texts(french), french, extras),
                      "whatif-");
}

/// The map of the after-state, with its caption.
void WhatIfWriter::map(const std::filesystem::path& run_dir, double threshold_km, bool french) {
    const char* title = french ? "Carte après le scénario" : "Map after the scenario";
    const char* caption =
        french ? "Distance moyenne de chaque commune après les changements ; lieux fermés barrés, "
                 "lieux ouverts en étoile. Les zones mal desservies ne sont pas recalculées pour "
                 "le scénario : elles ne sont pas hachurées."
               : "Each zone's mean distance after the changes; closed sites crossed out, opened "
                 "sites as stars. The underserved areas are not recomputed for the scenario: they "
                 "are not hatched.";
    m_html << "<h3 id=\"whatif-map-title\">" << esc(title) << "</h3>\n<figure id=\"whatif-map\">"
           << after_map_svg(run_dir, m_w, threshold_km, french) << "<figcaption>" << esc(caption)
           << "</figcaption></figure>\n";
    m_md << "\n### " << title << "\n\n" << caption << " (index.html)\n";
}

} // namespace

std::optional<ReportSection> whatif_section(const std::filesystem::path& run_dir,
                                            const json& summary, bool french,
                                            const NumberFormat& number) {
    if (!summary.contains(key::whatif)) {
        return std::nullopt;
    }
    const double threshold_km =
        summary.at(key::parameters).at(key::params::threshold_km).get<double>();
    WhatIfWriter out(summary.at(key::whatif), threshold_km, french, number);
    out.changes();
    out.figures();
    out.map(run_dir, threshold_km, french);
    out.people();
    out.groups();
    out.zones(load_whatif_zones(run_dir));
    out.incremental();
    return out.section();
}

} // namespace maillage::report
