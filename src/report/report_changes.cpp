#include "sections.hpp"

#include "maillage/geo/geodesic.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;

/// The sites opened, closed and moved (by more than 100 m) since the previous run, matched by id;
/// each by its name (its id when it has none), in the order of the ids.
struct SiteChanges {
    std::vector<std::string> opened, closed, moved;
};

std::map<std::string, const Site*> sites_by_id(const Run& run) {
    std::map<std::string, const Site*> out;
    for (const auto& x : run.sites) {
        out[x.id] = &x;
    }
    return out;
}

SiteChanges site_changes(const Run& run, const Run& previous) {
    const auto before = sites_by_id(previous);
    const auto after = sites_by_id(run);
    auto named = [](const std::string& id, const Site* x) {
        return x->name.empty() ? id : x->name;
    };
    SiteChanges out;
    for (const auto& [id, x] : after) {
        const auto it = before.find(id);
        if (it == before.end()) {
            out.opened.push_back(named(id, x));
        } else if (geo::geodesic_distance_m(it->second->position, x->position) > 100.0) {
            out.moved.push_back(named(id, x));
        }
    }
    for (const auto& [id, x] : before) {
        if (!after.contains(id)) {
            out.closed.push_back(named(id, x));
        }
    }
    return out;
}

/// The communes matched by id whose mean distance moved by more than 1 km: the population on
/// each side, and the communes (-population, name, before, after), the most populated first.
struct ZoneChanges {
    double pop_rose = 0.0;
    double pop_fell = 0.0;
    std::vector<std::tuple<double, std::string, double, double>> changed;
};

ZoneChanges zone_changes(const Run& run, const Run& previous) {
    std::map<std::string, const Zone*> before_zones;
    for (const auto& z : previous.zones) {
        before_zones[z.id] = &z;
    }
    ZoneChanges out;
    for (const auto& z : run.zones) {
        const auto it = before_zones.find(z.id);
        if (it == before_zones.end()) {
            continue;
        }
        const double delta = z.mean_km - it->second->mean_km;
        if (delta > 1.0) {
            out.pop_rose += z.population;
        } else if (delta < -1.0) {
            out.pop_fell += z.population;
        }
        if (std::abs(delta) > 1.0) {
            out.changed.emplace_back(-z.population, z.name, it->second->mean_km, z.mean_km);
        }
    }
    std::sort(out.changed.begin(), out.changed.end());
    return out;
}

/// The list of changes, in HTML and Markdown.
void write_lists(std::ostream& html, std::ostream& md, const SiteChanges& sites,
                 const ZoneChanges& zones, const Texts& t, bool fr) {
    const std::array<std::pair<const char*, const std::vector<std::string>*>, 3> lists{
        {{t.opened, &sites.opened}, {t.closed, &sites.closed}, {t.moved, &sites.moved}}};
    html << "<h2>" << esc(t.changes) << "</h2>\n<ul id=\"changes\">\n";
    md << "\n## " << t.changes << "\n\n";
    for (const auto& [label, names] : lists) {
        const std::string text = list_names(*names, names->size());
        html << "<li>" << esc(label) << " (" << names->size() << ") : " << esc(text) << "</li>\n";
        md << "- " << label << " (" << names->size() << ") : " << text << '\n';
    }
    html << "<li>" << esc(t.rose) << " : " << esc(fmt(zones.pop_rose, 0, fr)) << "</li>\n<li>"
         << esc(t.fell) << " : " << esc(fmt(zones.pop_fell, 0, fr)) << "</li>\n</ul>\n";
    md << "- " << t.rose << " : " << fmt(zones.pop_rose, 0, fr) << "\n- " << t.fell << " : "
       << fmt(zones.pop_fell, 0, fr) << "\n\n";
}

/// The 20 most populated communes that changed (HTML only).
void write_changed(std::ostream& html, const ZoneChanges& zones, const Texts& t, bool fr) {
    const std::string before = t.before;
    const std::string after = t.after;
    html_table_head(html, "changed", {t.commune, t.population, before + " (km)", after + " (km)"});
    for (std::size_t i = 0; i < zones.changed.size() && i < 20; ++i) {
        const auto& [neg, name, was, now] = zones.changed[i];
        html << "<tr><td>" << esc(name) << "</td>";
        number_cell(html, -neg, fmt(-neg, 0, fr));
        number_cell(html, was, fmt(was, 1, fr));
        number_cell(html, now, fmt(now, 1, fr));
        html << "</tr>\n";
    }
    html << "</tbody></table>\n";
}

/// The groups, with the previous run's mean distance and share beyond the threshold.
void write_groups(std::ostream& html, std::ostream& md, std::ostream& csv, const Run& previous,
                  const std::vector<GroupRow>& groups, const Texts& t, bool fr) {
    const std::string mean = t.mean;
    const std::string share = t.share_beyond;
    table_head(html, md, "groups-compared",
               {t.group, mean + ", " + t.before, mean + ", " + t.after, share + ", " + t.before,
                share + ", " + t.after},
               "|---|---:|---:|---:|---:|");
    std::map<std::string, json> before_groups;
    for (const auto& g : previous.summary.at(key::by_group)) {
        before_groups[g.at(key::group::group).get<std::string>()] = g;
    }
    for (const auto& g : groups) {
        const auto it = before_groups.find(g.group);
        const bool known = it != before_groups.end();
        const double was_mean = known ? it->second.at(key::group::mean_km).get<double>() : NAN;
        const double was_share =
            known ? 100.0 * it->second.at(key::group::share_beyond).get<double>() : NAN;
        html << "<tr><td>" << esc(g.group) << "</td><td class=\"n\">" << esc(fmt(was_mean, 1, fr))
             << "</td><td class=\"n\">" << esc(fmt(g.mean_km, 1, fr)) << "</td><td class=\"n\">"
             << esc(fmt(was_share, 1, fr)) << "</td><td class=\"n\">"
             << esc(fmt(g.share_pct, 1, fr)) << "</td></tr>\n";
        md << "| " << g.group << " | " << fmt(was_mean, 1, fr) << " | " << fmt(g.mean_km, 1, fr)
           << " | " << fmt(was_share, 1, fr) << " | " << fmt(g.share_pct, 1, fr) << " |\n";
        csv << "group_mean_km_previous," << g.group << ',' << plain(was_mean, 4) << ",km\n";
    }
    html << "</tbody></table>\n";
}

} // namespace

ReportSection changes_section(const Run& run, const Run& previous,
                              const std::vector<GroupRow>& groups, const Texts& t, bool fr) {
    const auto sites = site_changes(run, previous);
    const auto zones = zone_changes(run, previous);
    std::ostringstream html;
    std::ostringstream md;
    std::ostringstream csv;
    csv << "sites_opened,," << sites.opened.size() << ",\nsites_closed,," << sites.closed.size()
        << ",\nsites_moved,," << sites.moved.size() << ",\npopulation_mean_km_rose_1km,,"
        << plain(zones.pop_rose, 0) << ",\npopulation_mean_km_fell_1km,,"
        << plain(zones.pop_fell, 0) << ",\n";
    write_lists(html, md, sites, zones, t, fr);
    write_changed(html, zones, t, fr);
    write_groups(html, md, csv, previous, groups, t, fr);
    return ReportSection{html.str(), md.str(), csv.str()};
}

} // namespace maillage::report
