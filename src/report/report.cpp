#include "maillage/report/report.hpp"

#include "run.hpp"
#include "sections.hpp"
#include "svg.hpp"
#include "texts.hpp"

#include "maillage/core/error.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/io/checksum.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/group_names.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/model/schema.hpp"
#include "maillage/output/files.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

namespace maillage::report {
namespace {

using nlohmann::json;
namespace key = model::schema::summary;

/// A key figure of the page.
struct Figure {
    std::string key;
    std::string label;
    double value;
    int decimals;
    std::string unit;
};

std::vector<Figure> key_figures(const json& s, const Texts& t, const std::string& km) {
    const auto& d = s.at(key::distance_km);
    const double population = s.at(key::population_total).get<double>();
    // Sites: those of the study area, and those across its edge that the run took into account.
    const double sites_outside = s.contains(key::sites_outside_study_area)
                                     ? s.at(key::sites_outside_study_area).get<double>()
                                     : 0;
    const double sites_in_area = s.at(key::sites_count).get<double>() - sites_outside;
    const auto& u = s.at(key::underserved);
    std::vector<Figure> figures{
        {"population_total", t.population, population, 0, ""},
        {"sites_in_study_area", t.sites_in_area, sites_in_area, 0, ""},
        {"mean_km", t.mean, d.at(key::distance::mean).get<double>(), 1, "km"},
        {"p50_km", t.median, d.at(key::distance::p50).get<double>(), 1, "km"},
        {"p90_km", t.p90, d.at(key::distance::p90).get<double>(), 1, "km"},
        {"population_beyond", std::string(t.beyond_km) + " " + km,
         s.at(key::population_beyond).get<double>(), 0, ""},
        {"share_beyond_pct", std::string(t.share_beyond_km) + " " + km,
         100.0 * s.at(key::share_beyond).get<double>(), 1, "%"},
        {"underserved_parts", t.underserved_areas, u.at(key::parts::parts).get<double>(), 0, ""},
        {"underserved_area_km2", std::string(t.area) + " — " + t.underserved_areas,
         u.at(key::parts::area_km2).get<double>(), 0, "km²"},
    };
    if (sites_outside > 0) {
        figures.insert(figures.begin() + 2, {"border_sites", t.border_sites, sites_outside, 0, ""});
    }
    return figures;
}

/// The ten most populated underserved areas.
std::vector<const Part*> top_parts(const Run& run) {
    std::vector<const Part*> top;
    for (const auto& p : run.parts) {
        top.push_back(&p);
    }
    std::stable_sort(top.begin(), top.end(),
                     [](const Part* a, const Part* b) { return a->population > b->population; });
    if (top.size() > 10) {
        top.resize(10);
    }
    return top;
}

/// The communes of an area, the first eight.
std::string commune_names(const Part& p) {
    std::string names;
    for (std::size_t j = 0; j < p.communes.size() && j < 8; ++j) {
        names += (j == 0 ? "" : ", ") + p.communes[j];
    }
    if (p.communes.size() > 8) {
        names += ", …";
    }
    return names;
}

/// What the page shows, made before it is written.
struct Page {
    const json& summary;
    const Texts& t;
    bool fr;
    std::string lang;
    std::vector<Figure> key{};
    std::vector<GroupRow> groups{};
    std::vector<const Part*> top{};
    std::string title{};    ///< the page's title (--title, else from the data)
    std::string km{};       ///< the threshold in words: "20 km"
    std::string by_group{}; ///< the groups' section title; empty: no group, no section
    std::string group{};    ///< the groups' column heading
    std::vector<std::string> limits{};
    std::vector<std::string> sources{}; ///< per input file: source, vintage, licence
    bool names_used = false;            ///< a group was named from --group-names
    std::string border_files{};         ///< ", FILE" per border-sites file
    std::string map{};
    std::string curve{};
};

/// figures.csv: every figure of the main page.
std::string figures_csv(const Page& p) {
    std::ostringstream csv;
    csv << "figure,group,value,unit\n";
    for (const auto& k : p.key) {
        csv << k.key << ",," << plain(k.value, 4) << ',' << k.unit << '\n';
    }
    for (const auto& g : p.groups) {
        csv << "group_population," << g.group << ',' << plain(g.population, 0) << ",\n"
            << "group_sites," << g.group << ',' << plain(g.sites, 0) << ",\n"
            << "group_sites_per_100k," << g.group << ',' << plain(g.per_100k, 4) << ",\n"
            << "group_mean_km," << g.group << ',' << plain(g.mean_km, 4) << ",km\n"
            << "group_share_beyond_pct," << g.group << ',' << plain(g.share_pct, 4) << ",%\n";
    }
    for (const auto& c : p.summary.at(key::coverage_curve)) {
        csv << "coverage_within_km," << c.at(key::curve::km).get<int>() << ','
            << plain(100.0 * c.at(key::curve::share).get<double>(), 4) << ",%\n";
    }
    for (std::size_t i = 0; i < p.top.size(); ++i) {
        csv << "underserved_top_population," << i + 1 << ',' << plain(p.top[i]->population, 0)
            << ",\n";
    }
    return csv.str();
}

/// The source line: zones and sites files, maillage's version.
std::string source_line(const Page& p) {
    const auto& params = p.summary.at(key::parameters);
    return params.at(key::params::zones).get<std::string>() + ", " +
           params.at(key::params::sites).get<std::string>() + p.border_files;
}

/// The groups' table's headings.
std::vector<std::string> group_headings(const Page& p) {
    const auto& t = p.t;
    return {p.group,
            t.population,
            t.sites,
            t.sites_per_100k,
            std::string(t.mean) + " (km)",
            std::string(t.share_beyond_km) + " " + p.km + " (%)"};
}

/// report.md up to the optional sections: title, key figures, maps, groups, top areas.
std::string report_md(const Page& p) {
    const auto& t = p.t;
    const bool fr = p.fr;
    std::ostringstream md;
    md << "# " << p.title << "\n\n" << t.subtitle << "\n\n## " << t.key_figures << "\n\n";
    for (const auto& k : p.key) {
        md << "- " << k.label << " : " << fmt(k.value, k.decimals, fr)
           << (k.unit.empty() ? "" : " ") << k.unit << '\n';
    }
    md << "\n![" << t.map_title << "](map.svg)\n\n![" << t.curve_title << "](coverage.svg)\n";
    if (!p.by_group.empty()) {
        md << "\n## " << p.by_group << "\n\n|";
        for (const auto& h : group_headings(p)) {
            md << ' ' << h << " |";
        }
        md << "\n|---|---:|---:|---:|---:|---:|\n";
        for (const auto& g : p.groups) {
            md << "| " << g.name << " | " << fmt(g.population, 0, fr) << " | "
               << fmt(g.sites, 0, fr) << " | " << fmt(g.per_100k, 1, fr) << " | "
               << fmt(g.mean_km, 1, fr) << " | " << fmt(g.share_pct, 1, fr) << " |\n";
        }
    }
    md << "\n## " << t.top_areas << "\n\n| # | " << t.inhabitants << " | " << t.area << " (km²) | "
       << t.communes << " |\n|---:|---:|---:|---|\n";
    for (std::size_t i = 0; i < p.top.size(); ++i) {
        md << "| " << i + 1 << " | " << fmt(p.top[i]->population, 0, fr) << " | "
           << fmt(p.top[i]->area_km2, 0, fr) << " | " << commune_names(*p.top[i]) << " |\n";
    }
    return md.str();
}

/// report.md after the optional sections: the limits and the sources.
std::string report_md_footer(const Page& p) {
    const auto& t = p.t;
    std::ostringstream md;
    md << "\n## " << t.limits << "\n\n";
    for (const auto& l : p.limits) {
        md << "- " << l << "\n";
    }
    md << "\n## " << t.sources << "\n\n";
    for (const auto& l : p.sources) {
        md << "- " << l << "\n";
    }
    md << "\n"
       << t.source << " " << source_line(p) << " (maillage "
       << p.summary.at(key::version).get<std::string>() << ").\n";
    return md.str();
}

/// The page's style: on screen, and on paper (A4, no heading alone at the foot of a page, no
/// figure, map or table row cut in two).
constexpr const char* page_style =
    "body{font-family:sans-serif;max-width:960px;margin:2em auto;color:#222;line-height:1.4}"
    "h1{margin-bottom:0;font-size:1.7em}.sub{color:#555;margin-top:.2em}"
    ".figures{display:grid;grid-template-columns:repeat(3,1fr);gap:12px}"
    ".figure{background:#f4f4f4;padding:10px;border-radius:6px}"
    ".figure b{display:block;font-size:1.5em}"
    "table{border-collapse:collapse;width:100%}th,td{padding:4px 8px;border-bottom:1px "
    "solid #ddd}"
    "th{cursor:pointer;background:#eee;text-align:left}td.n{text-align:right}"
    "svg{max-width:100%;height:auto}.hint{color:#777;font-size:.9em}"
    ".smalls{display:grid;grid-template-columns:repeat(3,1fr);gap:8px}"
    "figure{margin:0;text-align:center}figcaption{font-size:.9em;color:#444}"
    ".swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;border-radius:2px;"
    "vertical-align:middle}.swatch.circle{border-radius:50%}"
    ".swatch.triangle{clip-path:polygon(50% 0,100% 100%,0 100%)}"
    ".swatch.diamond{transform:rotate(45deg) scale(.8)}"
    ".limits{border:1px solid #c9b458;background:#fdf8e4;border-radius:6px;padding:.2em 1em;"
    "margin-top:2em}.limits h2{margin-top:.5em}"
    "footer{margin-top:2em;border-top:2px solid #ccc;font-size:.9em;color:#444}"
    "@page{size:A4;margin:14mm 12mm}"
    "@media print{body{max-width:none;margin:0;font-size:10pt}"
    "h1,h2,h3,h2+p{break-after:avoid;page-break-after:avoid}"
    "figure,svg,table,tr,.figure,.figures,.limits,.smalls>figure,footer li"
    "{break-inside:avoid;page-break-inside:avoid}"
    "thead{display:table-header-group}th{cursor:auto}.hint.sort{display:none}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    // The title, the key figures and the map on the first page.
    ".figures{grid-template-columns:repeat(5,1fr);gap:4px}.figure{padding:4px 6px;font-size:8pt}"
    ".figure b{font-size:11pt}.map "
    "svg{width:100%;max-height:150mm}h1{font-size:17pt}h2{font-size:13pt}"
    ".smalls{grid-template-columns:repeat(4,1fr)}}\n";

/// index.html up to the map: head, style, title and key figures.
void html_head(std::ostringstream& html, const Page& p) {
    const auto& t = p.t;
    html << "<!DOCTYPE html>\n<html lang=\"" << p.lang
         << "\">\n<head>\n<meta charset=\"utf-8\">\n<title>" << esc(p.title)
         << "</title>\n<style>\n"
         << page_style << "</style>\n</head>\n<body>\n<h1>" << esc(p.title)
         << "</h1>\n<p class=\"sub\">" << esc(t.subtitle) << "</p>\n<h2>" << esc(t.key_figures)
         << "</h2>\n<div class=\"figures\">\n";
    for (const auto& k : p.key) {
        html << "<div class=\"figure\" data-key=\"" << k.key << "\"><b>"
             << esc(fmt(k.value, k.decimals, p.fr)) << (k.unit.empty() ? "" : " ") << esc(k.unit)
             << "</b>" << esc(k.label) << "</div>\n";
    }
}

/// index.html: the groups' table and their small maps, when the zones have groups.
void html_groups(std::ostringstream& html, const Page& p, const geo::GeosContext& ctx,
                 const Run& run, double threshold_km) {
    const auto& t = p.t;
    const bool fr = p.fr;
    html << "<h2 id=\"by-group\">" << esc(p.by_group) << "</h2>\n<p class=\"hint sort\">"
         << esc(t.sort_hint) << "</p>\n";
    html_table_head(html, "groups-table", group_headings(p));
    for (const auto& g : p.groups) {
        html << "<tr><td data-code=\"" << esc(g.group) << "\">" << esc(g.name) << "</td>";
        number_cell(html, g.population, fmt(g.population, 0, fr));
        number_cell(html, g.sites, fmt(g.sites, 0, fr));
        number_cell(html, g.per_100k, fmt(g.per_100k, 1, fr));
        number_cell(html, g.mean_km, fmt(g.mean_km, 1, fr));
        number_cell(html, g.share_pct, fmt(g.share_pct, 1, fr));
        html << "</tr>\n";
    }
    html << "</tbody></table>\n<div class=\"smalls\">\n";
    for (const auto& g : p.groups) {
        const auto small = small_map_svg(ctx, run, g.group, threshold_km);
        if (!small.empty()) {
            html << "<figure>" << small << "<figcaption>" << esc(g.name) << " — "
                 << esc(fmt(g.mean_km, 1, fr)) << " km</figcaption></figure>\n";
        }
    }
    html << "</div>\n";
}

/// index.html: the map, the curve, the groups and the top areas.
void html_body(std::ostringstream& html, const Page& p, const geo::GeosContext& ctx, const Run& run,
               double threshold_km) {
    const auto& t = p.t;
    const bool fr = p.fr;
    html << "</div>\n<h2>" << esc(t.map_title) << "</h2>\n<div class=\"map\">" << p.map
         << "</div>\n<h2>" << esc(t.curve_title) << "</h2>\n"
         << p.curve;
    if (!p.by_group.empty()) {
        html_groups(html, p, ctx, run, threshold_km);
    }
    html << "<h2>" << esc(t.top_areas) << "</h2>\n";
    html_table_head(html, "top", {"#", t.inhabitants, std::string(t.area) + " (km²)", t.communes});
    for (std::size_t i = 0; i < p.top.size(); ++i) {
        const auto& part = *p.top[i];
        html << "<tr><td class=\"n\">" << i + 1 << "</td>";
        number_cell(html, part.population, fmt(part.population, 0, fr));
        number_cell(html, part.area_km2, fmt(part.area_km2, 0, fr));
        html << "<td>" << esc(commune_names(part)) << "</td></tr>\n";
    }
    html << "</tbody></table>\n";
}

/// index.html after the optional sections: the limits box, the sources and the sorting script.
std::string html_footer(const Page& p) {
    const auto& t = p.t;
    std::ostringstream html;
    html << "<section class=\"limits\" id=\"limits\">\n<h2>" << esc(t.limits) << "</h2>\n<ul>\n";
    for (const auto& l : p.limits) {
        html << "<li>" << esc(l) << "</li>\n";
    }
    html << "</ul>\n</section>\n<footer id=\"sources\">\n<h2>" << esc(t.sources) << "</h2>\n<ul>\n";
    for (const auto& l : p.sources) {
        html << "<li>" << esc(l) << "</li>\n";
    }
    html << "</ul>\n<p class=\"hint\">" << esc(t.source) << ' ' << esc(source_line(p))
         << " (maillage " << esc(p.summary.at(key::version).get<std::string>())
         << ").</p>\n</footer>\n"
         << "<script>\n"
            "document.querySelectorAll('table').forEach(function(table){\n"
            " table.querySelectorAll('th').forEach(function(th,col){\n"
            "  th.addEventListener('click',function(){\n"
            "   var body=table.tBodies[0],rows=Array.prototype.slice.call(body.rows);\n"
            "   var dir=th.dataset.dir==='asc'?-1:1; th.dataset.dir=dir===1?'asc':'desc';\n"
            "   rows.sort(function(a,b){var x=a.cells[col],y=b.cells[col];\n"
            "    var u=x.dataset.v!==undefined?parseFloat(x.dataset.v):x.textContent;\n"
            "    var v=y.dataset.v!==undefined?parseFloat(y.dataset.v):y.textContent;\n"
            "    return (u<v?-1:u>v?1:0)*dir;});\n"
            "   rows.forEach(function(r){body.appendChild(r);});});});});\n"
            "</script>\n</body>\n</html>\n";
    return html.str();
}

/// The page, its Markdown and its figures, grown section by section: the optional sections go
/// after the main part and before the footer (limits, sources).
struct Documents {
    std::string html;
    std::string md;
    std::string csv;

    /// Appends a section.
    void add(const ReportSection& section) {
        html += section.html;
        md += section.md;
        csv += section.csv;
    }
};

std::string border_files_of(const json& s) {
    std::string border_files;
    if (s.at(key::parameters).contains(key::params::border_sites)) {
        for (const auto& b : s.at(key::parameters).at(key::params::border_sites)) {
            border_files += ", " + b.get<std::string>();
        }
    }
    return border_files;
}

/// The sections that depend on the run, in the order of the page.
void add_sections(Documents& docs, const ReportOptions& o, const Run& run,
                  const std::optional<Run>& previous, const Page& p) {
    const auto& s = run.summary;
    const bool fr = p.fr;
    const auto number = [fr](double v, int decimals) { return fmt(v, decimals, fr); };
    for (const auto& section :
         {by_type_section(s, fr, number), catchments_section(o.run_dir, s, fr, number),
          population_grid_section(s, fr), access_section(o.run_dir, s, fr),
          suggest_section(s, fr)}) {
        if (section) {
            docs.add(*section);
        }
    }
    if (previous) {
        docs.add(changes_section(run, *previous, p.groups, p.t, fr));
    }
    if (const auto wi = whatif_section(o.run_dir, s, fr, number)) {
        docs.add(*wi);
    }
}

/// When the run started (run.json's started_utc), or "".
std::string run_started(const std::filesystem::path& dir) {
    std::ifstream in(dir / model::schema::files::run_record);
    const json record = in ? json::parse(in, nullptr, false) : json();
    const auto* started = model::schema::run_record::started_utc;
    return record.is_object() && record.contains(started) && record.at(started).is_string()
               ? record.at(started).get<std::string>()
               : std::string();
}

/// The region's name: the shipped region file's `nom` when the run used the shipped communes,
/// else the neutral words of the language.
std::string region_name(const ReportOptions& o, const std::optional<std::vector<InputFile>>& in,
                        const Texts& t) {
    const auto region = std::filesystem::path(o.data_dir) / "region-aura-adminexpress-2018.geojson";
    if (o.data_dir.empty() || !uses_shipped_communes(in) || !std::filesystem::exists(region)) {
        return t.region_fallback;
    }
    auto ds = io::open_vector(region.string());
    for (auto& f : *ds->GetLayer(0)) {
        std::string name = field_text(*f, "nom");
        if (!name.empty()) {
            return name;
        }
    }
    return t.region_fallback;
}

/// "Auvergne-Rhône-Alpes : distance aux lieux d'accueil — analyse du 3 décembre 2026, seuil 20 km"
std::string default_title(const std::string& region, const std::string& date, const std::string& km,
                          bool fr) {
    const Texts& t = texts(fr);
    std::string title = region + (fr ? " : " : ": ") + t.default_title + " — ";
    if (!date.empty()) {
        title += (fr ? "analyse du " : "analysis of ") + date + ", ";
    }
    return title + (fr ? "seuil " : "threshold ") + km;
}

/// The groups' names (--group-names) on their rows, the section's title and the column's heading;
/// no section when no zone has a group.
void name_groups(Page& p, const ReportOptions& o) {
    std::map<std::string, std::string> names;
    if (!o.group_names.empty()) {
        names = io::read_group_names(o.group_names);
    }
    bool any_group = false;
    bool any_named = false;
    for (auto& g : p.groups) {
        any_group = any_group || !g.group.empty();
        if (const auto it = names.find(g.group); it != names.end()) {
            g.name = it->second;
            any_named = true;
        }
    }
    p.names_used = any_named;
    if (!any_group) {
        p.groups.clear();
        return;
    }
    // The group field's meaning: departments when it is named so or the names are found.
    std::string field;
    const auto& s = p.summary;
    if (s.contains("inputs") && s.at("inputs").contains("zones")) {
        field = s.at("inputs").at("zones").value("group_field", std::string());
    }
    std::string lower = field;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool departments = any_named || field.empty() || lower.find("dep") != std::string::npos;
    p.by_group = departments ? p.t.by_group : (p.fr ? "Par groupe (" : "By group (") + field + ")";
    p.group = departments ? p.t.group : p.t.group_other;
}

/// The footer's sources: the run's inputs, and the table of the groups' names when it named one.
std::vector<std::string> sources_with_names(const std::optional<std::vector<InputFile>>& inputs,
                                            const ReportOptions& o, const Page& p) {
    auto all = inputs;
    if (all && p.names_used) {
        all->push_back({o.group_names, io::sha256_file(o.group_names)});
    }
    return sources_of(all, p.fr);
}

void build_report_checked(const ReportOptions& o) {
    if (o.lang != "fr" && o.lang != "en") {
        throw usage_error("--lang must be fr or en (got '" + o.lang + "').");
    }
    const bool fr = o.lang == "fr";
    const Texts& t = texts(fr);
    io::StagedOutput out(o.out_dir);
    geo::GeosContext ctx;
    Run run = load_run(ctx, o.run_dir);
    const auto& s = run.summary;
    const double threshold_km = s.at(key::parameters).at(key::params::threshold_km).get<double>();
    const auto inputs = load_run_inputs(o.run_dir);
    Page p{s, t, fr, o.lang};
    p.km = km_text(threshold_km, fr);
    p.title = !o.title.empty() ? o.title
                               : default_title(region_name(o, inputs, t),
                                               long_date(run_started(o.run_dir), fr), p.km, fr);
    p.map = map_svg(ctx, run, maps_projection(ctx, run), threshold_km, t, fr);
    std::optional<Run> previous;
    if (!o.previous_dir.empty()) {
        previous = load_run(ctx, o.previous_dir);
    }
    p.curve = curve_svg(s, previous ? &previous->summary : nullptr, threshold_km, t, fr);
    find_communes(ctx, run);
    p.top = top_parts(run);
    p.key = key_figures(s, t, p.km);
    p.groups = group_rows(s);
    name_groups(p, o);
    p.limits = limits_of(inputs, s, fr);
    p.sources = sources_with_names(inputs, o, p);
    p.border_files = border_files_of(s);
    std::ostringstream html;
    html_head(html, p);
    html_body(html, p, ctx, run, threshold_km);
    Documents docs{html.str(), report_md(p), figures_csv(p)};
    add_sections(docs, o, run, previous, p);
    docs.html += html_footer(p);
    docs.md += report_md_footer(p);
    output::write_text(out.path("index.html"), docs.html);
    output::write_text(out.path("report.md"), docs.md);
    output::write_text(out.path("map.svg"), p.map);
    output::write_text(out.path("coverage.svg"), p.curve);
    output::write_text(out.path("figures.csv"), docs.csv);
    out.commit();
}

} // namespace

void build_report(const ReportOptions& o) {
    try {
        build_report_checked(o);
    } catch (const json::exception& e) {
        // A summary.json that lacks a figure: from another tool or another version.
        throw input_error(o.run_dir + "/summary.json: " + e.what() +
                          ". Give --run a folder written by this version of maillage analyse.");
    }
}

} // namespace maillage::report
