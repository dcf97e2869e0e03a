#pragma once

// Number formatting shared by the writers, the summaries and the report.

#include <string>

namespace maillage::core {

/// Rounds to `decimals` decimal places (4 for km, as the outputs promise).
double round_to(double value, int decimals);

/// `s` without its leading and trailing spaces, tabs, CR and LF.
std::string trim(const std::string& s);

} // namespace maillage::core
