#include "maillage/core/error.hpp"
#include "maillage/io/group_names.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

namespace {

std::string write_csv(const std::string& name, const std::string& text) {
    const auto path = std::filesystem::temp_directory_path() / name;
    std::ofstream(path) << text;
    return path.string();
}

} // namespace

TEST(GroupNames, TheShippedDepartmentsFileNamesTheTwelveDepartments) {
    // geodata/SOURCES.md: 12 features (code, nom), departments 01 03 07 15 26 38 42 43 63 69 73 74.
    const auto names = maillage::io::read_group_names(
        MAILLAGE_GEODATA "/departements-aura-adminexpress-2018.geojson");
    EXPECT_EQ(names.size(), 12U);
    EXPECT_EQ(names.at("38"), "Isère");
    EXPECT_EQ(names.at("63"), "Puy-de-Dôme");
    EXPECT_EQ(names.at("01"), "Ain");
}

TEST(GroupNames, ACsvWithUsualColumnNames) {
    const auto path =
        write_csv("maillage_group_names.csv", "INSEE_DEP,NOM_DEP\n38,Isère\n73,Savoie\n");
    const auto names = maillage::io::read_group_names(path);
    EXPECT_EQ(names.size(), 2U);
    EXPECT_EQ(names.at("73"), "Savoie");
}

TEST(GroupNames, MissingFieldsOrTwoNamesForACodeAreNamedErrors) {
    const auto no_name = write_csv("maillage_group_noname.csv", "code,population\n38,1\n");
    try {
        maillage::io::read_group_names(no_name);
        FAIL() << "no error";
    } catch (const maillage::input_error& e) {
        EXPECT_NE(std::string(e.what()).find("no name field"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("code, population"), std::string::npos) << e.what();
    }
    const auto twice = write_csv("maillage_group_twice.csv", "code,nom\n38,Isère\n38,Savoie\n");
    EXPECT_THROW(maillage::io::read_group_names(twice), maillage::input_error);
}
