// A QGIS project over the PostGIS tables of a run (--out PG:... --qgis-project): the project the
// run wrote beside its staged GeoPackage, its layers pointed at the tables.

#include "maillage/io/postgis.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/model/schema.hpp"

#include <gdal_utils.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <utility>

namespace maillage::io {

namespace fs = std::filesystem;

namespace {

/// The keywords of a postgresql:// URI:
/// postgresql://[user[:password]@][host][:port][/dbname][?key=value&...].
std::map<std::string, std::string> uri_keywords(std::string rest) {
    std::map<std::string, std::string> out;
    if (const auto q = rest.find('?'); q != std::string::npos) {
        std::istringstream params(rest.substr(q + 1));
        for (std::string kv; std::getline(params, kv, '&');) {
            if (const auto eq = kv.find('='); eq != std::string::npos) {
                out[kv.substr(0, eq)] = kv.substr(eq + 1);
            }
        }
        rest.resize(q);
    }
    if (const auto at = rest.rfind('@'); at != std::string::npos) {
        out["user"] = rest.substr(0, std::min(rest.find(':'), at));
        rest.erase(0, at + 1);
    }
    if (const auto slash = rest.find('/'); slash != std::string::npos) {
        out["dbname"] = rest.substr(slash + 1);
        rest.resize(slash);
    }
    if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
        out["port"] = rest.substr(colon + 1);
        rest.resize(colon);
    }
    if (!rest.empty()) {
        out["host"] = rest;
    }
    return out;
}

/// The value at `i` of key=value text: up to a space, or in single quotes (\\ escapes).
std::string pair_value(const std::string& text, std::size_t& i) {
    std::string v;
    if (i < text.size() && text[i] == '\'') {
        for (++i; i < text.size() && text[i] != '\''; ++i) {
            if (text[i] == '\\' && i + 1 < text.size()) {
                ++i;
            }
            v += text[i];
        }
        ++i;
        return v;
    }
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) == 0) {
        v += text[i++];
    }
    return v;
}

/// The keywords of a GDAL PostgreSQL connection ("PG:" then key=value pairs, values optionally
/// in single quotes, or a postgresql:// URI).
std::map<std::string, std::string> connection_keywords(const std::string& connection) {
    const std::string text = connection.substr(connection.rfind("PG:", 0) == 0 ? 3 : 0);
    if (text.rfind("postgres://", 0) == 0 || text.rfind("postgresql://", 0) == 0) {
        return uri_keywords(text.substr(text.find("://") + 3));
    }
    std::map<std::string, std::string> out;
    const auto space = [&](std::size_t at) {
        return std::isspace(static_cast<unsigned char>(text[at])) != 0;
    };
    std::size_t i = 0;
    while (true) {
        while (i < text.size() && space(i)) {
            ++i;
        }
        const auto eq = text.find('=', i);
        if (i >= text.size() || eq == std::string::npos) {
            return out;
        }
        auto end = eq;
        while (end > i && space(end - 1)) {
            --end;
        }
        const std::string key = text.substr(i, end - i);
        i = eq + 1;
        while (i < text.size() && space(i)) {
            ++i;
        }
        out[key] = pair_value(text, i);
    }
}

constexpr const char* gpkg_vector_prefix = "./maillage.gpkg|layername=";
constexpr const char* gpkg_raster_prefix = "GPKG:./maillage.gpkg:";

/// The name of the layer or raster of the staged GeoPackage that `source` reads, with whether it
/// is a raster; an empty name for a source elsewhere.
std::pair<std::string, bool> gpkg_source(const std::string& source) {
    if (source.rfind(gpkg_vector_prefix, 0) == 0) {
        const std::string rest = source.substr(std::string(gpkg_vector_prefix).size());
        return {rest.substr(0, rest.find('|')), false};
    }
    if (source.rfind(gpkg_raster_prefix, 0) == 0) {
        return {source.substr(std::string(gpkg_raster_prefix).size()), true};
    }
    return {"", false};
}

/// Rewrites the sources of a project (XML text): GeoPackage layers to PostGIS, GeoPackage rasters
/// to NAME.tif (listed in `rasters`), and the provider of the layers moved to PostGIS.
class ProjectRewriter {
public:
    ProjectRewriter(std::string connection, std::string schema, const std::string& run_id)
        : m_connection(std::move(connection)), m_schema(std::move(schema)),
          m_filter("\"run_id\" = " + quote_literal(run_id)) {}

    std::string rewrite(const std::string& xml) {
        return rewrite_elements(
            rewrite_elements(xml, "<maplayer", "</maplayer>", "<datasource>", "</datasource>",
                             "<provider encoding=\"UTF-8\">ogr</provider>",
                             "<provider encoding=\"UTF-8\">postgres</provider>"),
            "<layer-tree-layer ", ">", "source=\"", "\"", "providerKey=\"ogr\"",
            "providerKey=\"postgres\"");
    }

    /// The rasters of the GeoPackage the project reads.
    [[nodiscard]] const std::vector<std::string>& rasters() const { return m_rasters; }
    /// The files beside the project the project reads (./NAME).
    [[nodiscard]] const std::vector<std::string>& files() const { return m_files; }

private:
    std::string new_source(const std::string& escaped, bool& to_postgres) {
        to_postgres = false;
        const auto [name, raster] = gpkg_source(escaped);
        if (name.empty()) {
            if (escaped.rfind("./", 0) == 0) {
                m_files.push_back(escaped.substr(2, escaped.find('|') - 2));
            }
            return escaped;
        }
        if (raster) {
            m_rasters.push_back(name);
            return "./" + name + model::schema::files::tif_ext;
        }
        to_postgres = true;
        return core::xml_escape(qgis_postgres_source(m_connection, m_schema, name, m_filter));
    }

    /// In each element from `open` to `close`: the text between `src_open` and `src_close`
    /// rewritten, and `from` replaced by `to` where the source now is PostGIS.
    std::string rewrite_elements(const std::string& xml, const std::string& open,
                                 const std::string& close, const std::string& src_open,
                                 const std::string& src_close, const std::string& from,
                                 const std::string& to) {
        std::string out;
        std::size_t pos = 0;
        for (auto start = xml.find(open); start != std::string::npos; start = xml.find(open, pos)) {
            const auto end = xml.find(close, start);
            if (end == std::string::npos) {
                break;
            }
            std::string element = xml.substr(start, end + close.size() - start);
            const auto s = element.find(src_open);
            const auto e =
                s == std::string::npos ? s : element.find(src_close, s + src_open.size());
            if (e != std::string::npos) {
                const auto at = s + src_open.size();
                bool to_postgres = false;
                const auto source = new_source(element.substr(at, e - at), to_postgres);
                element.replace(at, e - at, source);
                if (const auto p = element.find(from); to_postgres && p != std::string::npos) {
                    element.replace(p, from.size(), to);
                }
            }
            out += xml.substr(pos, start - pos) + element;
            pos = end + close.size();
        }
        return out + xml.substr(pos);
    }

    std::string m_connection, m_schema, m_filter;
    std::vector<std::string> m_rasters, m_files;
};

void copy_raster(const fs::path& gpkg, const std::string& name, const fs::path& to) {
    const std::string from = "GPKG:" + gpkg.string() + ":" + name;
    GDALDatasetUniquePtr src(GDALDataset::Open(from.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    if (!src) {
        throw runtime_failure(from + ": cannot open the raster: " + gdal_last_error());
    }
    std::array<const char*, 9> argv{"-of", "GTiff",     "-co", "COMPRESS=DEFLATE",
                                    "-co", "TILED=YES", "-q",  nullptr};
    GDALTranslateOptions* opts = GDALTranslateOptionsNew(const_cast<char**>(argv.data()), nullptr);
    int usage_error_flag = 0;
    GDALDatasetH out = GDALTranslate(to.string().c_str(), src.get(), opts, &usage_error_flag);
    GDALTranslateOptionsFree(opts);
    if (out == nullptr) {
        throw runtime_failure(to.string() + ": cannot write the raster: " + gdal_last_error());
    }
    GDALClose(out);
}

} // namespace

std::string qgis_postgres_source(const std::string& connection, const std::string& schema,
                                 const std::string& table, const std::string& filter) {
    const auto keywords = connection_keywords(connection);
    std::string out;
    for (const char* k : {"service", "dbname", "host", "port", "user", "sslmode"}) {
        if (auto it = keywords.find(k); it != keywords.end() && !it->second.empty()) {
            std::string v;
            for (char c : it->second) {
                v += (c == '\'' || c == '\\') ? std::string("\\") + c : std::string(1, c);
            }
            out += std::string(k) + "='" + v + "' ";
        }
    }
    return out + "key='fid' checkPrimaryKeyUnicity='0' table=" + quote_ident(schema) + "." +
           quote_ident(table) + " (geom) sql=" + filter;
}

std::string write_postgis_project(const std::string& staged_dir, const std::string& connection,
                                  const std::string& schema, const std::string& run_id,
                                  const std::string& dir) {
    namespace file = model::schema::files;
    const fs::path staged(staged_dir);
    std::ifstream in(staged / file::qgis_project);
    if (!in) {
        throw runtime_failure((staged / file::qgis_project).string() + ": not written");
    }
    std::stringstream text;
    text << in.rdbuf();
    ProjectRewriter rewriter(connection, schema, run_id);
    const std::string project = rewriter.rewrite(text.str());
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw runtime_failure(dir + ": cannot create the folder: " + ec.message());
    }
    init_gdal();
    for (const auto& name : rewriter.rasters()) {
        copy_raster(staged / file::gpkg, name, fs::path(dir) / (name + file::tif_ext));
    }
    for (const auto& name : rewriter.files()) {
        if (fs::exists(staged / name)) {
            fs::copy_file(staged / name, fs::path(dir) / name,
                          fs::copy_options::overwrite_existing);
        }
    }
    const auto path = fs::path(dir) / file::qgis_project;
    std::ofstream out(path);
    out << project;
    if (!out.flush()) {
        throw runtime_failure(path.string() + ": cannot write the project");
    }
    return path.string();
}

} // namespace maillage::io
