#include "sections.hpp"

#include "maillage/model/schema.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>
#include <tuple>
#include <vector>

namespace maillage::report {

namespace {

using nlohmann::json;
namespace key = model::schema::summary;

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

} // namespace

std::optional<ReportSection> whatif_section(const std::filesystem::path& run_dir,
                                            const json& summary, bool french,
                                            const NumberFormat& number) {
    if (!summary.contains(key::whatif)) {
        return std::nullopt;
    }
    const auto& w = summary.at(key::whatif);
    const Words& t = french ? fr_words : en_words;
    const double total = w.at("population_total").get<double>();
    const double threshold_km =
        summary.at(key::parameters).at(key::params::threshold_km).get<double>();
    ReportSection out;
    std::ostringstream html;
    std::ostringstream md;
    std::ostringstream csv;

    // The changes.
    auto names = [](const json& list) {
        std::string s;
        for (std::size_t i = 0; i < list.size() && i < 20; ++i) {
            const auto& x = list[i];
            const auto name = x.at("name").get<std::string>();
            s += (i == 0 ? "" : ", ") + (name.empty() ? x.at("site_id").get<std::string>() : name);
        }
        if (list.size() > 20) {
            s += ", …";
        }
        return s.empty() ? std::string("—") : s;
    };
    const auto& closed = w.at("changes").at("closed");
    const auto& opened = w.at("changes").at("opened");
    const std::string sep = french ? " : " : ": ";
    html << "<h2 id=\"whatif\">" << esc(t.title) << "</h2>\n<ul id=\"whatif-changes\">\n<li>"
         << esc(t.closed) << " (" << closed.size() << ")" << sep << esc(names(closed))
         << "</li>\n<li>" << esc(t.opened) << " (" << opened.size() << ")" << sep
         << esc(names(opened)) << "</li>\n</ul>\n";
    md << "\n## " << t.title << "\n\n- " << t.closed << " (" << closed.size() << ")" << sep
       << names(closed) << "\n- " << t.opened << " (" << opened.size() << ")" << sep
       << names(opened) << "\n\n";

    // Before, after, change.
    const auto& d = w.at("distance_km");
    const auto& pb = w.at("population_beyond");
    const auto& sc = w.at("sites_count");
    struct Row {
        std::string key;
        std::string label;
        double before, after;
        int decimals;
    };
    const std::string beyond_label =
        std::string(t.beyond) + " (" + number(threshold_km, 0) + " km)";
    const std::vector<Row> rows{
        {"mean_km", t.mean, d.at("before").at("mean").get<double>(),
         d.at("after").at("mean").get<double>(), 2},
        {"p90_km", t.p90, d.at("before").at("p90").get<double>(),
         d.at("after").at("p90").get<double>(), 2},
        {"population_beyond", beyond_label, pb.at("before").get<double>(),
         pb.at("after").get<double>(), 0},
        {"sites_count", t.sites, sc.at("before").get<double>(), sc.at("after").get<double>(), 0},
    };
    html << "<table id=\"whatif-figures\">\n<thead><tr><th>" << esc(t.figure) << "</th><th>"
         << esc(t.before) << "</th><th>" << esc(t.after) << "</th><th>" << esc(t.change)
         << "</th></tr></thead>\n<tbody>\n";
    md << "| " << t.figure << " | " << t.before << " | " << t.after << " | " << t.change
       << " |\n|---|---:|---:|---:|\n";
    for (const auto& r : rows) {
        const double delta = r.after - r.before;
        const std::string signed_delta = with_sign(delta, r.decimals, number);
        html << "<tr data-key=\"" << r.key << "\"><td>" << esc(r.label) << "</td><td class=\"n\">"
             << esc(number(r.before, r.decimals)) << "</td><td class=\"n\">"
             << esc(number(r.after, r.decimals)) << "</td><td class=\"n\">" << esc(signed_delta)
             << "</td></tr>\n";
        md << "| " << r.label << " | " << number(r.before, r.decimals) << " | "
           << number(r.after, r.decimals) << " | " << signed_delta << " |\n";
        const bool km = r.key.size() > 3 && r.key.compare(r.key.size() - 3, 3, "_km") == 0;
        const std::string unit = km ? "km" : "";
        csv << "whatif_" << r.key << "_before,," << plain(r.before, 4) << ',' << unit << '\n'
            << "whatif_" << r.key << "_after,," << plain(r.after, 4) << ',' << unit << '\n';
    }
    html << "</tbody></table>\n";

    // Who is affected.
    const double moved = w.at("population_moved").get<double>();
    const double newly = w.at("population_newly_beyond").get<double>();
    const double back = w.at("population_back_within").get<double>();
    const std::string share = total > 0 ? number(100.0 * moved / total, 1) + " %" : "—";
    html << "<ul id=\"whatif-people\">\n<li data-key=\"population_moved\">" << esc(t.moved) << sep
         << esc(number(moved, 0)) << " (" << esc(share) << ")</li>\n"
         << "<li data-key=\"population_newly_beyond\">" << esc(t.newly) << sep
         << esc(number(newly, 0)) << "</li>\n<li data-key=\"population_back_within\">"
         << esc(t.back) << sep << esc(number(back, 0)) << "</li>\n</ul>\n";
    md << "\n- " << t.moved << sep << number(moved, 0) << " (" << share << ")\n- " << t.newly << sep
       << number(newly, 0) << "\n- " << t.back << sep << number(back, 0) << "\n\n";
    csv << "whatif_population_moved,," << plain(moved, 0) << ",\n"
        << "whatif_population_newly_beyond,," << plain(newly, 0) << ",\n"
        << "whatif_population_back_within,," << plain(back, 0) << ",\n"
        << "whatif_sites_closed,," << closed.size() << ",\nwhatif_sites_opened,," << opened.size()
        << ",\n";

    // The groups that changed.
    html << "<table id=\"whatif-groups\">\n<thead><tr><th>" << esc(t.group) << "</th><th>"
         << esc(t.mean) << ", " << esc(t.before) << "</th><th>" << esc(t.mean) << ", "
         << esc(t.after) << "</th><th>" << esc(t.change) << "</th><th>" << esc(beyond_label) << ", "
         << esc(t.before) << "</th><th>" << esc(beyond_label) << ", " << esc(t.after) << "</th><th>"
         << esc(t.moved) << "</th></tr></thead>\n<tbody>\n";
    md << "| " << t.group << " | " << t.mean << ", " << t.before << " | " << t.mean << ", "
       << t.after << " | " << t.change << " | " << beyond_label << ", " << t.before << " | "
       << beyond_label << ", " << t.after << " | " << t.moved
       << " |\n|---|---:|---:|---:|---:|---:|---:|\n";
    for (const auto& g : w.at("by_group")) {
        if (g.at("zones_changed").get<double>() == 0) {
            continue;
        }
        const auto name = g.at("group").get<std::string>();
        const double mb = g.at("mean_km_before").get<double>();
        const double ma = g.at("mean_km_after").get<double>();
        const double mc = g.at("mean_km_change").get<double>();
        const double bb = g.at("population_beyond_before").get<double>();
        const double ba = g.at("population_beyond_after").get<double>();
        const double gm = g.at("population_moved").get<double>();
        const std::string mcs = with_sign(mc, 2, number);
        html << "<tr><td>" << esc(name) << "</td><td class=\"n\">" << esc(number(mb, 2))
             << "</td><td class=\"n\">" << esc(number(ma, 2)) << "</td><td class=\"n\">" << esc(mcs)
             << "</td><td class=\"n\">" << esc(number(bb, 0)) << "</td><td class=\"n\">"
             << esc(number(ba, 0)) << "</td><td class=\"n\">" << esc(number(gm, 0))
             << "</td></tr>\n";
        md << "| " << name << " | " << number(mb, 2) << " | " << number(ma, 2) << " | " << mcs
           << " | " << number(bb, 0) << " | " << number(ba, 0) << " | " << number(gm, 0) << " |\n";
        csv << "whatif_group_mean_km_after," << name << ',' << plain(ma, 4) << ",km\n"
            << "whatif_group_population_moved," << name << ',' << plain(gm, 0) << ",\n";
    }
    html << "</tbody></table>\n";

    // The communes most affected.
    auto zones = load_whatif_zones(run_dir);
    std::stable_sort(zones.begin(), zones.end(), [](const ChangedZone& a, const ChangedZone& b) {
        return a.population * std::abs(a.delta) > b.population * std::abs(b.delta);
    });
    if (zones.size() > 10) {
        zones.resize(10);
    }
    html << "<h3>" << esc(t.zones_title) << "</h3>\n<table id=\"whatif-zones\">\n<thead><tr><th>"
         << esc(t.commune) << "</th><th>" << esc(t.population) << "</th><th>" << esc(t.before)
         << " (km)</th><th>" << esc(t.after) << " (km)</th><th>" << esc(t.change)
         << " (km)</th></tr></thead>\n<tbody>\n";
    md << "\n### " << t.zones_title << "\n\n| " << t.commune << " | " << t.population << " | "
       << t.before << " (km) | " << t.after << " (km) | " << t.change
       << " (km) |\n|---|---:|---:|---:|---:|\n";
    for (const auto& z : zones) {
        const std::string dz = with_sign(z.delta, 2, number);
        html << "<tr><td>" << esc(z.name) << "</td><td class=\"n\">" << esc(number(z.population, 0))
             << "</td><td class=\"n\">" << esc(number(z.before, 2)) << "</td><td class=\"n\">"
             << esc(number(z.after, 2)) << "</td><td class=\"n\">" << esc(dz) << "</td></tr>\n";
        md << "| " << z.name << " | " << number(z.population, 0) << " | " << number(z.before, 2)
           << " | " << number(z.after, 2) << " | " << dz << " |\n";
    }
    html << "</tbody></table>\n";

    const auto& inc = w.at("incremental");
    const double rec = inc.at("cells_recomputed").get<double>();
    const double all = inc.at("cells_total").get<double>();
    html << "<p class=\"hint\">" << esc(t.incremental) << sep << esc(number(rec, 0)) << ' '
         << esc(t.cells) << ' ' << esc(number(all, 0)) << ".</p>\n";
    md << "\n"
       << t.incremental << sep << number(rec, 0) << ' ' << t.cells << ' ' << number(all, 0)
       << ".\n";
    out.html = html.str();
    out.md = md.str();
    out.csv = csv.str();
    return out;
}

} // namespace maillage::report
