#pragma once

#include "basic_command.hpp"

#include "maillage/io/inspect.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage info: a vector file described (layers, CRS, fields, extent) with the problems
/// maillage would meet in it, as text or JSON on stdout.
class CommandInfo : public BasicCommand {
public:
    CommandInfo();
    [[nodiscard]] const char* name() const override { return "info"; }
    [[nodiscard]] const char* synopsis() const override;
    void setup(const std::vector<std::string>& args) override;
    int run() override;
    [[nodiscard]] std::string help() const override;

    /// The values of the options, once setup() has run.
    [[nodiscard]] const std::string& path() const { return m_path; }
    [[nodiscard]] const io::InspectOptions& options() const { return m_options; }
    /// --json.
    [[nodiscard]] bool json() const { return m_json; }

private:
    /// The description as `--json` prints it (and as the text is printed from).
    [[nodiscard]] nlohmann::ordered_json to_json(const io::DatasetInfo& info) const;

    po::positional_options_description m_pos;
    std::string m_path;
    io::InspectOptions m_options;
    bool m_json = false;
};

} // namespace maillage::cli
