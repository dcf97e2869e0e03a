#pragma once

// GDAL's process-wide set-up, for whoever uses GDAL: the readers of io, and the analysis for
// its in-memory rasterisation. No GDAL header here.

#include <string>

namespace maillage::geo {

/// Registers GDAL's drivers once and routes GDAL's messages to CPLGetLastErrorMsg instead of
/// stderr.
void init_gdal();

/// Last GDAL error message, or "unknown error".
std::string gdal_last_error();

} // namespace maillage::geo
