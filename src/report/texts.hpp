#pragma once

// The words of the report in French and English, and how it writes numbers.

#include "run.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace maillage::report {

/// The words of the main page, in one language.
struct Texts {
    const char* title;
    const char* subtitle;
    const char* key_figures;
    const char* population;
    const char* sites;
    const char* mean;
    const char* median;
    const char* p90;
    const char* beyond;
    const char* underserved_areas;
    const char* map_title;
    const char* legend_mean;
    const char* legend_underserved;
    const char* legend_sites;
    const char* curve_title;
    const char* curve_x;
    const char* curve_y;
    const char* threshold;
    const char* by_group;
    const char* group;
    const char* sites_per_100k;
    const char* share_beyond;
    const char* top_areas;
    const char* area;
    const char* communes;
    const char* inhabitants;
    const char* source;
    const char* sort_hint;
    const char* more_than;
    const char* changes;
    const char* previous_run;
    const char* this_run;
    const char* opened;
    const char* closed;
    const char* moved;
    const char* rose;
    const char* fell;
    const char* commune;
    const char* before;
    const char* after;
    const char* border_site;   ///< a site's tooltip: outside the study area
    const char* legend_border; ///< legend of the border sites' marker
    const char* sites_in_area;
    const char* border_sites;
    const char* limits;
    const char* beyond_km;       ///< "Population beyond" + " 20 km"
    const char* share_beyond_km; ///< "Share beyond" + " 20 km"
    const char* group_other;   ///< the heading of the groups' column when they are not departments
    const char* sources;       ///< the footer's heading
    const char* default_title; ///< the title's first words
    const char* region_fallback; ///< the region, when the data do not name it
};

/// The words of the page in French (`french`) or English.
const Texts& texts(bool french);

/// Text escaped for HTML and SVG.
std::string esc(const std::string& s);

/// A number with `decimals` decimals and thin spaces between thousands (French) or commas.
std::string fmt(double v, int decimals, bool french_style);

/// A distance threshold in words: "20 km" (one decimal when it is not whole).
std::string km_text(double km, bool french_style);

/// The day of an ISO 8601 time ("2026-12-03T16:39:45Z") in words: "3 décembre 2026" or
/// "3 December 2026"; "" when it is not such a time.
std::string long_date(const std::string& iso, bool fr);

/// The "limits" paragraph: what the distance is, how the edge of the study area is treated, and
/// of when the data are (`inputs`: the files recorded in run.json, known by their checksum).
std::vector<std::string> limits_of(const std::optional<std::vector<InputFile>>& inputs,
                                   const nlohmann::json& summary, bool fr);

/// The footer's lines: per input file of the run (run.json), its source, vintage and licence
/// when it is a file shipped with maillage (known by its checksum, geodata/SOURCES.md), else its
/// name and that its source is not documented.
std::vector<std::string> sources_of(const std::optional<std::vector<InputFile>>& inputs, bool fr);

/// Whether one of `inputs` is the shipped communes file (geodata/communes-aura-cog2026.geojson).
bool uses_shipped_communes(const std::optional<std::vector<InputFile>>& inputs);

} // namespace maillage::report
