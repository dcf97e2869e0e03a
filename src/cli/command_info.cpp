#include "command.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/geo/geodesic.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/postgis.hpp"
#include "maillage/io/site_reader.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <iostream>
#include <limits>
#include <map>
#include <sstream>

namespace maillage::cli {
namespace {

class CommandInfo : public Command {
public:
    [[nodiscard]] const char* name() const override { return "info"; }
    [[nodiscard]] const char* synopsis() const override {
        return "describe a vector file and the problems maillage would meet in it";
    }

    CommandInfo() {
        po::options_description d("Options", help_width);
        d.add_options()("path", po::value<std::string>(&m_path)->required(),
                        "file to describe (also the first positional argument)")(
            "id", po::value<std::string>(&m_id),
            "id field to check for duplicates (default: id, else code)")(
            "population", po::value<std::string>(&m_population)->default_value("population"),
            "population field to check")("json", po::bool_switch(&m_json),
                                         "print JSON instead of text")("help,h", "show this help");
        m_all.add(d);
        m_pos.add("path", 1);
    }

    void setup(const std::vector<std::string>& args) override {
        if (std::find(args.begin(), args.end(), "--help") != args.end() ||
            std::find(args.begin(), args.end(), "-h") != args.end()) {
            m_help = true;
            return;
        }
        parse(args, m_all, &m_pos, {});
    }

    int run() override {
        if (m_help) {
            std::cout << help();
            return 0;
        }
        const bool csv = io::is_csv_path(m_path);
        auto ds = io::open_vector(m_path, csv ? std::vector<std::string>{"KEEP_GEOM_COLUMNS=YES"}
                                              : std::vector<std::string>{});
        nlohmann::ordered_json j;
        j["path"] = io::redact_connection(m_path);
        j["driver"] = ds->GetDriver() != nullptr ? ds->GetDriver()->GetDescription() : "";
        j["layers"] = nlohmann::ordered_json::array();
        std::size_t problems = 0;
        for (int li = 0; li < ds->GetLayerCount(); ++li) {
            OGRLayer* layer = ds->GetLayer(li);
            OGRFeatureDefn& defn = *layer->GetLayerDefn();
            nlohmann::ordered_json l;
            l["name"] = layer->GetName();
            l["crs"] = io::crs_name(layer->GetSpatialRef());
            l["geometry_type"] = OGRGeometryTypeToName(layer->GetGeomType());
            auto fields = nlohmann::ordered_json::array();
            for (int i = 0; i < defn.GetFieldCount(); ++i) {
                fields.push_back(
                    {{"name", defn.GetFieldDefn(i)->GetNameRef()},
                     {"type", OGRFieldDefn::GetFieldTypeName(defn.GetFieldDefn(i)->GetType())}});
            }
            l["fields"] = fields;

            const std::string id_field =
                !m_id.empty() ? m_id : io::first_present(defn, {"id", "code"});
            const int id_idx = id_field.empty() ? -1 : io::find_field(defn, id_field);
            const int pop_idx = io::find_field(defn, m_population);
            int lon_idx = -1;
            int lat_idx = -1;
            if (csv) {
                lon_idx = io::find_field(defn, io::first_present(defn, io::lon_column_names()));
                lat_idx = io::find_field(defn, io::first_present(defn, io::lat_column_names()));
            }
            const bool geographic = csv || layer->GetSpatialRef() == nullptr ||
                                    layer->GetSpatialRef()->IsGeographic() != 0;

            std::map<std::string, std::size_t> types;
            std::map<std::string, std::vector<std::string>> issues;
            std::map<std::string, std::size_t> issue_count;
            std::map<std::string, std::string> seen;
            std::size_t count = 0;
            constexpr double inf = std::numeric_limits<double>::infinity();
            double x0 = inf;
            double y0 = inf;
            double x1 = -inf;
            double y1 = -inf;
            std::size_t swapped_like = 0;
            std::size_t points = 0;
            auto add = [&](const std::string& kind, const std::string& where) {
                ++issue_count[kind];
                auto& v = issues[kind];
                if (v.size() < 10) {
                    v.push_back(where);
                } else if (v.size() == 10) {
                    v.push_back("...");
                }
                ++problems;
            };
            for (auto& f : *layer) {
                ++count;
                const std::string where = io::feature_where(csv, f->GetFID());
                std::optional<std::pair<double, double>> xy;
                if (csv && lon_idx >= 0 && lat_idx >= 0) {
                    const auto x = io::parse_number(f->GetFieldAsString(lon_idx));
                    const auto y = io::parse_number(f->GetFieldAsString(lat_idx));
                    types["Point"]++;
                    if (!x || !y) {
                        add("no usable coordinates", where);
                    } else {
                        xy = std::pair{*x, *y};
                    }
                } else if (const OGRGeometry* g = f->GetGeometryRef();
                           g != nullptr && g->IsEmpty() == 0) {
                    types[OGRGeometryTypeToName(g->getGeometryType())]++;
                    OGREnvelope e;
                    g->getEnvelope(&e);
                    x0 = std::min(x0, e.MinX);
                    y0 = std::min(y0, e.MinY);
                    x1 = std::max(x1, e.MaxX);
                    y1 = std::max(y1, e.MaxY);
                    if (wkbFlatten(g->getGeometryType()) == wkbPoint) {
                        xy = std::pair{g->toPoint()->getX(), g->toPoint()->getY()};
                    } else if (g->IsValid() == FALSE) {
                        add("invalid geometry (maillage repairs it)", where);
                    }
                    if (geographic && (std::abs(e.MinY) > 90 || std::abs(e.MaxY) > 90 ||
                                       std::abs(e.MinX) > 360 || std::abs(e.MaxX) > 360)) {
                        add("coordinates out of lon/lat range", where);
                    }
                } else {
                    add("no geometry", where);
                }
                if (xy) {
                    ++points;
                    x0 = std::min(x0, xy->first);
                    y0 = std::min(y0, xy->second);
                    x1 = std::max(x1, xy->first);
                    y1 = std::max(y1, xy->second);
                    if (geographic) {
                        if (!geo::is_valid_lonlat({xy->first, xy->second})) {
                            add("coordinates out of lon/lat range", where);
                        }
                        if (std::abs(xy->second) > 90 && std::abs(xy->first) <= 90) {
                            ++swapped_like;
                        }
                    }
                }
                if (id_idx >= 0) {
                    const std::string id =
                        f->IsFieldSetAndNotNull(id_idx) ? f->GetFieldAsString(id_idx) : "";
                    if (id.empty()) {
                        add("empty " + id_field, where);
                    } else if (auto [it, ins] = seen.emplace(id, where); !ins) {
                        add("duplicate " + id_field,
                            where + " (" + id + ", first at " + it->second + ")");
                    }
                }
                if (pop_idx >= 0) {
                    const auto t = defn.GetFieldDefn(pop_idx)->GetType();
                    std::optional<double> v;
                    if (f->IsFieldSetAndNotNull(pop_idx)) {
                        v = (t == OFTInteger || t == OFTInteger64 || t == OFTReal)
                                ? std::optional<double>(f->GetFieldAsDouble(pop_idx))
                                : io::parse_number(f->GetFieldAsString(pop_idx));
                    }
                    if (!v) {
                        add("population missing or not a number", where);
                    } else if (*v < 0) {
                        add("negative population", where);
                    }
                }
            }
            if (swapped_like > 0) {
                issues["latitude beyond 90 with a longitude that would be a latitude: lon/lat "
                       "swapped?"]
                    .push_back(std::to_string(swapped_like) + " of " + std::to_string(points) +
                               " points");
                ++problems;
            }
            l["features"] = count;
            auto gt = nlohmann::ordered_json::object();
            for (const auto& [k, v] : types) {
                gt[k] = v;
            }
            l["geometries"] = gt;
            if (std::isfinite(x0)) {
                l["extent"] = {x0, y0, x1, y1};
            }
            auto pr = nlohmann::ordered_json::object();
            for (const auto& [k, v] : issues) {
                const auto n = issue_count.contains(k) ? issue_count[k] : v.size();
                pr[k] = {{"count", n}, {"where", v}};
            }
            l["problems"] = pr;
            j["layers"].push_back(l);
        }
        if (m_json) {
            std::cout << j.dump(2) << '\n';
        } else {
            print_text(j);
        }
        return 0;
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage info PATH [--id FIELD] [--population FIELD] [--json]\n\n"
          << "Driver, layers, CRS, geometry types, feature counts, fields, extent, and the "
             "problems\n"
          << "found: null or invalid geometries, duplicate ids, coordinates out of range, lat/lon\n"
          << "that look swapped, population missing or negative.\n\n"
          << m_all;
        return o.str();
    }

private:
    static void print_text(const nlohmann::ordered_json& j) {
        std::cout << j["path"].get<std::string>() << " (" << j["driver"].get<std::string>()
                  << ")\n";
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
                std::cout << "\n  extent: " << e[0].get<double>() << ' ' << e[1].get<double>()
                          << ", " << e[2].get<double>() << ' ' << e[3].get<double>();
            }
            std::cout << "\n  fields:";
            for (const auto& f : l["fields"]) {
                std::cout << ' ' << f["name"].get<std::string>() << " ("
                          << f["type"].get<std::string>() << ")";
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

    po::options_description m_all{help_width};
    po::positional_options_description m_pos;
    std::string m_path;
    std::string m_id;
    std::string m_population;
    bool m_json = false;
    bool m_help = false;
};

} // namespace

std::unique_ptr<Command> make_info() { return std::make_unique<CommandInfo>(); }

} // namespace maillage::cli
