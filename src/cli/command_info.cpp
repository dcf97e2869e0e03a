// maillage info: a vector file described, with the problems maillage would meet in it.

#include "command_info.hpp"
#include "commands.hpp"

#include "analysis_inputs.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/postgis.hpp"

#include <array>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <sstream>

namespace maillage::cli {
namespace {

/// A coordinate in plain notation (never 6.33831e+06): `decimals` places, trailing zeros dropped.
std::string plain(double v, int decimals) {
    std::ostringstream o;
    o << std::fixed << std::setprecision(decimals) << v;
    std::string t = o.str();
    if (t.find('.') != std::string::npos) {
        t.erase(t.find_last_not_of('0') + 1);
        if (t.back() == '.') {
            t.pop_back();
        }
    }
    return t == "-0" ? "0" : t;
}

/// "minx miny, maxx maxy" in plain notation: 6 decimals (about 0.1 m) for degrees, 2 (cm) for
/// the coordinates of a projected layer (any beyond the lon/lat range).
std::string extent_text(const nlohmann::ordered_json& e) {
    std::array<double, 4> v{};
    bool projected = false;
    for (std::size_t i = 0; i < v.size(); ++i) {
        v.at(i) = e[i].get<double>();
        projected = projected || std::abs(v.at(i)) > 360.0;
    }
    const int d = projected ? 2 : 6;
    return plain(v[0], d) + ' ' + plain(v[1], d) + ", " + plain(v[2], d) + ' ' + plain(v[3], d);
}

/// "name value" pairs of a JSON object, or "none".
std::string pairs_text(const nlohmann::ordered_json& obj, const std::string& unit) {
    std::string out;
    for (const auto& [k, v] : obj.items()) {
        std::string value = v.is_string() ? v.get<std::string>() : v.dump();
        if (v.is_null()) {
            value = "none";
        }
        out += (out.empty() ? "" : ", ") + (k.empty() ? "(empty)" : k) + ' ' + value + unit;
    }
    return out.empty() ? "none" : out;
}

/// What --role sites/zones found, as text on stdout, from its JSON form.
void print_role_text(const nlohmann::ordered_json& j) {
    const auto role = j["role"].get<std::string>();
    std::cout << j["path"].get<std::string>() << " (" << j["driver"].get<std::string>()
              << "), read as " << role << " as maillage analyse reads them\n"
              << "  layer: " << j["layer"].get<std::string>()
              << "\n  CRS: " << j["crs"].get<std::string>();
    if (j.contains("filter") && !j["filter"].get<std::string>().empty()) {
        std::cout << "\n  filter: " << j["filter"].get<std::string>();
    }
    std::cout << "\n  fields: " << pairs_text(j["fields"], "")
              << "\n  features: " << j["features"].get<std::size_t>() << " read, "
              << j["used"].get<std::size_t>() << " used, " << j["skipped"].size() << " skipped";
    if (j.contains("repaired")) {
        std::cout << ", " << j["repaired"].size() << " repaired";
    }
    if (j.contains("population")) {
        std::cout << "\n  population: " << plain(j["population"].get<double>(), 3);
    }
    if (j.contains("types")) {
        std::cout << "\n  types: " << pairs_text(j["types"], "");
    }
    if (j.contains("groups")) {
        std::cout << "\n  groups (zones): " << pairs_text(j["groups"], "");
    }
    for (const char* list : {"skipped", "repaired"}) {
        if (!j.contains(list) || j[list].empty()) {
            continue;
        }
        std::cout << "\n  " << list << ':';
        for (const auto& n : j[list]) {
            std::cout << "\n    " << n["where"].get<std::string>() << ": "
                      << n["reason"].get<std::string>();
        }
    }
    for (const auto& w : j["warnings"]) {
        std::cout << "\n  warning: " << w.get<std::string>();
    }
    std::cout << '\n';
}

/// Notices as a JSON array of {where, reason}.
nlohmann::ordered_json notices(const std::vector<model::Notice>& list) {
    auto arr = nlohmann::ordered_json::array();
    for (const auto& n : list) {
        arr.push_back({{"where", n.where}, {"reason", n.reason}});
    }
    return arr;
}

/// What every role reports of the reader's report.
nlohmann::ordered_json report_json(const std::string& role, const std::string& path,
                                   const model::ReadReport& rep) {
    nlohmann::ordered_json j;
    j["role"] = role;
    j["path"] = io::redact_connection(path);
    j["driver"] = rep.driver;
    j["layer"] = rep.layer;
    j["crs"] = rep.crs;
    return j;
}

/// A field name, or null for none.
nlohmann::ordered_json field_or_null(const std::string& name) {
    return name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(name);
}

/// Whether an option was given (not only its default).
bool given(const po::variables_map& vm, const char* name) {
    return vm.count(name) != 0U && !vm[name].defaulted();
}

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
            std::cout << "\n  extent: " << extent_text(l["extent"]);
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
        "role", po::value<std::string>(&m_role),
        "sites or zones: read the file as analyse reads its --sites or --zones (with the options "
        "below) and say what it would read; exit 1 where analyse would fail")(
        "id", po::value<std::string>(&m_options.id_field),
        "id field to check for duplicates (default: id, else code; without --role)")(
        "json", po::bool_switch(&m_json), "print JSON instead of text");
    po::options_description r("Reading options (as for analyse; --population also without --role)",
                              help_width);
    add_site_field_options(r, m_sites);
    add_zone_field_options(r, m_zones);
    r.add_options()("strict", po::bool_switch(&m_strict),
                    "stop on the first skipped or repaired feature, as analyse --strict");
    m_common.add_to(d, CommonOptions::Scope::files);
    m_all.add(d).add(r);
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
    m_options.population_field = m_zones.population_field;
    check_role(vm);
}

void CommandInfo::check_role(const po::variables_map& vm) {
    static const std::array<const char*, 7> site_options{
        "sites-crs", "site-id", "site-name", "site-type", "site-filter", "lon-field", "lat-field"};
    static const std::array<const char*, 4> zone_options{"zones-crs", "zone-id", "zone-name",
                                                         "group-by"};
    if (!m_role.empty() && m_role != "sites" && m_role != "zones") {
        throw usage_error("--role must be sites or zones (got '" + m_role + "').");
    }
    if (!m_role.empty() && given(vm, "id")) {
        throw usage_error("--id is for the plain description; with --role, name the id field as "
                          "for analyse: --site-id or --zone-id.");
    }
    auto refuse = [&](const auto& names, const std::string& role) {
        for (const char* name : names) {
            if (given(vm, name) && m_role != role) {
                throw usage_error(std::string("--") + name + " is an option of --role " + role +
                                  (m_role.empty() ? "" : ", not of --role " + m_role) + ".");
            }
        }
    };
    refuse(site_options, "sites");
    refuse(zone_options, "zones");
    if (m_strict && m_role.empty()) {
        throw usage_error("--strict goes with --role sites or --role zones.");
    }
    if (m_role == "sites" && given(vm, "population")) {
        throw usage_error("--population is not an option of --role sites.");
    }
    m_sites.path = m_path;
    m_sites.strict = m_strict;
    m_zones.path = m_path;
    m_zones.strict = m_strict;
}

int CommandInfo::run() {
    if (m_common.help) {
        std::cout << help();
        return 0;
    }
    if (!m_role.empty()) {
        const auto j = m_role == "sites" ? read_as_sites() : read_as_zones();
        if (m_json) {
            std::cout << j.dump(2) << '\n';
        } else {
            print_role_text(j);
        }
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

nlohmann::ordered_json CommandInfo::read_as_sites() const {
    const auto set = io::read_sites(m_sites);
    const auto& rep = set.report;
    auto j = report_json("sites", m_path, rep);
    j["filter"] = m_sites.filter;
    const auto& f = set.fields;
    j["fields"] = {{"id", field_or_null(f.id)},     {"name", field_or_null(f.name)},
                   {"type", field_or_null(f.type)}, {"type_label", field_or_null(f.type_label)},
                   {"lon", field_or_null(f.lon)},   {"lat", field_or_null(f.lat)}};
    j["features"] = rep.features;
    j["used"] = rep.used;
    j["skipped"] = notices(rep.skipped);
    std::map<std::string, std::size_t> types;
    for (const auto& s : set.sites) {
        ++types[s.type];
    }
    j["types"] = types;
    j["warnings"] = nlohmann::ordered_json::array();
    if (rep.text_recoded) {
        j["warnings"].push_back("text is not UTF-8; read as Windows-1252");
    }
    return j;
}

nlohmann::ordered_json CommandInfo::read_as_zones() const {
    const auto set = io::read_zones(m_zones);
    const auto& rep = set.report;
    auto j = report_json("zones", m_path, rep);
    j["fields"] = {{"id", field_or_null(set.id_field)},
                   {"name", field_or_null(set.name_field)},
                   {"population", field_or_null(set.population_field)},
                   {"group", field_or_null(set.group_field)}};
    j["features"] = rep.features;
    j["used"] = rep.used;
    j["skipped"] = notices(rep.skipped);
    j["repaired"] = notices(rep.repaired);
    double population = 0.0;
    std::map<std::string, std::size_t> groups;
    for (const auto& z : set.zones) {
        population += z.population;
        if (!set.group_field.empty()) {
            ++groups[z.group];
        }
    }
    j["population"] = population;
    j["groups"] = groups;
    j["warnings"] = nlohmann::ordered_json::array();
    if (rep.text_recoded) {
        j["warnings"].push_back("text is not UTF-8; read as Windows-1252");
    }
    if (const auto w = no_group_field_text(m_zones, set); !w.empty()) {
        j["warnings"].push_back(w);
    }
    return j;
}

std::string CommandInfo::help() const {
    std::ostringstream o;
    o << "Usage: maillage info PATH [--id FIELD] [--population FIELD] [--json]\n"
      << "       maillage info --role sites|zones PATH [reading options] [--json]\n\n"
      << "Driver, layers, CRS, geometry types, feature counts, fields, extent, and the "
         "problems\n"
      << "found: null or invalid geometries, duplicate ids, coordinates out of range, lat/lon\n"
      << "that look swapped, population missing or negative.\n\n"
      << "With --role, the file is read by the reader of analyse with the same options: the\n"
      << "fields chosen, the features read, used and skipped (with why), and exit 1 where\n"
      << "analyse would stop.\n\n"
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
