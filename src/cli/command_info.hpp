#pragma once

#include "command.hpp"
#include "logger.hpp"
#include "option_groups.hpp"

#include "maillage/io/inspect.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage info: a vector file described (layers, CRS, fields, extent) with the problems
/// maillage would meet in it, as text or JSON on stdout.
class CommandInfo : public Command {
public:
    CommandInfo();
    [[nodiscard]] const char* name() const override { return "info"; }
    [[nodiscard]] const char* synopsis() const override;
    void setup(const std::vector<std::string>& args) override;
    int run() override;
    [[nodiscard]] std::string help() const override;
    [[nodiscard]] const Logger& logger() const override { return m_log; }

    /// The values of the options, once setup() has run.
    [[nodiscard]] const CommonOptions& common() const { return m_common; }
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] const io::InspectOptions& options() const { return m_options; }
    /// --json.
    [[nodiscard]] bool json() const { return m_json; }

private:
    /// The description as `--json` prints it (and as the text is printed from).
    [[nodiscard]] nlohmann::ordered_json to_json(const io::DatasetInfo& info) const;

    po::options_description m_all{help_width};
    po::positional_options_description m_pos;
    CommonOptions m_common;
    Logger m_log;
    std::string m_path;
    io::InspectOptions m_options;
    bool m_json = false;
};

} // namespace maillage::cli
