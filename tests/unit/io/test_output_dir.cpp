// StagedOutput: outputs appear in the folder only on commit(); without it, the folder is left
// exactly as it was.

#include "maillage/core/error.hpp"
#include "maillage/io/output_dir.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <functional>
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

/// Entries of dir, except the hidden staging folder and lock file the class documents.
std::map<std::string, std::string> visible_snapshot(const fs::path& dir) {
    auto all = snapshot(dir);
    for (auto it = all.begin(); it != all.end();) {
        if (it->first.rfind(".maillage-staging-", 0) == 0 || it->first == ".maillage.lock") {
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
        // And nothing else: the staging folder is gone; the lock stays until the end of the run.
        const std::map<std::string, std::string> expected{{"zones.geojson", "{\"zones\": 1}"},
                                                          {"summary.json", "{\"summary\": 2}"}};
        EXPECT_EQ(visible_snapshot(out), expected);
        EXPECT_EQ(snapshot(out).size(), 3U);
    }
    // After the run, only the outputs: the lock file is removed too.
    const std::map<std::string, std::string> expected{{"zones.geojson", "{\"zones\": 1}"},
                                                      {"summary.json", "{\"summary\": 2}"}};
    EXPECT_EQ(snapshot(out), expected);
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

// --- Locks, dead runs and interrupted commits ------------------------------------------------

namespace {

/// The folder a dead run leaves: .maillage-staging-<pid>-<suffix>/ with its lock file (no longer
/// held: the kernel releases flock locks of dead processes) and the given files.
fs::path dead_staging(const fs::path& dir, const std::map<std::string, std::string>& files) {
    const fs::path p = dir / ".maillage-staging-999999999-Dead01";
    fs::create_directories(p);
    write_file(p / ".lock", "");
    for (const auto& [name, text] : files) {
        write_file(p / name, text);
    }
    return p;
}

std::string message_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const std::exception& e) {
        return e.what();
    }
    return "(no exception)";
}

} // namespace

TEST(StagedOutputLock, ASecondRunOnTheSameFolderIsRefusedWithThePidOfTheFirst) {
    TempDir tmp;
    write_file(tmp.path() / "summary.json", "previous");
    {
        maillage::io::StagedOutput first(tmp.path());
        write_file(first.path("summary.json"), "first");
        const std::string m = message_of([&] { maillage::io::StagedOutput second(tmp.path()); });
        EXPECT_NE(m.find("PID " + std::to_string(::getpid())), std::string::npos) << m;
        EXPECT_NE(m.find(tmp.path().string()), std::string::npos) << m;
        EXPECT_NE(m.find("another maillage run"), std::string::npos) << m;
        EXPECT_THROW(maillage::io::StagedOutput{tmp.path()}, maillage::input_error);
        // The refused run touched nothing of the first one.
        first.commit();
    }
    EXPECT_EQ(read_file(tmp.path() / "summary.json"), "first");
    // Once the first run is over, the folder is free again.
    {
        maillage::io::StagedOutput third(tmp.path());
        write_file(third.path("summary.json"), "third");
        third.commit();
    }
    const std::map<std::string, std::string> expected{{"summary.json", "third"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutputLock, StaleLockFileOfAKilledRunDoesNotBlock) {
    TempDir tmp;
    // A killed run leaves its lock file with its PID; the kernel released the lock itself.
    write_file(tmp.path() / ".maillage.lock", "999999999\n");
    {
        maillage::io::StagedOutput run(tmp.path());
        write_file(run.path("summary.json"), "new");
        run.commit();
    }
    const std::map<std::string, std::string> expected{{"summary.json", "new"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutputLock, SingleFileOutputsDoNotLockTheFolder) {
    TempDir tmp;
    maillage::io::StagedOutput a(tmp.path(), maillage::io::StagedOutput::Lock::none);
    maillage::io::StagedOutput b(tmp.path(), maillage::io::StagedOutput::Lock::none);
    maillage::io::StagedOutput folder(tmp.path());
    write_file(a.path("a.csv"), "a");
    write_file(b.path("b.csv"), "b");
    // Each run's staging folder survives the start of the others: they are alive.
    EXPECT_TRUE(fs::exists(a.path("a.csv")));
    EXPECT_TRUE(fs::exists(b.path("b.csv")));
    a.commit();
    b.commit();
    EXPECT_EQ(read_file(tmp.path() / "a.csv"), "a");
    EXPECT_EQ(read_file(tmp.path() / "b.csv"), "b");
}

TEST(StagedOutputLock, LiveStagingFolderOfAnotherRunIsKept) {
    TempDir tmp;
    maillage::io::StagedOutput live(tmp.path(), maillage::io::StagedOutput::Lock::none);
    write_file(live.path("near.csv"), "being written");
    {
        maillage::io::StagedOutput other(tmp.path());
        write_file(other.path("summary.json"), "x");
        other.commit();
    }
    EXPECT_EQ(read_file(live.path("near.csv")), "being written");
    live.commit();
    EXPECT_EQ(read_file(tmp.path() / "near.csv"), "being written");
}

TEST(StagedOutputLock, StagingFolderOfADeadRunIsRemovedWhateverItsPid) {
    TempDir tmp;
    // The PID of this very process, as a run in another container could have had: the unheld
    // lock, not the PID, tells that the run is dead.
    const fs::path p = tmp.path() / (".maillage-staging-" + std::to_string(::getpid()) + "-Old001");
    fs::create_directories(p);
    write_file(p / ".lock", "");
    write_file(p / "zones.geojson", "partial");
    {
        maillage::io::StagedOutput run(tmp.path());
        EXPECT_FALSE(fs::exists(p));
    }
    EXPECT_TRUE(snapshot(tmp.path()).empty());
}

TEST(StagedOutputJournal, CommitInterruptedBetweenTwoRenamesIsCompletedByTheNextRun) {
    TempDir tmp;
    // Before the interrupted run: the outputs of an older run.
    write_file(tmp.path() / "a.geojson", "old a");
    write_file(tmp.path() / "b.geojson", "old b");
    write_file(tmp.path() / "run.json", "old record");
    write_file(tmp.path() / "notes.txt", "the user's");
    // The interrupted run had written everything, its journal, and moved a.geojson only.
    write_file(tmp.path() / "a.geojson", "new a");
    const fs::path p = dead_staging(
        tmp.path(), {{"b.geojson", "new b"},
                     {"run.json", "new record"},
                     {".commit", R"({"names": ["a.geojson", "b.geojson", "run.json"]})"}});
    {
        maillage::io::StagedOutput next(tmp.path());
        EXPECT_EQ(next.completed_interrupted_commits(), 1);
        EXPECT_FALSE(fs::exists(p));
        // Completed before the next run does anything: every output is the interrupted run's.
        EXPECT_EQ(read_file(tmp.path() / "a.geojson"), "new a");
        EXPECT_EQ(read_file(tmp.path() / "b.geojson"), "new b");
        EXPECT_EQ(read_file(tmp.path() / "run.json"), "new record");
        // The next run fails: it changes nothing more.
    }
    const std::map<std::string, std::string> expected{{"a.geojson", "new a"},
                                                      {"b.geojson", "new b"},
                                                      {"run.json", "new record"},
                                                      {"notes.txt", "the user's"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutputJournal, StagingFolderWithoutJournalIsDiscarded) {
    TempDir tmp;
    write_file(tmp.path() / "a.geojson", "old a");
    // Killed before its journal: nothing had been moved, the previous outputs stay.
    dead_staging(tmp.path(), {{"a.geojson", "new a"}, {".commit.tmp", "{\"names\": [\"a.ge"}});
    {
        maillage::io::StagedOutput next(tmp.path());
        EXPECT_EQ(next.completed_interrupted_commits(), 0);
    }
    const std::map<std::string, std::string> expected{{"a.geojson", "old a"}};
    EXPECT_EQ(snapshot(tmp.path()), expected);
}

TEST(StagedOutputJournal, OnlyARunHoldingTheFolderCompletesAJournal) {
    TempDir tmp;
    write_file(tmp.path() / "a.geojson", "old a");
    const fs::path p = dead_staging(
        tmp.path(), {{"a.geojson", "new a"}, {".commit", R"({"names": ["a.geojson"]})"}});
    {
        maillage::io::StagedOutput single(tmp.path(), maillage::io::StagedOutput::Lock::none);
        EXPECT_EQ(single.completed_interrupted_commits(), 0);
        EXPECT_TRUE(fs::exists(p / ".commit"));
    }
    EXPECT_EQ(read_file(tmp.path() / "a.geojson"), "old a");
    {
        maillage::io::StagedOutput folder(tmp.path());
        EXPECT_EQ(folder.completed_interrupted_commits(), 1);
    }
    EXPECT_EQ(read_file(tmp.path() / "a.geojson"), "new a");
    EXPECT_FALSE(fs::exists(p));
}

TEST(StagedOutputJournal, JournalNamingAFileOutsideTheFolderIsRefused) {
    TempDir tmp;
    fs::create_directories(tmp.path() / "out");
    const fs::path p =
        dead_staging(tmp.path() / "out", {{"x", "x"}, {".commit", R"({"names": ["../escaped"]})"}});
    EXPECT_THROW(maillage::io::StagedOutput{tmp.path() / "out"}, maillage::runtime_failure);
    EXPECT_FALSE(fs::exists(tmp.path() / "escaped"));
    EXPECT_TRUE(fs::exists(p / "x"));
}

TEST(StagedOutputJournal, AFolderInTheWayStopsTheCommitBeforeAnyRename) {
    TempDir tmp;
    write_file(tmp.path() / "a.geojson", "old a");
    fs::create_directories(tmp.path() / "b.geojson");
    {
        maillage::io::StagedOutput run(tmp.path());
        write_file(run.path("a.geojson"), "new a");
        write_file(run.path("b.geojson"), "new b");
        const std::string m = message_of([&] { run.commit(); });
        EXPECT_NE(m.find("b.geojson"), std::string::npos) << m;
        EXPECT_NE(m.find("is a folder"), std::string::npos) << m;
    }
    EXPECT_EQ(read_file(tmp.path() / "a.geojson"), "old a");
    EXPECT_TRUE(fs::is_directory(tmp.path() / "b.geojson"));
    EXPECT_EQ(snapshot(tmp.path()).size(), 2U);
}

TEST(WriteFailureReason, NamesTheCause) {
    TempDir tmp;
    const fs::path f = tmp.path() / "zones.geojson";
    const std::string full = maillage::io::write_failure_reason(f, ENOSPC);
    EXPECT_NE(full.find("the disk is full"), std::string::npos) << full;
    const std::string limit = maillage::io::write_failure_reason(f, EFBIG);
    EXPECT_NE(limit.find("file size limit"), std::string::npos) << limit;
    // errno values that say nothing about writing are ignored by disk_errno.
    EXPECT_EQ(maillage::io::disk_errno(ENOENT), 0);
    EXPECT_EQ(maillage::io::disk_errno(ENOSPC), ENOSPC);
}

TEST(RemoveAbandonedFolders, OnlyThoseOfDeadRuns) {
    TempDir tmp;
    const fs::path dead = tmp.path() / "maillage-pg-999999999";
    const fs::path alive = tmp.path() / ("maillage-pg-" + std::to_string(::getpid()));
    fs::create_directories(dead / ".maillage-staging-999999999-Dead01");
    write_file(dead / ".maillage.lock", "999999999\n");
    write_file(dead / ".maillage-staging-999999999-Dead01" / "maillage.gpkg", "partial");
    fs::create_directories(alive);
    write_file(alive / "maillage.gpkg", "being written");
    write_file(tmp.path() / "maillage-pg-notes.txt", "a file, not a run folder");
    fs::create_directories(tmp.path() / "other-999999999");
    maillage::io::remove_abandoned_folders(tmp.path(), "maillage-pg-");
    EXPECT_FALSE(fs::exists(dead));
    EXPECT_EQ(read_file(alive / "maillage.gpkg"), "being written");
    EXPECT_TRUE(fs::exists(tmp.path() / "maillage-pg-notes.txt"));
    EXPECT_TRUE(fs::exists(tmp.path() / "other-999999999"));
}
