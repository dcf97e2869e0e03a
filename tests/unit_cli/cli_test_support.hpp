#pragma once

// Helpers of the tests of the commands' setup(): run setup() on a command line and catch the
// usage error it throws. The expected messages come from the CLI tests (tests/cli/
// test_bad_inputs.py with tests/data/bad/cases.json, test_access.py, test_population_grid.py,
// test_suggest.py, test_whatif.py, test_border.py), which check them on the real program.

#include "command.hpp"

#include "maillage/core/error.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace maillage::cli::test {

/// The message of the usage_error that cmd.setup(args) throws, or "" when it throws none (any
/// other exception fails the test).
inline std::string usage_message(Command& cmd, const std::vector<std::string>& args) {
    try {
        cmd.setup(args);
    } catch (const usage_error& e) {
        return e.what();
    }
    return {};
}

/// Expects setup(args) to throw a usage_error whose message holds every one of `fragments`.
template <class Make>
void expect_usage_error(Make make, const std::vector<std::string>& args,
                        const std::vector<std::string>& fragments) {
    auto cmd = make();
    const std::string message = usage_message(*cmd, args);
    ASSERT_FALSE(message.empty()) << "no usage error";
    for (const auto& f : fragments) {
        EXPECT_NE(message.find(f), std::string::npos) << "'" << f << "' not in: " << message;
    }
}

/// The shipped data folder seen by the commands, for the tests of the defaults: a made-up
/// folder, so that the defaults do not depend on where the test runs.
inline const std::string fake_data_dir = "/nonexistent/maillage-data";

/// Sets $MAILLAGE_DATA to fake_data_dir while in scope.
class FakeDataDir {
public:
    FakeDataDir() { setenv("MAILLAGE_DATA", fake_data_dir.c_str(), 1); }
    ~FakeDataDir() { unsetenv("MAILLAGE_DATA"); }
    FakeDataDir(const FakeDataDir&) = delete;
    FakeDataDir& operator=(const FakeDataDir&) = delete;
    FakeDataDir(FakeDataDir&&) = delete;
    FakeDataDir& operator=(FakeDataDir&&) = delete;
};

} // namespace maillage::cli::test
