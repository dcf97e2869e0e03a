#include "maillage/io/gdal_util.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/csv_stream.hpp"

#include <cpl_error.h>

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>

namespace maillage::io {

std::vector<std::string> dataset_files(GDALDataset& ds, const std::string& path) {
    std::vector<std::string> out;
    char** list = ds.GetFileList();
    for (char** f = list; f != nullptr && *f != nullptr; ++f) {
        out.emplace_back(*f);
    }
    CSLDestroy(list);
    if (out.empty()) {
        out.push_back(path);
    }
    return out;
}

namespace {

/// The extension of `path` (".csv"), lower case.
std::string lower_extension(const std::string& path) {
    auto ext = std::filesystem::path(path).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    return ext;
}

} // namespace

bool is_csv_path(const std::string& path) {
    const std::string ext = lower_extension(path);
    return ext == ".csv" || ext == ".tsv";
}

namespace {

/// Up to `n` characters of `bytes`, non-printable ones as \xNN, for messages.
std::string printable(const std::string& bytes, std::size_t n) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes.size() && out.size() < n; ++i) {
        const auto c = static_cast<unsigned char>(bytes[i]);
        if (c >= 0x20 && c < 0x7f && c != '\'') {
            out.push_back(static_cast<char>(c));
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += "\\x";
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 15]);
        }
    }
    if (out.size() >= n) {
        out += "...";
    }
    return out;
}

/// Why GDAL could not open a local file, from its first and last bytes and its extension.
std::string diagnose_unreadable(const std::string& path, const std::string& gdal_message) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) {
        return "cannot be read as a vector layer: " + gdal_message;
    }
    if (size == 0) {
        return "the file is empty (0 bytes). Check that the export or the download finished, and "
               "give the complete file.";
    }
    std::ifstream in(path, std::ios::binary);
    std::string head(512, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    std::string tail(64, '\0');
    in.clear();
    in.seekg(size > tail.size() ? static_cast<std::streamoff>(size - tail.size()) : 0);
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    tail.resize(static_cast<std::size_t>(in.gcount()));
    const std::string starts =
        " (" + std::to_string(size) + " bytes, starting with '" + printable(head, 40) + "')";
    const std::string ext = lower_extension(path);

    if (ext == ".gpkg") {
        if (head.rfind(std::string("SQLite format 3\0", 16), 0) != 0) {
            return "is not a GeoPackage: a GeoPackage is an SQLite database, and this file does "
                   "not start like one" +
                   starts +
                   ". Export the layer again as GeoPackage, or give the file its real "
                   "extension.";
        }
        return "is an SQLite file that GDAL cannot read as a GeoPackage (" + gdal_message +
               "). Open it in QGIS to check it, or export the layer again.";
    }
    if (ext == ".geojson" || ext == ".json") {
        const auto first = head.find_first_not_of(" \t\r\n");
        const std::string bom = "\xEF\xBB\xBF";
        const bool json_start =
            first != std::string::npos && (head[first] == '{' || head.compare(first, 3, bom) == 0);
        if (!json_start) {
            return "is not GeoJSON: a GeoJSON file starts with '{'" + starts +
                   ". Export the layer again as GeoJSON, or give the file its real extension.";
        }
        const auto last = tail.find_last_not_of(" \t\r\n");
        if (last == std::string::npos || tail[last] != '}') {
            return "the GeoJSON text stops in the middle (" + std::to_string(size) +
                   " bytes, ending with '" +
                   printable(tail.substr(tail.size() > 30 ? tail.size() - 30 : 0), 30) +
                   "'): the file looks truncated. Download or export it again. (GDAL: " +
                   gdal_message + ")";
        }
        return "is not valid GeoJSON: " + gdal_message +
               ". Check the file with a JSON validator, or export it again.";
    }
    if (is_csv_path(path)) {
        const auto eol = head.find_first_of("\r\n");
        const std::string header = head.substr(0, eol);
        if (header.find_first_of(",;\t") == std::string::npos) {
            return "the header line '" + printable(header, 60) +
                   "' holds no comma, semicolon or tab, the separators GDAL reads. Save the file "
                   "with commas or semicolons between the columns.";
        }
    }
    return "cannot be read as a vector layer: " + gdal_message + starts +
           ". Check that the file is complete and has the right extension for its format.";
}

} // namespace

GDALDatasetUniquePtr open_vector(const std::string& path,
                                 const std::vector<std::string>& open_options) {
    init_gdal();
    std::error_code ec;
    const bool local = path.rfind("PG:", 0) != 0 && path.rfind("/vsi", 0) != 0;
    if (local && !std::filesystem::exists(path, ec)) {
        throw input_error(path + ": no such file. Check the path (relative paths are taken from " +
                          std::filesystem::current_path().string() + ").");
    }
    if (std::filesystem::is_directory(path, ec)) {
        throw input_error(path + ": is a folder, not a vector file. Give the file inside it.");
    }
    std::vector<const char*> opts;
    opts.reserve(open_options.size() + 1);
    for (const auto& o : open_options) {
        opts.push_back(o.c_str());
    }
    opts.push_back(nullptr);
    CPLErrorReset();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY,
                                              nullptr, opts.data(), nullptr));
    if (!ds) {
        const char* msg = CPLGetLastErrorMsg();
        std::string why = (msg != nullptr && *msg != '\0')
                              ? std::string(msg)
                              : "GDAL recognises no vector format in it (empty, truncated or not "
                                "a GIS file?)";
        if (local) {
            if (::access(path.c_str(), R_OK) != 0) {
                throw input_error(path + ": cannot be read: " + std::strerror(errno) +
                                  ". Fix its permissions or copy it somewhere readable.");
            }
            throw input_error(path + ": " + diagnose_unreadable(path, why));
        }
        throw input_error(path + ": cannot be read as a vector layer: " + why);
    }
    return ds;
}

OGRLayer* first_layer(GDALDataset& ds, const std::string& path) {
    if (ds.GetLayerCount() < 1) {
        throw input_error(path + ": holds no vector layer.");
    }
    return ds.GetLayer(0);
}

void require_features(OGRLayer& layer, const std::string& path, bool csv, const std::string& what) {
    layer.ResetReading();
    const bool any = OGRFeatureUniquePtr(layer.GetNextFeature()) != nullptr;
    layer.ResetReading();
    if (any) {
        return;
    }
    if (csv) {
        throw input_error(path + ": the file has a header line but no data row: no " + what +
                          " to read. Add one " + what +
                          " per line below the header, or check the export that made the file.");
    }
    throw input_error(path + ": the layer '" + layer.GetName() + "' holds no feature: no " + what +
                      " to read. Check the export that made the file (an empty selection?).");
}

OGRSpatialReference wgs84() {
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

OGRSpatialReference parse_crs(const std::string& text, const std::string& option) {
    OGRSpatialReference srs;
    if (srs.SetFromUserInput(text.c_str()) != OGRERR_NONE) {
        throw value_error(option + " '" + text +
                          "' is not a CRS GDAL understands (try EPSG:4326 or EPSG:2154).");
    }
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

std::unique_ptr<OGRCoordinateTransformation> to_wgs84(const OGRSpatialReference& srs_in) {
    OGRSpatialReference srs(srs_in);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const auto target = wgs84();
    if (srs.IsSame(&target) != 0) {
        return nullptr;
    }
    std::unique_ptr<OGRCoordinateTransformation> ct(
        OGRCreateCoordinateTransformation(&srs, &target));
    if (!ct) {
        throw input_error("cannot transform from " + crs_name(&srs) +
                          " to WGS84: " + gdal_last_error());
    }
    return ct;
}

LayerCrs resolve_crs(OGRLayer& layer, const std::string& override_text, const std::string& option,
                     bool csv) {
    LayerCrs out;
    if (!override_text.empty()) {
        out.srs = parse_crs(override_text, option);
    } else if (const auto* layer_srs = layer.GetSpatialRef(); layer_srs != nullptr) {
        out.srs = *layer_srs;
    } else if (csv) {
        out.srs = wgs84();
    }
    out.name = out.srs ? crs_name(&*out.srs) : "none (assumed EPSG:4326)";
    if (out.srs) {
        out.to_wgs84 = to_wgs84(*out.srs);
    }
    return out;
}

void skip_feature(model::ReadReport& report, bool strict, const std::string& where,
                  const std::string& reason) {
    if (strict) {
        throw input_error(report.path + ": " + where + ": " + reason +
                          " (--strict stops at the first feature that would be skipped; fix it, "
                          "or run without --strict to skip it)");
    }
    report.skipped.push_back({where, reason});
}

std::string crs_name(const OGRSpatialReference* srs) {
    if (srs == nullptr) {
        return "none";
    }
    const char* auth = srs->GetAuthorityName(nullptr);
    const char* code = srs->GetAuthorityCode(nullptr);
    if (auth != nullptr && code != nullptr) {
        return std::string(auth) + ":" + code;
    }
    const char* name = srs->GetName();
    return name != nullptr ? name : "unnamed CRS";
}

std::string text_field(const OGRFeature& feature, int index, bool& recoded) {
    const char* raw = feature.GetFieldAsString(index);
    if (raw == nullptr) {
        return {};
    }
    if (CPLIsUTF8(raw, -1) != 0) {
        return raw;
    }
    recoded = true;
    char* utf8 = CPLRecode(raw, "CP1252", CPL_ENC_UTF8);
    std::string out = utf8 != nullptr ? utf8 : "";
    CPLFree(utf8);
    if (CPLIsUTF8(out.c_str(), -1) == 0) {
        // No CP1252 converter: Latin-1, which GDAL always has.
        char* latin1 = CPLRecode(raw, CPL_ENC_ISO8859_1, CPL_ENC_UTF8);
        out = latin1 != nullptr ? latin1 : "";
        CPLFree(latin1);
    }
    return out;
}

int find_field(OGRFeatureDefn& defn, const std::string& name) {
    return defn.GetFieldIndex(name.c_str());
}

std::string first_present(OGRFeatureDefn& defn, const std::vector<std::string>& names) {
    for (const auto& n : names) {
        if (find_field(defn, n) >= 0) {
            return n;
        }
    }
    return {};
}

std::string field_list(OGRFeatureDefn& defn) {
    std::string out;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        if (i > 0) {
            out += ", ";
        }
        out += defn.GetFieldDefn(i)->GetNameRef();
    }
    return out.empty() ? "(none)" : out;
}

void require_field(OGRFeatureDefn& defn, const std::string& path, const std::string& field,
                   const std::string& option) {
    if (find_field(defn, field) < 0) {
        throw input_error(path + ": no field '" + field + "' (fields: " + field_list(defn) +
                          "). Name the right one with " + option + ".");
    }
}

InputLayer open_input_layer(const std::string& path, const std::vector<std::string>& open_options,
                            bool csv, const std::string& what, model::ReadReport& report) {
    InputLayer in;
    in.dataset = open_vector(path, open_options);
    in.layer = first_layer(*in.dataset, path);
    require_features(*in.layer, path, csv, what);
    if (csv && path.rfind("/vsi", 0) != 0) {
        check_csv_field_counts(path);
    }
    const auto* driver = in.dataset->GetDriver();
    report.path = path;
    report.driver = driver != nullptr ? driver->GetDescription() : "";
    report.files = dataset_files(*in.dataset, path);
    report.layer = in.layer->GetName();
    return in;
}

std::string skipped_examples(const model::ReadReport& report) {
    std::string out;
    const std::size_t shown = std::min<std::size_t>(3, report.skipped.size());
    for (std::size_t i = 0; i < shown; ++i) {
        out += (i == 0 ? " Skipped: " : "; ") + report.skipped[i].where + ": " +
               report.skipped[i].reason;
    }
    return out;
}

std::string feature_where(bool csv, GIntBig fid) {
    if (csv) {
        return "line " + std::to_string(fid + 1);
    }
    return "feature " + std::to_string(fid);
}

} // namespace maillage::io
