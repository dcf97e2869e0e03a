#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace maillage::model {

/// A feature that was skipped or repaired while reading, and why.
struct Notice {
    std::string where;  ///< "line 12", "feature 7 (code 01053)"
    std::string reason; ///< with the offending value
};

/// What a reader saw: for summary.json and the log.
struct ReadReport {
    std::string path;
    std::string driver;
    std::string layer;
    std::string crs;                ///< as read, or as overridden
    std::vector<std::string> files; ///< every file of the dataset (GDAL's list, sidecars included)
    std::size_t features = 0;       ///< features read (after the attribute filter)
    std::size_t used = 0;           ///< features kept
    std::vector<Notice> skipped;
    std::vector<Notice> repaired;
    bool text_recoded = false; ///< some text was not UTF-8 and was read as Windows-1252
};

} // namespace maillage::model
