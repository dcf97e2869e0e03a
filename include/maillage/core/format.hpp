#pragma once

// Number formatting shared by the writers, the summaries and the report.

namespace maillage::core {

/// Rounds to `decimals` decimal places (4 for km, as the outputs promise).
double round_to(double value, int decimals);

} // namespace maillage::core
