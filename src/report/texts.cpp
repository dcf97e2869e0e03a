#include "texts.hpp"

#include "maillage/model/schema.hpp"
#include "maillage/output/styles.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>

namespace maillage::report {

namespace {

namespace fs = std::filesystem;
namespace key = model::schema::summary;
using nlohmann::json;

const Texts french{
    "Maillage du territoire",
    "Distance de la population au lieu d'accueil le plus proche",
    "Chiffres clés",
    "Population",
    "Lieux d'accueil",
    "Distance moyenne (pondérée par la population)",
    "Distance médiane",
    "90 % de la population à moins de",
    "Population au-delà du seuil",
    "Zones mal desservies",
    "Distance moyenne au lieu d'accueil le plus proche, par commune",
    "distance moyenne",
    "zone à plus de",
    "lieux d'accueil par réseau",
    "Part de la population à moins de d km",
    "distance d (km)",
    "part de la population",
    "seuil",
    "Par département",
    "Département",
    "Lieux pour 100 000 hab.",
    "Part au-delà du seuil",
    "Les dix zones mal desservies les plus peuplées",
    "Superficie",
    "Communes concernées",
    "habitants",
    "Calculé par maillage à partir de",
    "cliquer sur un en-tête pour trier",
    "plus de",
    "Ce qui a changé depuis l'analyse précédente",
    "analyse précédente",
    "cette analyse",
    "Lieux ouverts",
    "Lieux fermés",
    "Lieux déplacés (plus de 100 m)",
    "Population des communes dont la distance moyenne a augmenté de plus de 1 km",
    "Population des communes dont la distance moyenne a baissé de plus de 1 km",
    "Commune",
    "avant",
    "après",
    "au-delà des limites de la zone d'étude",
    "lieu au-delà des limites (frontalier)",
    "Lieux d'accueil dans la zone d'étude",
    "Lieux au-delà des limites, pris en compte",
    "Limites de l'analyse",
    "Population au-delà de",
    "Part au-delà de",
    "Groupe",
    "Sources, millésimes et licences",
    "distance aux lieux d'accueil",
    "Territoire étudié",
};

const Texts english{
    "Territorial coverage",
    "Distance from the population to the nearest reception site",
    "Key figures",
    "Population",
    "Sites",
    "Mean distance (population-weighted)",
    "Median distance",
    "90 % of the population within",
    "Population beyond the threshold",
    "Underserved areas",
    "Mean distance to the nearest site, by commune",
    "mean distance",
    "area farther than",
    "sites by network",
    "Share of the population within d km",
    "distance d (km)",
    "share of the population",
    "threshold",
    "By department",
    "Department",
    "Sites per 100,000 inh.",
    "Share beyond the threshold",
    "The ten most populated underserved areas",
    "Area",
    "Communes concerned",
    "inhabitants",
    "Computed by maillage from",
    "click a header to sort",
    "more than",
    "What changed since the previous analysis",
    "previous analysis",
    "this analysis",
    "Sites opened",
    "Sites closed",
    "Sites moved (more than 100 m)",
    "Population of the communes whose mean distance rose by more than 1 km",
    "Population of the communes whose mean distance fell by more than 1 km",
    "Commune",
    "before",
    "after",
    "across the edge of the study area",
    "site across the edge (border site)",
    "Sites in the study area",
    "Sites across the edge, taken into account",
    "Limits of this analysis",
    "Population beyond",
    "Share beyond",
    "Group",
    "Sources, vintages and licences",
    "distance to the reception sites",
    "Study area",
};

/// A data file shipped with maillage, known by its SHA-256 (geodata/SOURCES.md): where it comes
/// from, of when, under which licence, and what the reader must know of it.
struct KnownFile {
    const char* sha256;
    const char* name;
    const char* source_fr;
    const char* source_en;
    const char* vintage_fr;
    const char* vintage_en;
    const char* note_fr; ///< a limit it brings, or ""
    const char* note_en;
};

constexpr const char* licence = "Licence Ouverte / Open Licence (Etalab) 2.0";

constexpr const char* communes_sha256 =
    "358f92fca204ad26dc81e6f446412e534a8c3b139bedd8d8d3c0814ebae295a5";

constexpr const char* dila_fr =
    "DILA, Service-Public.fr, Annuaire de l'administration (base de données locales), via "
    "betagouv/annuaire";
constexpr const char* dila_en =
    "DILA, Service-Public.fr, public-service directory (local databases), via betagouv/annuaire";
constexpr const char* dila_vintage_fr = "instantané du 12 décembre 2017";
constexpr const char* dila_vintage_en = "snapshot of 12 December 2017";
constexpr const char* dila_note_fr = "Les lieux d'accueil sont ceux de l'annuaire de la DILA de "
                                     "décembre 2017 (lieux de type SPRO) : "
                                     "ce n'est pas la liste officielle des 1 157 lieux du SPRO, "
                                     "qui n'est pas publique, et des lieux "
                                     "ont pu ouvrir, fermer ou déménager depuis";
constexpr const char* dila_note_en = "The sites are those of the DILA directory of December 2017 "
                                     "(SPRO-type sites): not the official "
                                     "list of the SPRO's 1,157 sites, which is not public, and "
                                     "sites may have opened, closed or moved "
                                     "since";
constexpr const char* communes_fr =
    "IGN, ADMIN EXPRESS COG 2018 (limites, via france-geojson) ; INSEE, code officiel géographique "
    "2026 et populations légales (via @etalab/decoupage-administratif)";
constexpr const char* communes_en =
    "IGN, ADMIN EXPRESS COG 2018 (boundaries, via france-geojson); INSEE, official geographic code "
    "2026 and legal populations (via @etalab/decoupage-administratif)";
constexpr const char* communes_vintage_fr =
    "limites 2018, communes du COG 2026, populations légales millésime 2023 (en vigueur au 1er "
    "janvier 2026)";
constexpr const char* communes_vintage_en =
    "boundaries of 2018, communes of the 2026 code, legal populations of 2023 (in force on 1 "
    "January 2026)";

const std::vector<KnownFile>& known_files() {
    static const std::vector<KnownFile> files{
        {"932f6525704030057d8bce7009c8ceb1ad5df4fe2ceb6dd7a749d3066c2d3e32",
         "structures-aura-dila-2017.csv", dila_fr, dila_en, dila_vintage_fr, dila_vintage_en,
         dila_note_fr, dila_note_en},
        {"97ca1e98d3ec286f0b0db1cec40dc428d5cefd60edb4e595649e836ac1a6d5fc",
         "structures-aura-dila-2017.geojson", dila_fr, dila_en, dila_vintage_fr, dila_vintage_en,
         dila_note_fr, dila_note_en},
        {"61c40eb04fb1a6e1edaf81988241c19b03c8df44e0d84f39b3f8cae7fd40144a",
         "structures-voisines-dila-2017.csv", dila_fr, dila_en,
         "instantané du 12 décembre 2017, départements voisins à moins de 60 km",
         "snapshot of 12 December 2017, neighbouring departments within 60 km",
         "Aucun lieu au-delà des frontières suisse et italienne (pas de données) : près de ces "
         "frontières, la distance peut être surestimée",
         "No site across the Swiss and Italian borders (no data): near them, distances may be "
         "overstated"},
        {communes_sha256, "communes-aura-cog2026.geojson", communes_fr, communes_en,
         communes_vintage_fr, communes_vintage_en,
         "Les limites communales sont celles de 2018 (IGN), regroupées selon les communes de 2026",
         "The communes' boundaries are those of 2018 (IGN), merged into the communes of 2026"},
        {"07600484ad4ab22ae69ef7b82e364d622b763eeb608f4ed42185c047966de707",
         "communes-voisines-cog2026.geojson", communes_fr, communes_en, communes_vintage_fr,
         communes_vintage_en, "", ""},
        {"bf79f9bbcb9e2673bf11c59142586418e46f9786e9ab793b4a439b062115e131",
         "population-communes-aura-2026.csv",
         "INSEE, populations légales (via @etalab/decoupage-administratif)",
         "INSEE, legal populations (via @etalab/decoupage-administratif)",
         "COG 2026, populations légales millésime 2023", "2026 code, legal populations of 2023", "",
         ""},
        {"2381030a24cc02833b913b21f3d38c5625cbc570d91ca17b609f9721b6e8e718",
         "departements-aura-adminexpress-2018.geojson", "IGN, ADMIN EXPRESS COG 2018",
         "IGN, ADMIN EXPRESS COG 2018", "2018", "2018", "", ""},
    };
    return files;
}

const KnownFile* known_file(const InputFile& file) {
    const auto it = std::find_if(known_files().begin(), known_files().end(),
                                 [&](const KnownFile& k) { return file.sha256 == k.sha256; });
    return it == known_files().end() ? nullptr : &*it;
}

} // namespace

const Texts& texts(bool french_language) { return french_language ? french : english; }

std::string esc(const std::string& s) { return output::xml_escape(s); }

/// A number with `decimals` decimals and thin spaces between thousands (French) or commas.
std::string fmt(double v, int decimals, bool french_style) {
    std::array<char, 64> buf{};
    std::snprintf(buf.data(), buf.size(), "%.*f", decimals, v);
    std::string s = buf.data();
    std::string intpart = s.substr(0, s.find('.'));
    std::string frac = s.find('.') == std::string::npos ? "" : s.substr(s.find('.') + 1);
    const bool negative = !intpart.empty() && intpart[0] == '-';
    if (negative) {
        intpart.erase(0, 1);
    }
    std::string grouped;
    for (std::size_t i = 0; i < intpart.size(); ++i) {
        if (i > 0 && (intpart.size() - i) % 3 == 0) {
            grouped += french_style ? "\u202f" : ",";
        }
        grouped.push_back(intpart[i]);
    }
    std::string out = (negative ? "-" : "") + grouped;
    if (!frac.empty()) {
        out += (french_style ? "," : ".") + frac;
    }
    return out;
}

namespace {

/// What the distance is.
std::string distance_limit(bool fr) {
    return fr ? "Les distances sont géodésiques, à vol d'oiseau (ellipsoïde WGS84) : ce ne sont "
                "pas des temps de trajet par la route ou en transports en commun. Dans les vallées "
                "et les massifs, le trajet réel peut être bien plus long."
              : "Distances are geodesic, as the crow flies (WGS84 ellipsoid): not travel times by "
                "road or public transport. In valleys and mountains the real journey can be much "
                "longer.";
}

/// How the edge of the study area is treated: sites across it given, or none.
std::string edge_limit(const json& s, bool fr) {
    const double outside = s.contains(key::sites_outside_study_area)
                               ? s.at(key::sites_outside_study_area).get<double>()
                               : 0;
    const auto& p = s.at(key::parameters);
    const bool border_given =
        p.contains(key::params::border_sites) && !p.at(key::params::border_sites).empty();
    if (outside > 0 || border_given) {
        return fr ? "Les habitants proches des limites de la zone d'étude utilisent aussi les "
                    "lieux situés au-delà. Lieux hors de la zone d'étude pris en compte comme "
                    "lieux les plus proches possibles : " +
                        fmt(outside, 0, true) +
                        " (en losange sur la carte) ; ils ne sont pas comptés dans les lieux des "
                        "départements."
                  : "People near the edge of the study area also use the sites across it. Sites "
                    "outside the study area taken into account as possible nearest sites: " +
                        fmt(outside, 0, false) +
                        " (diamonds on the map); they are not counted among the departments' "
                        "sites.";
    }
    return fr ? "Aucun lieu situé au-delà des limites de la zone d'étude n'a été fourni "
                "(--border-sites) : près de ces limites, la distance peut être surestimée, car les "
                "habitants peuvent utiliser un lieu plus proche de l'autre côté."
              : "No site across the edge of the study area was given (--border-sites): near the "
                "edge, distances may be overstated, as people may use a nearer site across it.";
}

/// Where the population is inside each zone: from the grid given, or spread evenly.
std::string population_limit(const json& s, bool fr) {
    if (s.contains(key::population_grid)) {
        return fr ? "La population est placée dans chaque commune d'après la grille de population "
                    "fournie (--population-grid), ramenée au total de la commune."
                  : "The population is placed inside each commune after the population grid "
                    "given (--population-grid), scaled to the commune's total.";
    }
    return fr ? "Aucune grille de population n'a été fournie : la population de chaque commune "
                "est répartie uniformément sur sa surface. Dans les grandes communes peu denses, "
                "la distance des habitants, regroupés dans les bourgs, est approchée."
              : "No population grid was given: each commune's population is spread evenly over "
                "its area. In large, sparsely populated communes, where people live in villages, "
                "the distance is an approximation.";
}

/// What the threshold is.
std::string threshold_limit(const json& s, bool fr) {
    const auto km = km_text(s.at(key::parameters).at(key::params::threshold_km).get<double>(), fr);
    return fr ? "Le seuil de " + km +
                    " est un paramètre de l'analyse (--threshold-km), pas une norme réglementaire."
              : "The " + km +
                    " threshold is a parameter of the analysis (--threshold-km), not a "
                    "regulatory standard.";
}

/// A sentence from a note: capital first, full stop.
std::string sentence_of(const char* note) {
    std::string sentence = note;
    sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
    return sentence + ".";
}

} // namespace

std::string km_text(double km, bool french_style) {
    return fmt(km, km == std::floor(km) ? 0 : 1, french_style) + " km";
}

std::string long_date(const std::string& iso, bool fr) {
    static const std::array<const char*, 12> months_fr{
        "janvier", "février", "mars",      "avril",   "mai",      "juin",
        "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
    static const std::array<const char*, 12> months_en{
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    int year = 0;
    int month = 0;
    int day = 0;
    if (iso.size() < 10 || std::sscanf(iso.c_str(), "%4d-%2d-%2d", &year, &month, &day) != 3 ||
        month < 1 || month > 12 || day < 1 || day > 31) {
        return "";
    }
    const auto m = static_cast<std::size_t>(month - 1);
    return std::to_string(day) + (day == 1 && fr ? "er " : " ") + (fr ? months_fr : months_en)[m] +
           " " + std::to_string(year);
}

/// The "limits" box: what the distance is, the threshold, where the population is, how the edge
/// of the study area is treated, and what the known input files lack.
std::vector<std::string> limits_of(const std::optional<std::vector<InputFile>>& inputs,
                                   const json& s, bool fr) {
    std::vector<std::string> out;
    out.push_back(distance_limit(fr));
    out.push_back(threshold_limit(s, fr));
    out.push_back(population_limit(s, fr));
    out.push_back(edge_limit(s, fr));
    if (!inputs) {
        out.emplace_back(fr ? "Provenance et millésime des données : inconnus (l'analyse n'a pas "
                              "de run.json)."
                            : "Data provenance and vintage: unknown (the run has no run.json).");
        return out;
    }
    std::vector<const char*> notes;
    for (const auto& file : *inputs) {
        const KnownFile* k = known_file(file);
        const char* note = k == nullptr ? "" : (fr ? k->note_fr : k->note_en);
        if (*note != '\0' && std::find(notes.begin(), notes.end(), note) == notes.end()) {
            notes.push_back(note);
            out.push_back(sentence_of(note));
        }
    }
    return out;
}

std::vector<std::string> sources_of(const std::optional<std::vector<InputFile>>& inputs, bool fr) {
    std::vector<std::string> out;
    if (!inputs) {
        return out;
    }
    for (const auto& file : *inputs) {
        const std::string name = fs::path(file.path).filename().string();
        const KnownFile* k = known_file(file);
        if (k == nullptr) {
            out.push_back(fr ? name + " : source, millésime et licence non documentés (fichier "
                                      "inconnu de maillage : voir sa provenance)."
                             : name + ": source, vintage and licence not documented (a file "
                                      "maillage does not know: see its provenance).");
            continue;
        }
        out.push_back(name + (fr ? " : " : ": ") + (fr ? k->source_fr : k->source_en) +
                      (fr ? " ; millésime : " : "; vintage: ") +
                      (fr ? k->vintage_fr : k->vintage_en) + (fr ? " ; " : "; ") + licence + ".");
    }
    return out;
}

bool uses_shipped_communes(const std::optional<std::vector<InputFile>>& inputs) {
    return inputs && std::any_of(inputs->begin(), inputs->end(),
                                 [](const InputFile& f) { return f.sha256 == communes_sha256; });
}

} // namespace maillage::report
