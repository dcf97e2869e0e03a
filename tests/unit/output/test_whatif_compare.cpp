// output::compare_with_full_rerun (whatif --verify) on hand-made results: three cells (one
// outside the study area), two zones, two sites. The expected messages are written out here
// from the format whatif --verify prints, not taken from the code.

#include "maillage/output/whatif_outputs.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

namespace {

using maillage::analysis::AnalysisResult;
using maillage::analysis::WhatIfResult;
using maillage::output::compare_with_full_rerun;

/// A full rerun: cells 0 and 2 in zones 0 and 1, cell 1 outside.
AnalysisResult full_rerun() {
    AnalysisResult r;
    r.grid.zone = {0, -1, 1};
    r.cell_m = {1000.0, 0.0, 2500.0};
    r.cell_km = {1.0F, NAN, 2.5F};
    r.cell_site = {0, 0, 1};
    r.zones.resize(2);
    r.zones[0].nearest_site = 0;
    r.zones[0].mean_m = 1000.0;
    r.zones[1].nearest_site = 1;
    r.zones[1].mean_m = 2500.0;
    r.sites.resize(2);
    r.sites[0].catchment_population = 10.0;
    r.sites[1].catchment_population = 20.0;
    r.sites[1].zone = 1;
    r.distribution.total = 30.0;
    r.distribution.mean_m = 2000.0;
    r.distribution.coverage = {0.0, 0.3, 1.0};
    return r;
}

/// The incremental result that agrees with it.
WhatIfResult incremental_of(const AnalysisResult& full) {
    WhatIfResult w;
    w.cell_m = full.cell_m;
    w.cell_km = full.cell_km;
    w.cell_site = full.cell_site;
    w.zones = full.zones;
    w.site_results = full.sites;
    w.distribution = full.distribution;
    w.population_beyond = full.population_beyond;
    return w;
}

TEST(WhatIfCompare, IdenticalResultsHaveNoDifference) {
    const auto full = full_rerun();
    EXPECT_TRUE(compare_with_full_rerun(incremental_of(full), full, 10).empty());
}

TEST(WhatIfCompare, CellsOutsideTheStudyAreaAreNotCompared) {
    const auto full = full_rerun();
    auto w = incremental_of(full);
    w.cell_m[1] = 7.0;
    w.cell_site[1] = 1;
    EXPECT_TRUE(compare_with_full_rerun(w, full, 10).empty());
}

TEST(WhatIfCompare, DifferencesInOrderCellsZonesSitesDistribution) {
    const auto full = full_rerun();
    auto w = incremental_of(full);
    w.distribution.p90_m = 1.5;
    w.site_results[1].zone = 0;
    w.zones[1].mean_m = 2500.5;
    w.zones[0].sites_within = 3;
    w.cell_site[2] = 0;
    w.distribution.coverage[1] = 0.4;
    const std::vector<std::string> expected{
        "cell site 2: incremental 0, full rerun 1",
        "zone sites within 0: incremental 3, full rerun 0",
        "zone mean (m) 1: incremental 2500.5, full rerun 2500",
        "site zone 1: incremental 0, full rerun 1",
        "p90 0: incremental 1.5, full rerun 0",
        "coverage curve differs",
    };
    EXPECT_EQ(compare_with_full_rerun(w, full, 10), expected);
    // Only the first ones are kept.
    EXPECT_EQ(compare_with_full_rerun(w, full, 2),
              std::vector<std::string>(expected.begin(), expected.begin() + 2));
}

TEST(WhatIfCompare, RasterDistanceComparedAsFloat) {
    const auto full = full_rerun();
    auto w = incremental_of(full);
    w.cell_km[0] = 1.25F;
    EXPECT_EQ(compare_with_full_rerun(w, full, 10),
              std::vector<std::string>{"cell distance (km, raster) 0: incremental 1.25, full "
                                       "rerun 1"});
}

TEST(WhatIfCompare, ResultsOfAnotherShapeAreOneDifference) {
    const auto full = full_rerun();
    auto w = incremental_of(full);
    w.zones.pop_back();
    EXPECT_EQ(
        compare_with_full_rerun(w, full, 10),
        std::vector<std::string>{"the full rerun has another grid, zone count or site count"});
}

} // namespace
