#include "sections.hpp"

#include "maillage/core/error.hpp"
#include "maillage/report/report.hpp"

#include "maillage/geo/geodesic.hpp"
#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <filesystem>
#include <fstream>
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
    html << "<ul id=\"changes\">\n";
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

/// The 20 most populated communes that changed (HTML only); a sentence when none did.
void write_changed(std::ostream& html, const ZoneChanges& zones, const Texts& t, bool fr) {
    if (zones.changed.empty()) {
        html << "<p id=\"changed-none\">"
             << (fr ? "Aucune commune dont la distance moyenne a changé de plus de 1 km."
                    : "No zone's mean distance changed by more than 1 km.")
             << "</p>\n";
        return;
    }
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

/// A key figure of a run's summary compared with the previous run's.
struct Compared {
    std::string key;
    std::string label;
    double before, after;
    int decimals;
    std::string unit;
};

/// The sites of a summary inside the study area (the border sites left out).
double sites_in_area(const json& s) {
    const double outside = s.contains(key::sites_outside_study_area)
                               ? s.at(key::sites_outside_study_area).get<double>()
                               : 0.0;
    return s.at(key::sites_count).get<double>() - outside;
}

/// A member of "underserved" (0 when a summary of an older version lacks it).
double underserved_figure(const json& s, const char* name) {
    const auto& u = s.at(key::underserved);
    return u.contains(name) ? u.at(name).get<double>() : 0.0;
}

std::vector<Compared> compared_figures(const json& now, const json& was, bool fr) {
    const std::string threshold =
        fmt(now.at(key::parameters).at(key::params::threshold_km).get<double>(), 0, fr) + " km";
    auto mean = [](const json& s) {
        return s.at(key::distance_km).at(key::distance::mean).get<double>();
    };
    auto beyond = [](const json& s) { return s.at(key::population_beyond).get<double>(); };
    return {
        {"mean_km", fr ? "Distance moyenne" : "Mean distance", mean(was), mean(now), 2, "km"},
        {"population_beyond", (fr ? "Population à plus de " : "Population beyond ") + threshold,
         beyond(was), beyond(now), 0, ""},
        {"underserved_area_km2", fr ? "Surface des zones mal desservies" : "Underserved area",
         underserved_figure(was, key::parts::area_km2),
         underserved_figure(now, key::parts::area_km2), 0, "km²"},
        {"underserved_population",
         fr ? "Population des zones mal desservies" : "Population of the underserved areas",
         underserved_figure(was, "population"), underserved_figure(now, "population"), 0, ""},
        {"sites_in_study_area", fr ? "Lieux dans la zone d'étude" : "Sites in the study area",
         sites_in_area(was), sites_in_area(now), 0, ""},
    };
}

/// "+1.5" for a rise, "−1.5" for a fall, "0" when it rounds to zero.
std::string signed_change(double v, int decimals, bool fr) {
    const double scale = std::pow(10.0, decimals);
    if (std::round(v * scale) == 0) {
        return fmt(0.0, decimals, fr);
    }
    return (v > 0 ? "+" : "") + fmt(v, decimals, fr);
}

/// The headline: the key figures before, after and their change.
void write_compared(std::ostream& html, std::ostream& md, std::ostream& csv,
                    const std::vector<Compared>& rows, const Texts& t, bool fr) {
    const std::string change = fr ? "écart" : "change";
    table_head(html, md, "compared-figures",
               {fr ? "Indicateur" : "Figure", t.before, t.after, change}, "|---|---:|---:|---:|");
    for (const auto& r : rows) {
        const std::string unit = r.unit.empty() ? "" : " " + r.unit;
        const std::string b = fmt(r.before, r.decimals, fr) + unit;
        const std::string a = fmt(r.after, r.decimals, fr) + unit;
        const std::string d = signed_change(r.after - r.before, r.decimals, fr) + unit;
        html << "<tr data-key=\"" << r.key << "\"><td>" << esc(r.label) << "</td>";
        number_cell(html, r.before, b);
        number_cell(html, r.after, a);
        number_cell(html, r.after - r.before, d);
        html << "</tr>\n";
        md << "| " << r.label << " | " << b << " | " << a << " | " << d << " |\n";
        csv << "previous_" << r.key << ",," << plain(r.before, 4) << ',' << r.unit << '\n';
    }
    html << "</tbody></table>\n";
    md << '\n';
}

/// The groups, with the previous run's mean distance and share beyond the threshold.
void write_groups(std::ostream& html, std::ostream& md, std::ostream& csv, const Run& previous,
                  const json& now, const std::vector<GroupRow>& groups, const Texts& t, bool fr) {
    const std::string mean = t.mean;
    // Each run's share beyond its own threshold (they may differ: changes_section says so).
    auto share = [&](const json& summary) {
        return std::string(t.share_beyond_km) + " " +
               fmt(summary.at(key::parameters).at(key::params::threshold_km).get<double>(), 0, fr) +
               " km";
    };
    table_head(html, md, "groups-compared",
               {t.group, mean + ", " + t.before, mean + ", " + t.after,
                share(previous.summary) + ", " + t.before, share(now) + ", " + t.after},
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
        html << "<tr><td data-code=\"" << esc(g.group) << "\">" << esc(g.name)
             << "</td><td class=\"n\">" << esc(fmt(was_mean, 1, fr)) << "</td><td class=\"n\">"
             << esc(fmt(g.mean_km, 1, fr)) << "</td><td class=\"n\">" << esc(fmt(was_share, 1, fr))
             << "</td><td class=\"n\">" << esc(fmt(g.share_pct, 1, fr)) << "</td></tr>\n";
        md << "| " << g.name << " | " << fmt(was_mean, 1, fr) << " | " << fmt(g.mean_km, 1, fr)
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
    html << "<h2 id=\"changes-title\">" << esc(t.changes) << "</h2>\n";
    md << "\n## " << t.changes << "\n\n";
    const auto threshold = [](const json& s) {
        return s.at(key::parameters).at(key::params::threshold_km).get<double>();
    };
    if (threshold(run.summary) != threshold(previous.summary)) {
        const std::string note = (fr ? "Attention : le run précédent avait un seuil de "
                                     : "Note: the previous run had a threshold of ") +
                                 fmt(threshold(previous.summary), 0, fr) + " km" +
                                 (fr ? ", celui-ci de " : ", this one ") +
                                 fmt(threshold(run.summary), 0, fr) +
                                 (fr ? " km ; les populations au-delà du seuil ne se comparent pas."
                                     : " km; the populations beyond the threshold do not compare.");
        html << "<p class=\"warning\" id=\"threshold-differs\">" << esc(note) << "</p>\n";
        md << "**" << note << "**\n\n";
    }
    write_compared(html, md, csv, compared_figures(run.summary, previous.summary, fr), t, fr);
    write_lists(html, md, sites, zones, t, fr);
    write_changed(html, zones, t, fr);
    write_groups(html, md, csv, previous, run.summary, groups, t, fr);
    return ReportSection{html.str(), md.str(), csv.str()};
}

} // namespace maillage::report

namespace maillage::report {

namespace {

/// run.json's started_utc in `dir`; empty when the folder has no readable run.json with one.
std::string started_of(const std::filesystem::path& dir) {
    std::ifstream in(dir / "run.json");
    if (!in) {
        return {};
    }
    const auto record = nlohmann::json::parse(in, nullptr, false);
    const char* started = model::schema::run_record::started_utc;
    if (record.is_discarded() || !record.is_object() || !record.contains(started) ||
        !record.at(started).is_string()) {
        return {};
    }
    return record.at(started).get<std::string>();
}

} // namespace

PreviousRun find_previous_run(const std::string& run_dir) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::path run = fs::weakly_canonical(fs::path(run_dir), ec);
    if (ec || !fs::is_directory(run)) {
        throw input_error("--previous auto: " + run_dir +
                          " is not a run folder; give the previous run with --previous DIR.");
    }
    const std::string own = started_of(run);
    if (own.empty()) {
        throw input_error("--previous auto: " + run_dir +
                          "/run.json is missing or has no started_utc, so the runs before it "
                          "cannot be told; give the previous run with --previous DIR.");
    }
    PreviousRun best;
    const fs::path parent = run.parent_path();
    // The folder chosen is named as the user named --run: "runs/2026-Q3" beside "runs/2026-Q4".
    fs::path as_given = fs::path(run_dir).lexically_normal();
    if (as_given.filename().empty()) {
        as_given = as_given.parent_path(); // "runs/2026-Q4/"
    }
    std::string best_name;
    for (const auto& entry : fs::directory_iterator(parent, ec)) {
        const fs::path& dir = entry.path();
        if (!entry.is_directory() || fs::equivalent(dir, run, ec) ||
            !fs::exists(dir / "summary.json")) {
            continue;
        }
        const std::string started = started_of(dir);
        if (started.empty()) {
            continue;
        }
        ++best.candidates;
        // ISO 8601 UTC times (YYYY-MM-DDTHH:MM:SSZ) order as text; ties by folder name.
        const bool later =
            started > best.started_utc || (started == best.started_utc && dir.string() > best.dir);
        if (started < own && later) {
            best.dir = (as_given.parent_path() / dir.filename()).string();
            best.started_utc = started;
            best_name = dir.filename().string();
        }
    }
    if (best.dir.empty()) {
        throw input_error(
            "--previous auto: no run started before " + run_dir + " (" + own + ") in " +
            (as_given.parent_path().empty() ? std::string(".") : as_given.parent_path().string()) +
            " (" + std::to_string(best.candidates) +
            " other folder(s) with a summary.json and a run.json). Give the "
            "previous run with --previous DIR, or omit --previous.");
    }
    return best;
}

} // namespace maillage::report
