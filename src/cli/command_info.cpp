// maillage info: a vector file described, with the problems maillage would meet in it.

#include "command_info.hpp"
#include "commands.hpp"

#include "maillage/io/postgis.hpp"

#include <iostream>
#include <sstream>

namespace maillage::cli {
namespace {

/// The description as text on stdout, from its JSON form.
void print_text(const nlohmann::ordered_json& j) {
    std::cout << j["path"].get<std::string>() << " (" << j["driver"].get<std::string>() << ")\n";
    for (const auto& l : j["layers"]) {
        std::cout << "\nlayer " << l["name"].get<std::string>()
                  << "\n  CRS: " << l["crs"].get<std::string>()
                  << "\n  geometry type: " << l["geometry_type"].get<std::string>()
                  << "\n  features: " << l["features"].get<std::size_t>() << "\n  geometries:";
        for (const auto& [k, v] : l["geometries"].items()) {
            std::cout << ' ' << k << ' ' << v.get<std::size_t>();
        }
        if (l.contains("extent")) {
            const auto& e = l["extent"];
            std::cout << "\n  extent: " << e[0].get<double>() << ' ' << e[1].get<double>() << ", "
                      << e[2].get<double>() << ' ' << e[3].get<double>();
        }
        std::cout << "\n  fields:";
        for (const auto& f : l["fields"]) {
            std::cout << ' ' << f["name"].get<std::string>() << " (" << f["type"].get<std::string>()
                      << ")";
        }
        std::cout << "\n  problems:";
        if (l["problems"].empty()) {
            std::cout << " none found";
        }
        for (const auto& [k, v] : l["problems"].items()) {
            std::cout << "\n    " << k << " (" << v["count"].get<std::size_t>() << "): ";
            bool first = true;
            for (const auto& w : v["where"]) {
                std::cout << (first ? "" : ", ") << w.get<std::string>();
                first = false;
            }
        }
        std::cout << '\n';
    }
}

} // namespace

CommandInfo::CommandInfo() {
    po::options_description d("Options", help_width);
    d.add_options()("path", po::value<std::string>(&m_path)->required(),
                    "file to describe (also the first positional argument)")(
        "id", po::value<std::string>(&m_options.id_field),
        "id field to check for duplicates (default: id, else code)")(
        "population",
        po::value<std::string>(&m_options.population_field)->default_value("population"),
        "population field to check")("json", po::bool_switch(&m_json),
                                     "print JSON instead of text");
    m_common.add_to(d, CommonOptions::Scope::files);
    m_all.add(d);
    m_pos.add("path", 1);
}

const char* CommandInfo::synopsis() const {
    return "describe a vector file and the problems maillage would meet in it";
}

void CommandInfo::setup(const std::vector<std::string>& args) {
    // --help before parsing: the path is required, and the help must not need it.
    if (asks_for_help(args)) {
        m_common.help = true;
        return;
    }
    const auto vm = parse(args, m_all, &m_pos, {});
    m_common.validate(vm);
    m_log = m_common.logger();
}

int CommandInfo::run() {
    if (m_common.help) {
        std::cout << help();
        return 0;
    }
    const auto j = to_json(io::inspect_vector(m_path, m_options));
    if (m_json) {
        std::cout << j.dump(2) << '\n';
    } else {
        print_text(j);
    }
    return 0;
}

std::string CommandInfo::help() const {
    std::ostringstream o;
    o << "Usage: maillage info PATH [--id FIELD] [--population FIELD] [--json]\n\n"
      << "Driver, layers, CRS, geometry types, feature counts, fields, extent, and the "
         "problems\n"
      << "found: null or invalid geometries, duplicate ids, coordinates out of range, lat/lon\n"
      << "that look swapped, population missing or negative.\n\n"
      << m_all;
    return o.str();
}

nlohmann::ordered_json CommandInfo::to_json(const io::DatasetInfo& info) const {
    nlohmann::ordered_json j;
    j["path"] = io::redact_connection(m_path);
    j["driver"] = info.driver;
    j["layers"] = nlohmann::ordered_json::array();
    for (const auto& layer : info.layers) {
        nlohmann::ordered_json l;
        l["name"] = layer.name;
        l["crs"] = layer.crs;
        l["geometry_type"] = layer.geometry_type;
        auto fields = nlohmann::ordered_json::array();
        for (const auto& f : layer.fields) {
            fields.push_back({{"name", f.name}, {"type", f.type}});
        }
        l["fields"] = fields;
        l["features"] = layer.features;
        auto gt = nlohmann::ordered_json::object();
        for (const auto& [k, v] : layer.geometries) {
            gt[k] = v;
        }
        l["geometries"] = gt;
        if (layer.extent) {
            const auto& e = *layer.extent;
            l["extent"] = {e[0], e[1], e[2], e[3]};
        }
        auto pr = nlohmann::ordered_json::object();
        for (const auto& [k, v] : layer.problems) {
            pr[k] = {{"count", v.count}, {"where", v.where}};
        }
        l["problems"] = pr;
        j["layers"].push_back(l);
    }
    return j;
}

std::unique_ptr<Command> make_info() { return std::make_unique<CommandInfo>(); }

} // namespace maillage::cli
