// rethrow_with_context: the context put before the message, the type kept.

#include "maillage/core/error.hpp"

#include <gtest/gtest.h>

#include <new>
#include <string>

namespace maillage {
namespace {

/// Throws `e` and rethrows it with the context "zone 12: ".
template <class E> void throw_in_context(const E& e) {
    try {
        throw e;
    } catch (const std::exception&) {
        rethrow_with_context("zone 12: ");
    }
}

TEST(RethrowWithContext, InputErrorStaysInputError) {
    try {
        throw_in_context(input_error("bad coordinates"));
        FAIL() << "no exception";
    } catch (const input_error& e) {
        EXPECT_STREQ(e.what(), "zone 12: bad coordinates");
    }
}

TEST(RethrowWithContext, ValueAndUsageErrorsKeepTheirType) {
    EXPECT_THROW(throw_in_context(value_error("x")), value_error);
    EXPECT_THROW(throw_in_context(usage_error("x")), usage_error);
}

TEST(RethrowWithContext, RuntimeFailureKeepsItsMessage) {
    try {
        throw_in_context(runtime_failure("GEOS union failed: x"));
        FAIL() << "no exception";
    } catch (const input_error&) {
        FAIL() << "became an input_error";
    } catch (const runtime_failure& e) {
        EXPECT_STREQ(e.what(), "zone 12: GEOS union failed: x");
    }
}

TEST(RethrowWithContext, OtherExceptionsBecomeRuntimeFailures) {
    try {
        throw_in_context(std::bad_alloc());
        FAIL() << "no exception";
    } catch (const runtime_failure& e) {
        EXPECT_EQ(std::string(e.what()), std::string("zone 12: ") + std::bad_alloc().what());
    }
}

} // namespace
} // namespace maillage
