// StagedOutput: outputs appear in the folder only on commit(); without it, the folder is left
// exactly as it was.

#include "maillage/error.hpp"
#include "maillage/io/output_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace fs = std::filesystem;

namespace {

/// A fresh folder under the system temp folder, removed at the end of the test.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        m_path = fs::temp_directory_path() / ("maillage-test-output-" + std::to_string(::getpid()) +
                                              "-" + std::to_string(counter++));
        fs::remove_all(m_path);
        fs::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return m_path; }

private:
    fs::path m_path;
};

void write_file(const fs::path& p, const std::string& text) {
    std::ofstream out(p, std::ios::binary);
    out << text;
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// Every entry under dir (recursively, hidden ones included) with the content of files.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        const std::string rel = fs::relative(e.path(), dir).string();
        out[rel] = e.is_regular_file() ? read_file(e.path()) : std::string("<dir>");
    }
    return out;
}

/// Entries of dir, except the hidden staging folder the class documents.
std::map<std::string, std::string> visible_snapshot(const fs::path& dir) {
    auto all = snapshot(dir);
    for (auto it = all.begin(); it != all.end();) {
        if (it->first.rfind(".maillage-staging-", 0) == 0) {
            it = all.erase(it);
        } else {
            ++it;
        }
    }
    return all;
}

} // namespace

TEST(StagedOutput, NothingAppearsBeforeCommit) {
    TempDir tmp;
    const fs::path out = tmp.path() / "out";
    write_file(tmp.path() / "sibling.txt", "untouched");
    {
        maillage::io::StagedOutput staged(out);
        ASSERT_TRUE(fs::is_directory(out));
        EXPECT_EQ(staged.dir(), out);
        const fs::path a = staged.path("zones.geojson");
        const fs::path b = staged.path("summary.json");
        // Staging paths are not the final ones.
        EXPECT_NE(a, out / "zones.geojson");
        EXPECT_NE(a.parent_path(), out);
        write_file(a, "{\"zones\": 1}");
        write_file(b, "{\"summary\": 2}");
        EXPECT_FALSE(fs::exists(out / "zones.geojson"));
        EXPECT_FALSE(fs::exists(out / "summary.json"));
        EXPECT_TRUE(visible_snapshot(out).empty());
        EXPECT_EQ(staged.names().size(), 2U);

        staged.commit();
        EXPECT_EQ(read_file(out / "zones.geojson"), "{\"zones\": 1}");
        EXPECT_EQ(read_file(out / "summary.json"), "{\"summary\": 2}");
        // And nothing else: the staging folder is gone.
        const std::map<std::string, std::string> expected{{"zones.geojson", "{\"zones\": 1}"},
                                                          {"summary.json", "{\"summary\": 2}"}};
        EXPECT_EQ(snapshot(out), expected);
    }
    // Destruction after commit changes nothing.
    EXPECT_EQ(read_file(out / "zones.geojson"), "{\"zones\": 1}");
    EXPECT_EQ(read_file(tmp.path() / "sibling.txt"), "untouched");
}

TEST(StagedOutput, CommitReplacesPreviousOutputs) {
    TempDir tmp;
    write_file(tmp.path() / "summary.json", "old");
    write_file(tmp.path() / "notes.txt", "mine");
    {
        maillage::io::StagedOutput staged(tmp.path());
        write_file(staged.path("summary.json"), "new");
        EXPECT_EQ(read_file(tmp.path() / "summary.json"), "old");
        staged.commit();
    }
    const std::map<std::string, std::string> expected{{"summary.json", "new"},
                                                      {"notes.txt", "mine"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutput, NoCommitLeavesTheFolderExactlyAsBefore) {
    TempDir tmp;
    fs::create_directories(tmp.path() / "sub");
    write_file(tmp.path() / "summary.json", "previous run");
    write_file(tmp.path() / "sub" / "keep.txt", "kept");
    const auto before = snapshot(tmp.path());
    {
        maillage::io::StagedOutput staged(tmp.path());
        write_file(staged.path("summary.json"), "failed run");
        write_file(staged.path("zones.geojson"), "partial");
        EXPECT_EQ(read_file(tmp.path() / "summary.json"), "previous run");
        // the run fails here: no commit
    }
    EXPECT_EQ(snapshot(tmp.path()), before);
    EXPECT_EQ(read_file(tmp.path() / "summary.json"), "previous run");
}

TEST(StagedOutput, NamesWithoutFilesAreSkippedOnCommit) {
    TempDir tmp;
    {
        maillage::io::StagedOutput staged(tmp.path());
        (void)staged.path("never-written.tif");
        (void)staged.path("written.txt");
        (void)staged.path("written.txt"); // asked twice, listed once
        EXPECT_EQ(staged.names().size(), 2U);
        write_file(staged.path("written.txt"), "x");
        staged.commit();
    }
    const std::map<std::string, std::string> expected{{"written.txt", "x"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutput, StaleStagingFolderOfADeadRunIsRemoved) {
    TempDir tmp;
    // A pid above any pid_max (4194304 at most on Linux): that run is certainly gone.
    const fs::path stale = tmp.path() / ".maillage-staging-999999999";
    fs::create_directories(stale);
    write_file(stale / "zones.geojson", "left by a killed run");
    write_file(tmp.path() / "summary.json", "previous");
    {
        maillage::io::StagedOutput staged(tmp.path());
        EXPECT_FALSE(fs::exists(stale));
    }
    const std::map<std::string, std::string> expected{{"summary.json", "previous"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutput, UncreatableFolderThrowsInputError) {
    TempDir tmp;
    // A folder cannot be created under a regular file, even by root.
    const fs::path file = tmp.path() / "x-file";
    write_file(file, "a file, not a folder");
    EXPECT_THROW(maillage::io::StagedOutput(file / "out"), maillage::input_error);
    try {
        maillage::io::StagedOutput staged(file / "out");
    } catch (const maillage::input_error& e) {
        EXPECT_NE(std::string(e.what()).find("x-file"), std::string::npos) << e.what();
    }
    // The output path itself being a regular file.
    EXPECT_THROW(maillage::io::StagedOutput{file}, maillage::input_error);
    EXPECT_EQ(read_file(file), "a file, not a folder");
}

TEST(StagedOutput, FailedRunRemovesTheFolderItCreated) {
    TempDir tmp;
    const auto out = tmp.path() / "new-out";
    {
        maillage::io::StagedOutput staged(out);
        std::ofstream(staged.path("zones.geojson")) << "{}";
        EXPECT_TRUE(fs::exists(out));
    }
    EXPECT_FALSE(fs::exists(out))
        << "a run that fails must not leave an empty output folder behind";
}
