#include "texts.hpp"

#include "maillage/model/schema.hpp"
#include "maillage/output/styles.hpp"

#include <algorithm>
#include <array>
#include <cctype>
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
    "Groupe",
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
    "Group",
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
};

/// A data file shipped with maillage, known by its SHA-256 (geodata/SOURCES.md): what it is and
/// of when, for the limits of the report.
struct KnownFile {
    const char* sha256;
    const char* fr;
    const char* en;
    const char* note_fr; ///< what is missing from it, or ""
    const char* note_en;
};

const std::vector<KnownFile>& known_files() {
    static const std::vector<KnownFile> files{
        {"932f6525704030057d8bce7009c8ceb1ad5df4fe2ceb6dd7a749d3066c2d3e32",
         "lieux d'accueil : annuaire de l'administration de la DILA, instantané du 12 décembre "
         "2017 (470 lieux de type SPRO), et non la liste officielle des 1 157 lieux du SPRO, qui "
         "n'est pas publique",
         "sites: DILA public-service directory, snapshot of 12 December 2017 (470 SPRO-type "
         "sites), not the official list of the SPRO's 1,157 sites, which is not public",
         "", ""},
        {"61c40eb04fb1a6e1edaf81988241c19b03c8df44e0d84f39b3f8cae7fd40144a",
         "lieux au-delà des limites : même annuaire DILA (2017), départements voisins à moins de "
         "60 km",
         "sites across the edge: the same DILA directory (2017), neighbouring departments within "
         "60 km",
         "aucun lieu au-delà des frontières suisse et italienne (pas de données) : près de ces "
         "frontières, la distance peut être surestimée",
         "no site across the Swiss and Italian borders (no data): near them, distances may be "
         "overstated"},
        {"358f92fca204ad26dc81e6f446412e534a8c3b139bedd8d8d3c0814ebae295a5",
         "population : populations légales INSEE millésime 2023 (en vigueur au 1er janvier 2026), "
         "communes du COG 2026, limites IGN 2018",
         "population: INSEE legal populations of 2023 (in force on 1 January 2026), communes of "
         "the "
         "2026 code, IGN boundaries of 2018",
         "", ""},
    };
    return files;
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

/// The inputs sorted by what maillage knows of them (from their checksums): the vintage of
/// those it knows, their notes, and the file names of the others.
struct Vintages {
    std::vector<std::string> known, notes, unknown;
};

Vintages vintages_of(const std::vector<InputFile>& inputs, bool fr) {
    Vintages v;
    for (const auto& file : inputs) {
        const auto it = std::find_if(known_files().begin(), known_files().end(),
                                     [&](const KnownFile& k) { return file.sha256 == k.sha256; });
        if (it == known_files().end()) {
            v.unknown.push_back(fs::path(file.path).filename().string());
            continue;
        }
        v.known.emplace_back(fr ? it->fr : it->en);
        if (*(fr ? it->note_fr : it->note_en) != '\0') {
            v.notes.emplace_back(fr ? it->note_fr : it->note_en);
        }
    }
    return v;
}

/// "Data: A; B; vintage not known to maillage for x, y (...)."
std::string vintage_sentence(const Vintages& v, bool fr) {
    const std::string sep = fr ? " ; " : "; ";
    std::string vintage = fr ? "Données : " : "Data: ";
    for (std::size_t i = 0; i < v.known.size(); ++i) {
        vintage += (i == 0 ? "" : sep) + v.known[i];
    }
    if (!v.unknown.empty()) {
        std::string names;
        for (std::size_t i = 0; i < v.unknown.size(); ++i) {
            names += (i == 0 ? "" : ", ") + v.unknown[i];
        }
        vintage +=
            (v.known.empty() ? "" : sep) +
            (fr ? "millésime non connu de maillage pour " + names +
                      " (voir la provenance de ces fichiers)"
                : "vintage not known to maillage for " + names + " (see these files' provenance)");
    }
    return vintage + ".";
}

} // namespace

/// The "limits" paragraph: what the distance is, how the edge of the study area is treated, and
/// of when the data are (the inputs recorded in run.json, known by their checksum).
std::vector<std::string> limits_of(const std::optional<std::vector<InputFile>>& inputs,
                                   const json& s, bool fr) {
    std::vector<std::string> out;
    out.push_back(distance_limit(fr));
    out.push_back(edge_limit(s, fr));
    if (!inputs) {
        out.emplace_back(fr ? "Millésime des données : inconnu (run.json absent de l'analyse)."
                            : "Data vintage: unknown (the run has no run.json).");
        return out;
    }
    const auto v = vintages_of(*inputs, fr);
    out.push_back(vintage_sentence(v, fr));
    for (const auto& n : v.notes) {
        std::string sentence = n;
        sentence[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(sentence[0])));
        out.push_back(sentence + ".");
    }
    return out;
}

} // namespace maillage::report
