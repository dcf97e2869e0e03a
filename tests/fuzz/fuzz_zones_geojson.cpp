// libFuzzer harness: maillage::io::read_zones on the input as a GeoJSON file (GDAL's GeoJSON
// driver through /vsimem/), as `maillage analyse --zones x.geojson` reads it, then the checks
// the analysis relies on: every zone has an id, a finite non-negative population and a valid,
// non-empty (multi)polygon. Odd-sized inputs are read with --strict.
// Seeds: tests/data/**/zones*.geojson (scripts/fuzz.sh).

#include "fuzz_support.hpp"

#include "maillage/geo/geos.hpp"
#include "maillage/io/zone_reader.hpp"

#include <geos_c.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
    maillage::fuzz::init();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace maillage;
    const fuzz::MemFile file("/vsimem/fuzz/zones.geojson", data, size);
    io::ZoneReadOptions o;
    o.path = file.path();
    o.strict = size % 2 == 1;
    fuzz::expect_documented_errors([&] {
        const auto set = io::read_zones(o);
        auto* ctx = set.ctx->get();
        for (const auto& z : set.zones) {
            if (z.id.empty() || !std::isfinite(z.population) || z.population < 0) {
                fuzz::finding("read_zones", "zone without id or population: " + z.id);
            }
            const int type = GEOSGeomTypeId_r(ctx, z.geometry.get());
            if (type != GEOS_POLYGON && type != GEOS_MULTIPOLYGON) {
                fuzz::finding("read_zones", "zone " + z.id + " is not a (multi)polygon");
            }
            if (GEOSisValid_r(ctx, z.geometry.get()) != 1 ||
                GEOSisEmpty_r(ctx, z.geometry.get()) != 0) {
                fuzz::finding("read_zones", "zone " + z.id + " is invalid or empty");
            }
        }
    });
    return 0;
}
