#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace maillage::io {

/// Writes a run's outputs into a hidden staging folder inside the output folder and moves them
/// into place only when the whole run succeeded: a failed or killed run leaves the previous
/// outputs as they were. Staging folders left by killed runs are removed by the next run.
class StagedOutput {
public:
    /// Creates `dir` if needed; throws input_error if it cannot be created or written.
    explicit StagedOutput(std::filesystem::path dir);
    ~StagedOutput();
    StagedOutput(const StagedOutput&) = delete;
    StagedOutput& operator=(const StagedOutput&) = delete;

    /// Where to write the output `name` while staging; remembered for commit().
    std::filesystem::path path(const std::string& name);

    /// Moves every staged output into the output folder (one rename each) and removes the
    /// staging folder.
    void commit();

    [[nodiscard]] const std::filesystem::path& dir() const { return m_dir; }
    [[nodiscard]] const std::vector<std::string>& names() const { return m_names; }

private:
    std::filesystem::path m_dir;
    std::filesystem::path m_staging;
    std::vector<std::string> m_names;
    bool m_committed = false;
    bool m_created = false; ///< the output folder did not exist before this run
};

} // namespace maillage::io
