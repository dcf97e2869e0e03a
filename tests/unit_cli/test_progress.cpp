// The progress bar on a terminal (Logger::progress with a bar): what a terminal shows once the
// carriage returns have overwritten the bar, read back from stderr.

#include "logger.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

namespace maillage::cli::test {
namespace {

/// The lines a terminal shows for `text`: '\r' goes back to the start of the line, '\n' starts a
/// new one, any other character overwrites the one under the cursor.
std::vector<std::string> screen(const std::string& text) {
    std::vector<std::string> lines(1);
    std::size_t col = 0;
    for (const char c : text) {
        if (c == '\r') {
            col = 0;
        } else if (c == '\n') {
            lines.emplace_back();
            col = 0;
        } else {
            auto& line = lines.back();
            if (col < line.size()) {
                line[col] = c;
            } else {
                line.push_back(c);
            }
            ++col;
        }
    }
    if (lines.back().empty()) {
        lines.pop_back();
    }
    return lines;
}

TEST(ProgressBar, EveryPhaseKeepsItsLine) {
    const Logger log(Logger::Format::text, false);
    testing::internal::CaptureStderr();
    {
        const auto progress = log.progress(true, false);
        progress("grid", 0.0);
        progress("grid", 1.0);
        progress("grid", 1.0); // reported again: no second line
        progress("by type", 0.0);
        progress("by type", 0.5);
        log.info("a message while a bar is drawn");
        progress("by type", 1.0);
        progress("write", 0.0);
        progress("write", 0.4); // left before 100 %: keeps its line at 40 %
        progress("other", 0.0);
        progress("other", 1.0);
    }
    const auto lines = screen(testing::internal::GetCapturedStderr());
    ASSERT_EQ(lines.size(), 6U) << testing::PrintToString(lines);
    const std::regex done(R"(^(\S+( \S+)?) +\[#{30}\] 100%  \d+\.\d\d s$)");
    std::smatch m;
    ASSERT_TRUE(std::regex_match(lines[0], m, done)) << lines[0];
    EXPECT_EQ(m[1], "grid");
    EXPECT_EQ(lines[1].rfind("by type", 0), 0U) << lines[1];
    EXPECT_NE(lines[1].find(" 50%"), std::string::npos) << lines[1];
    EXPECT_EQ(lines[2], "maillage: a message while a bar is drawn");
    ASSERT_TRUE(std::regex_match(lines[3], m, done)) << lines[3];
    EXPECT_EQ(m[1], "by type");
    EXPECT_EQ(lines[4], "write        [############..................]  40%");
    ASSERT_TRUE(std::regex_match(lines[5], m, done)) << lines[5];
    EXPECT_EQ(m[1], "other");
}

TEST(ProgressLog, OneLinePerPhaseWithoutTerminal) {
    const Logger log(Logger::Format::text, false);
    testing::internal::CaptureStderr();
    {
        const auto progress = log.progress(false, false);
        progress("grid", 0.0);
        progress("grid", 1.0);
        progress("by type", 0.0);
        progress("by type", 0.5);
        progress("by type", 1.0);
        progress("by type", 1.0); // the per-type steps end at 1.0, then the phase's own 1.0
        progress("write", 1.0);   // a phase that reports only its end is logged too
    }
    // While captured, stderr is a file: the log has no bar.
    const std::string err = testing::internal::GetCapturedStderr();
    const auto lines = screen(err);
    ASSERT_EQ(lines.size(), 3U) << err;
    const std::regex line(R"(^maillage: (grid|by type|write): done in \d+\.\d\d s$)");
    std::smatch m;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        ASSERT_TRUE(std::regex_match(lines[i], m, line)) << lines[i];
        EXPECT_EQ(m[1], std::vector<std::string>({"grid", "by type", "write"})[i]);
    }
    EXPECT_EQ(err.find('\r'), std::string::npos);
}

} // namespace
} // namespace maillage::cli::test
