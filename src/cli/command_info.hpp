#pragma once

#include "basic_command.hpp"

#include "maillage/io/inspect.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/io/zone_reader.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace maillage::cli {

/// maillage info: a vector file described (layers, CRS, fields, extent) with the problems
/// maillage would meet in it, as text or JSON on stdout. With --role sites|zones: the file read
/// by the reader of `analyse`, with its options, and what it would read (or its error).
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
    /// --role: "sites", "zones", or empty (the plain description).
    [[nodiscard]] const std::string& role() const { return m_role; }
    /// The reader options of --role sites / --role zones (path set), once setup() has run.
    [[nodiscard]] const io::SiteReadOptions& site_options() const { return m_sites; }
    [[nodiscard]] const io::ZoneReadOptions& zone_options() const { return m_zones; }

private:
    /// The description as `--json` prints it (and as the text is printed from).
    [[nodiscard]] nlohmann::ordered_json to_json(const io::DatasetInfo& info) const;
    /// Checks --role and the options that go with it (usage_error).
    void check_role(const po::variables_map& vm);
    /// --role sites / zones: what analyse would read, as JSON (the reader's errors thrown).
    [[nodiscard]] nlohmann::ordered_json read_as_sites() const;
    [[nodiscard]] nlohmann::ordered_json read_as_zones() const;

    po::positional_options_description m_pos;
    std::string m_path;
    io::InspectOptions m_options;
    bool m_json = false;
    std::string m_role;
    bool m_strict = false;
    io::SiteReadOptions m_sites;
    io::ZoneReadOptions m_zones;
};

} // namespace maillage::cli
