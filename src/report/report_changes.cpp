#include "sections.hpp"

#include "maillage/geo/geodesic.hpp"
#include "maillage/model/schema.hpp"

#include <cmath>
#include <map>
#include <sstream>
#include <tuple>

namespace maillage::report {

namespace {
using nlohmann::json;
namespace key = model::schema::summary;
} // namespace

ReportSection changes_section(const Run& run, const Run& previous,
                              const std::vector<GroupRow>& groups, const Texts& t, bool fr) {
    std::ostringstream md;
    std::ostringstream csv;
    // Sites matched by id.
    std::map<std::string, const Site*> before_sites;
    std::map<std::string, const Site*> after_sites;
    for (const auto& x : previous.sites) {
        before_sites[x.id] = &x;
    }
    for (const auto& x : run.sites) {
        after_sites[x.id] = &x;
    }
    std::vector<std::string> opened;
    std::vector<std::string> closed;
    std::vector<std::string> moved;
    for (const auto& [id, x] : after_sites) {
        const auto it = before_sites.find(id);
        if (it == before_sites.end()) {
            opened.push_back(x->name.empty() ? id : x->name);
        } else if (geo::geodesic_distance_m(it->second->position, x->position) > 100.0) {
            moved.push_back(x->name.empty() ? id : x->name);
        }
    }
    for (const auto& [id, x] : before_sites) {
        if (!after_sites.contains(id)) {
            closed.push_back(x->name.empty() ? id : x->name);
        }
    }
    // Communes matched by id: those whose mean distance moved by more than 1 km.
    std::map<std::string, const Zone*> before_zones;
    for (const auto& z : previous.zones) {
        before_zones[z.id] = &z;
    }
    double pop_rose = 0.0;
    double pop_fell = 0.0;
    std::vector<std::tuple<double, std::string, double, double>> changed;
    for (const auto& z : run.zones) {
        const auto it = before_zones.find(z.id);
        if (it == before_zones.end()) {
            continue;
        }
        const double delta = z.mean_km - it->second->mean_km;
        if (delta > 1.0) {
            pop_rose += z.population;
        } else if (delta < -1.0) {
            pop_fell += z.population;
        }
        if (std::abs(delta) > 1.0) {
            changed.emplace_back(-z.population, z.name, it->second->mean_km, z.mean_km);
        }
    }
    std::sort(changed.begin(), changed.end());
    csv << "sites_opened,," << opened.size() << ",\nsites_closed,," << closed.size()
        << ",\nsites_moved,," << moved.size() << ",\npopulation_mean_km_rose_1km,,"
        << plain(pop_rose, 0) << ",\npopulation_mean_km_fell_1km,," << plain(pop_fell, 0) << ",\n";
    auto names = [](const std::vector<std::string>& v) {
        std::string out;
        for (std::size_t i = 0; i < v.size() && i < 20; ++i) {
            out += (i == 0 ? "" : ", ") + v[i];
        }
        if (v.size() > 20) {
            out += ", …";
        }
        return out.empty() ? std::string("—") : out;
    };
    std::ostringstream c;
    c << "<h2>" << esc(t.changes) << "</h2>\n<ul id=\"changes\">\n<li>" << esc(t.opened) << " ("
      << opened.size() << ") : " << esc(names(opened)) << "</li>\n<li>" << esc(t.closed) << " ("
      << closed.size() << ") : " << esc(names(closed)) << "</li>\n<li>" << esc(t.moved) << " ("
      << moved.size() << ") : " << esc(names(moved)) << "</li>\n<li>" << esc(t.rose) << " : "
      << esc(fmt(pop_rose, 0, fr)) << "</li>\n<li>" << esc(t.fell) << " : "
      << esc(fmt(pop_fell, 0, fr)) << "</li>\n</ul>\n<table id=\"changed\">\n<thead><tr><th>"
      << esc(t.commune) << "</th><th>" << esc(t.population) << "</th><th>" << esc(t.before)
      << " (km)</th><th>" << esc(t.after) << " (km)</th></tr></thead>\n<tbody>\n";
    for (std::size_t i = 0; i < changed.size() && i < 20; ++i) {
        const auto& [neg, name, was, now] = changed[i];
        c << "<tr><td>" << esc(name) << "</td><td class=\"n\" data-v=\"" << -neg << "\">"
          << esc(fmt(-neg, 0, fr)) << "</td><td class=\"n\" data-v=\"" << was << "\">"
          << esc(fmt(was, 1, fr)) << "</td><td class=\"n\" data-v=\"" << now << "\">"
          << esc(fmt(now, 1, fr)) << "</td></tr>\n";
    }
    c << "</tbody></table>\n<table id=\"groups-compared\">\n<thead><tr><th>" << esc(t.group)
      << "</th><th>" << esc(t.mean) << ", " << esc(t.before) << "</th><th>" << esc(t.mean) << ", "
      << esc(t.after) << "</th><th>" << esc(t.share_beyond) << ", " << esc(t.before) << "</th><th>"
      << esc(t.share_beyond) << ", " << esc(t.after) << "</th></tr></thead>\n<tbody>\n";
    std::map<std::string, json> before_groups;
    for (const auto& g : previous.summary.at(key::by_group)) {
        before_groups[g.at("group").get<std::string>()] = g;
    }
    md << "\n## " << t.changes << "\n\n- " << t.opened << " (" << opened.size()
       << ") : " << names(opened) << "\n- " << t.closed << " (" << closed.size()
       << ") : " << names(closed) << "\n- " << t.moved << " (" << moved.size()
       << ") : " << names(moved) << "\n- " << t.rose << " : " << fmt(pop_rose, 0, fr) << "\n- "
       << t.fell << " : " << fmt(pop_fell, 0, fr) << "\n\n| " << t.group << " | " << t.mean << ", "
       << t.before << " | " << t.mean << ", " << t.after << " | " << t.share_beyond << ", "
       << t.before << " | " << t.share_beyond << ", " << t.after
       << " |\n|---|---:|---:|---:|---:|\n";
    for (const auto& g : groups) {
        const auto it = before_groups.find(g.group);
        const double was_mean =
            it != before_groups.end() ? it->second.at("mean_km").get<double>() : NAN;
        const double was_share =
            it != before_groups.end() ? 100.0 * it->second.at("share_beyond").get<double>() : NAN;
        c << "<tr><td>" << esc(g.group) << "</td><td class=\"n\">" << esc(fmt(was_mean, 1, fr))
          << "</td><td class=\"n\">" << esc(fmt(g.mean_km, 1, fr)) << "</td><td class=\"n\">"
          << esc(fmt(was_share, 1, fr)) << "</td><td class=\"n\">" << esc(fmt(g.share_pct, 1, fr))
          << "</td></tr>\n";
        md << "| " << g.group << " | " << fmt(was_mean, 1, fr) << " | " << fmt(g.mean_km, 1, fr)
           << " | " << fmt(was_share, 1, fr) << " | " << fmt(g.share_pct, 1, fr) << " |\n";
        csv << "group_mean_km_previous," << g.group << ',' << plain(was_mean, 4) << ",km\n";
    }
    c << "</tbody></table>\n";
    return ReportSection{c.str(), md.str(), csv.str()};
}

} // namespace maillage::report
