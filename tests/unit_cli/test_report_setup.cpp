// setup() of maillage report: its own options and the common ones it shares (--quiet,
// --log-format, --config, --help).

#include "cli_test_support.hpp"
#include "command_report.hpp"
#include "commands.hpp"

#include <gtest/gtest.h>

namespace maillage::cli::test {
namespace {

TEST(ReportSetup, GoodCommandLineGivesItsValues) {
    CommandReport cmd;
    cmd.setup({"--run", "r", "--previous", "p", "--out", "rep", "--lang", "en", "--quiet",
               "--log-format", "json"});
    EXPECT_EQ(cmd.options().run_dir, "r");
    EXPECT_EQ(cmd.options().previous_dir, "p");
    EXPECT_EQ(cmd.options().out_dir, "rep");
    EXPECT_EQ(cmd.options().lang, "en");
    EXPECT_TRUE(cmd.logger().quiet());
    EXPECT_EQ(cmd.logger().format(), Logger::Format::json);
}

TEST(ReportSetup, Defaults) {
    CommandReport cmd;
    cmd.setup({"--run", "r"});
    EXPECT_EQ(cmd.options().out_dir, "report");
    EXPECT_EQ(cmd.options().lang, "fr");
    EXPECT_FALSE(cmd.logger().quiet());
    EXPECT_EQ(cmd.logger().format(), Logger::Format::text);
}

TEST(ReportSetup, HelpNeedsNoRun) {
    CommandReport cmd;
    cmd.setup({"-h"});
    EXPECT_TRUE(cmd.common().help);
}

TEST(ReportSetup, HelpListsTheNewLogFormatAndNoThreads) {
    const CommandReport cmd;
    const auto help = cmd.help();
    EXPECT_NE(help.find("--log-format"), std::string::npos);
    EXPECT_EQ(help.find("--threads"), std::string::npos);
    EXPECT_EQ(help.find("--progress"), std::string::npos);
}

TEST(ReportSetup, BadLanguageAndLogFormat) {
    expect_usage_error(&make_report, {"--run", "r", "--lang", "de"}, {"--lang", "(got 'de')"});
    expect_usage_error(&make_report, {"--run", "r", "--log-format", "xml"},
                       {"(got 'xml')", "text or json"});
    expect_usage_error(&make_report, {"--run", "r", "--treads", "2"}, {"unknown option"});
}

TEST(ReportSetup, MissingRunIsAnErrorOfBoost) {
    auto cmd = make_report();
    EXPECT_THROW(cmd->setup({"--out", "rep"}), po::required_option);
}

} // namespace
} // namespace maillage::cli::test
