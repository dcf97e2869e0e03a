#include "maillage/model/networks.hpp"

#include <array>
#include <cctype>
#include <utility>

namespace maillage::model {

namespace {

struct BuiltinLabel {
    std::string_view code;
    std::string_view fr;
    std::string_view en;
};

// The site types of the DILA directory (geodata/SOURCES.md, S3) and of the SPRO networks.
constexpr std::array<BuiltinLabel, 20> builtin_labels = {{
    {"afpa", "AFPA (formation)", "AFPA (adult training)"},
    {"agefiph", "Agefiph", "Agefiph (disability and employment)"},
    {"apec", "APEC", "APEC (executives' employment)"},
    {"apecita", "APECITA", "APECITA (agricultural executives)"},
    {"cci", "Chambre de commerce et d'industrie", "Chamber of commerce and industry"},
    {"chambre_agriculture", "Chambre d'agriculture", "Chamber of agriculture"},
    {"chambre_metier", "Chambre de métiers et de l'artisanat", "Chamber of trades and crafts"},
    {"cidf", "CIDFF", "CIDFF (women's and families' rights)"},
    {"cij", "Information jeunesse (CIJ/BIJ/PIJ)", "Youth information (CIJ/BIJ/PIJ)"},
    {"cio", "Centre d'information et d'orientation (CIO)", "Guidance and information centre (CIO)"},
    {"crous", "CROUS", "CROUS (student services)"},
    {"france_travail", "France Travail", "France Travail (public employment service)"},
    {"greta", "GRETA (formation)", "GRETA (adult education)"},
    {"mission_locale", "Mission locale", "Mission locale (youth employment)"},
    {"msap", "Maison de services au public", "Public service centre (MSAP)"},
    {"france_services", "France services", "France services (public service centre)"},
    {"pif", "Point info famille", "Family information point"},
    {"pole_emploi", "Pôle emploi (France Travail)",
     "Pôle emploi (France Travail, public employment service)"},
    {"suio", "Service universitaire d'orientation (SCUIO/SUIO)",
     "University guidance service (SCUIO/SUIO)"},
    {"cap_emploi", "Cap emploi", "Cap emploi (disability and employment)"},
}};

/// `text` for comparison: lower case ASCII letters and digits, accents dropped (the common Latin
/// ones of French), apostrophes and other punctuation as single spaces.
std::string folded(std::string_view text) {
    static constexpr std::array<std::pair<std::string_view, char>, 26> accents = {{
        {"à", 'a'}, {"â", 'a'}, {"ä", 'a'}, {"ç", 'c'}, {"é", 'e'}, {"è", 'e'}, {"ê", 'e'},
        {"ë", 'e'}, {"î", 'i'}, {"ï", 'i'}, {"ô", 'o'}, {"ö", 'o'}, {"ù", 'u'}, {"û", 'u'},
        {"ü", 'u'}, {"À", 'a'}, {"Â", 'a'}, {"Ç", 'c'}, {"É", 'e'}, {"È", 'e'}, {"Ê", 'e'},
        {"Î", 'i'}, {"Ô", 'o'}, {"Û", 'u'}, {"’", ' '}, {"œ", 'o'},
    }};
    std::string out;
    auto put = [&out](char c) {
        if (c != ' ' || (!out.empty() && out.back() != ' ')) {
            out += c;
        }
    };
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c < 0x80) {
            put(std::isalnum(c) != 0 ? static_cast<char>(std::tolower(c)) : ' ');
            ++i;
            continue;
        }
        bool known = false;
        for (const auto& [from, to] : accents) {
            if (text.substr(i, from.size()) == from) {
                put(to);
                i += from.size();
                known = true;
                break;
            }
        }
        if (!known) {
            put(static_cast<char>(c));
            ++i;
        }
    }
    while (!out.empty() && out.back() == ' ') {
        out.pop_back();
    }
    return out;
}

} // namespace

std::optional<std::string> builtin_network_label(std::string_view code, std::string_view lang) {
    for (const auto& l : builtin_labels) {
        if (l.code == code) {
            return std::string(lang == "en" ? l.en : l.fr);
        }
    }
    return std::nullopt;
}

std::string network_label(std::string_view code, std::string_view data_label,
                          std::string_view lang) {
    if (code.empty() && data_label.empty()) {
        return lang == "en" ? "(no type)" : "(sans type)";
    }
    const auto builtin = builtin_network_label(code, lang);
    // The data's own wording wins in French, unless it is only the table's label with its
    // accents and apostrophes lost (the shipped DILA labels: "Pole emploi", "d industrie").
    if (lang != "en" && !data_label.empty() &&
        !(builtin && folded(data_label) == folded(*builtin))) {
        return std::string(data_label);
    }
    if (builtin) {
        return *builtin;
    }
    return std::string(data_label.empty() ? code : data_label);
}

NetworkSymbol network_symbol(std::size_t index) {
    // Okabe & Ito (2008), "Color Universal Design": black is left out (the sites' outline).
    static constexpr std::array<const char*, 7> colours = {
        "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442"};
    static constexpr std::array<const char*, 4> shapes = {"circle", "square", "triangle",
                                                          "diamond"};
    return {colours[index % colours.size()], shapes[(index / colours.size()) % shapes.size()]};
}

} // namespace maillage::model
