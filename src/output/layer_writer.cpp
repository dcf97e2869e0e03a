#include "maillage/output/layer_writer.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/output_dir.hpp"

#include <cerrno>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>

namespace maillage::output {

using io::disk_errno;
using io::gdal_last_error;
using io::init_gdal;
using io::write_failure_reason;

namespace {

/// GDAL's GeoJSON writer ends every file with this footer; a file cut by a failed write lacks it.
bool ends_with_geojson_footer(const std::string& path) {
    static const std::string footer = "\n]\n}\n";
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    const std::streamoff size = in.tellg();
    if (!in || size < static_cast<std::streamoff>(footer.size())) {
        return false;
    }
    in.seekg(size - static_cast<std::streamoff>(footer.size()));
    std::string tail(footer.size(), '\0');
    in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
    return in && tail == footer;
}

/// GDAL's last error, cut to a readable length (SQLite errors quote whole SQL scripts).
std::string gdal_error_brief() {
    std::string m = gdal_last_error();
    constexpr std::size_t max = 240;
    if (m.size() > max) {
        m = m.substr(0, max) + "...";
    }
    return m;
}

} // namespace

VectorFormat format_from_path(const std::string& path) {
    auto ext = std::filesystem::path(path).extension().string();
    for (auto& c : ext) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (ext == ".geojson" || ext == ".json") {
        return VectorFormat::geojson;
    }
    if (ext == ".gpkg") {
        return VectorFormat::gpkg;
    }
    if (ext == ".csv") {
        return VectorFormat::csv;
    }
    throw usage_error("cannot tell the output format of '" + path +
                      "' from its extension: use .csv, .geojson or .gpkg.");
}

GDALDatasetUniquePtr create_vector(const std::string& path, VectorFormat format) {
    init_gdal();
    const char* driver_name = format == VectorFormat::geojson ? "GeoJSON"
                              : format == VectorFormat::gpkg  ? "GPKG"
                                                              : "CSV";
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (driver == nullptr) {
        throw runtime_failure(std::string("GDAL has no ") + driver_name + " driver");
    }
    if (format == VectorFormat::gpkg) {
        // GeoPackage stamps the write time into gpkg_contents; a fixed stamp keeps reruns on the
        // same inputs byte-identical (every GeoPackage maillage writes, nearest's included).
        CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    }
    CPLErrorReset();
    errno = 0;
    GDALDatasetUniquePtr ds(driver->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) {
        const int err = disk_errno(errno);
        throw runtime_failure(path + ": cannot create: " + write_failure_reason(path, err) +
                              " (GDAL: " + gdal_error_brief() + ")");
    }
    return ds;
}

GDALDatasetUniquePtr reopen_gpkg(const std::string& path, const std::string& what) {
    CPLSetThreadLocalConfigOption("OGR_CURRENT_DATE", "2000-01-01T00:00:00.000Z");
    CPLErrorReset();
    errno = 0;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!ds) {
        throw runtime_failure(path + ": cannot reopen to add " + what + ": " + gdal_last_error());
    }
    return ds;
}

void close_dataset(GDALDatasetUniquePtr ds, const std::string& path) {
    CPLErrorReset();
    const bool geojson = std::string(ds->GetDriver()->GetDescription()) == "GeoJSON";
    GDALDataset* raw = ds.release();
    GDALClose(GDALDataset::ToHandle(raw));
    // A write that failed for lack of space leaves errno set even when GDAL ignores the failure.
    const int err = disk_errno(errno);
    if (CPLGetLastErrorType() >= CE_Failure || err != 0) {
        throw runtime_failure(path + ": cannot write: " + write_failure_reason(path, err) +
                              (CPLGetLastErrorType() >= CE_Failure
                                   ? " (GDAL: " + gdal_error_brief() + ")"
                                   : std::string()));
    }
    if (geojson && !ends_with_geojson_footer(path)) {
        throw runtime_failure(
            path + ": cannot write: the file is incomplete: " + write_failure_reason(path, 0));
    }
}

LayerWriter::LayerWriter(GDALDataset& ds, const std::string& path, const std::string& name,
                         OGRwkbGeometryType geometry_type, const OGRSpatialReference* srs,
                         std::vector<FieldSpec> fields, std::vector<std::string> layer_options)
    : m_ds(ds), m_path(path), m_fields(std::move(fields)) {
    const std::string driver = ds.GetDriver()->GetDescription();
    if (driver == "GeoJSON") {
        layer_options.emplace_back("RFC7946=YES");
        layer_options.emplace_back("COORDINATE_PRECISION=7");
        layer_options.emplace_back("WRITE_NAME=NO");
    } else if (driver == "CSV" && wkbFlatten(geometry_type) == wkbPoint) {
        layer_options.emplace_back("GEOMETRY=AS_XY");
    } else if (driver == "CSV") {
        geometry_type = wkbNone;
    }
    std::vector<const char*> opts;
    opts.reserve(layer_options.size() + 1);
    for (const auto& o : layer_options) {
        opts.push_back(o.c_str());
    }
    opts.push_back(nullptr);
    CPLErrorReset();
    m_layer = ds.CreateLayer(name.c_str(),
                             srs == nullptr ? nullptr : const_cast<OGRSpatialReference*>(srs),
                             geometry_type, const_cast<char**>(opts.data()));
    if (m_layer == nullptr) {
        throw runtime_failure(path + ": cannot create layer '" + name + "': " + gdal_last_error());
    }
    for (const auto& f : m_fields) {
        OGRFieldDefn defn(f.name.c_str(), f.type);
        defn.SetSubType(f.subtype);
        if (m_layer->CreateField(&defn) != OGRERR_NONE) {
            throw runtime_failure(path + ": cannot create field '" + f.name +
                                  "': " + gdal_last_error());
        }
    }
    OGRFeatureDefn* defn = m_layer->GetLayerDefn();
    for (const auto& f : m_fields) {
        m_index.push_back(defn->GetFieldIndex(f.name.c_str()));
    }
    // One transaction for the layer (GPKG): without it SQLite commits every row.
    if (ds.TestCapability(ODsCTransactions) != 0 && ds.StartTransaction() == OGRERR_NONE) {
        m_in_transaction = true;
    }
}

LayerWriter::~LayerWriter() {
    if (m_in_transaction) {
        m_ds.RollbackTransaction();
    }
}

void LayerWriter::add(const OGRGeometry* geometry, const std::vector<FieldValue>& values) {
    OGRFeatureUniquePtr feature(OGRFeature::CreateFeature(m_layer->GetLayerDefn()));
    for (std::size_t i = 0; i < values.size() && i < m_index.size(); ++i) {
        const int idx = m_index[i];
        std::visit(
            [&](const auto& v) {
                using T = std::decay_t<decltype(v)>;
                if constexpr (std::is_same_v<T, std::monostate>) {
                    feature->SetFieldNull(idx);
                } else if constexpr (std::is_same_v<T, std::string>) {
                    feature->SetField(idx, v.c_str());
                } else if constexpr (std::is_same_v<T, std::int64_t>) {
                    feature->SetField(idx, static_cast<GIntBig>(v));
                } else if constexpr (std::is_same_v<T, double>) {
                    if (std::isfinite(v)) {
                        feature->SetField(idx, v);
                    } else {
                        feature->SetFieldNull(idx);
                    }
                } else {
                    feature->SetField(idx, v ? 1 : 0);
                }
            },
            values[i]);
    }
    if (geometry != nullptr) {
        feature->SetGeometry(geometry);
    }
    if (m_layer->CreateFeature(feature.get()) != OGRERR_NONE) {
        const int err = disk_errno(errno);
        throw runtime_failure(m_path +
                              ": cannot write a feature: " + write_failure_reason(m_path, err) +
                              " (GDAL: " + gdal_error_brief() + ")");
    }
}

void LayerWriter::finish() {
    if (m_in_transaction) {
        m_in_transaction = false;
        if (m_ds.CommitTransaction() != OGRERR_NONE) {
            const int err = disk_errno(errno);
            throw runtime_failure(m_path + ": cannot write: " + write_failure_reason(m_path, err) +
                                  " (GDAL: " + gdal_error_brief() + ")");
        }
    }
}

void stitch_geojson(const std::vector<std::string>& slices, const std::string& path) {
    // GDAL's GeoJSON writer: a fixed header, features separated by ",\n", a fixed footer.
    static const std::string header = "{\n\"type\": \"FeatureCollection\",\n\"features\": [\n";
    static const std::string footer = "\n]\n}\n";
    std::ofstream out(path, std::ios::binary);
    out << header;
    bool first = true;
    for (const auto& slice : slices) {
        std::ifstream in(slice, std::ios::binary);
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (text.size() < header.size() + footer.size() ||
            text.compare(0, header.size(), header) != 0 ||
            text.compare(text.size() - footer.size(), footer.size(), footer) != 0) {
            throw runtime_failure(slice +
                                  ": unexpected GeoJSON layout from GDAL; cannot join the slices");
        }
        // The slice's name is staged: it must go even when empty, or the run would commit it.
        std::error_code ec;
        std::filesystem::remove(slice, ec);
        const std::size_t len = text.size() - header.size() - footer.size();
        if (len == 0) {
            continue;
        }
        if (!first) {
            out << ",\n";
        }
        out.write(text.data() + header.size(), static_cast<std::streamsize>(len));
        first = false;
    }
    out << footer;
    errno = 0;
    out.close();
    if (!out) {
        throw runtime_failure(path + ": cannot write: " + write_failure_reason(path, errno));
    }
}

} // namespace maillage::output
