#pragma once

#include "maillage/core/error.hpp"

namespace maillage::geo {

namespace detail {
template <typename F> int transform_callback(double* x, double* y, void* userdata) {
    auto& f = *static_cast<F*>(userdata);
    const auto [nx, ny] = f(*x, *y);
    *x = nx;
    *y = ny;
    return 1;
}
} // namespace detail

template <typename F> GeomPtr transform_xy(const GeosContext& ctx, const GEOSGeometry* g, F&& f) {
    using Fn = std::remove_reference_t<F>;
    return own(ctx,
               GEOSGeom_transformXY_r(ctx.get(), g, &detail::transform_callback<Fn>,
                                      static_cast<void*>(&f)),
               "transform");
}

} // namespace maillage::geo
