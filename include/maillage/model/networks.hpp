#pragma once

#include <optional>
#include <string>
#include <string_view>

// The networks (site types) in words and in colours, shared by the report and the QGIS styles.

namespace maillage::model {

/// The built-in label of a known network code ("cio", "mission_locale", "pole_emploi", ...) in
/// `lang` ("fr" or "en"), or nullopt for a code the table does not know.
std::optional<std::string> builtin_network_label(std::string_view code, std::string_view lang);

/// The label of a network for a reader of `lang`:
/// - in French, the data's own label (`type_label` column) when it has one (unless it is the
///   built-in label with its accents and apostrophes lost: then the built-in one), else the
///   built-in French label, else the code;
/// - in English, the built-in English label (the shipped data's labels are French), else the
///   data's label, else the code.
/// An empty code is "(no type)" / "(sans type)".
std::string network_label(std::string_view code, std::string_view data_label,
                          std::string_view lang);

/// How a network is drawn: a colour of the Okabe–Ito palette (distinct for the common forms of
/// colour blindness) and, past its 8 colours, another marker shape, so that the 9th network is
/// not mistaken for the 1st.
struct NetworkSymbol {
    const char* colour; ///< "#rrggbb"
    const char* shape;  ///< "circle", "square", "triangle" or "diamond" (QGIS marker names)
};

/// The symbol of the `index`-th network (0-based; give the largest networks the first indices).
NetworkSymbol network_symbol(std::size_t index);

} // namespace maillage::model
