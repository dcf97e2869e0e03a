#pragma once

// Number formatting shared by the writers, the summaries and the report.

#include <string>

namespace maillage::core {

/// Rounds to `decimals` decimal places (4 for km, as the outputs promise).
double round_to(double value, int decimals);

/// A number for a message or a label: `significant` significant digits, printf's %g (no
/// trailing zeros; exponent notation for very large or small values). The one number formatter
/// of the messages, the QGIS styles and the population grid reports.
std::string format_number(double value, int significant = 10);

/// Text escaped for XML and HTML attributes and content (& < > " ').
std::string xml_escape(const std::string& s);

/// `s` without its leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

} // namespace maillage::core
