#include "maillage/output/nearest_outputs.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/core/parallel.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/point_reader.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <strings.h>

namespace maillage::output {
namespace {

namespace fs = std::filesystem;

/// Points read and joined at a time: memory stays bounded on millions of points.
constexpr std::size_t chunk_size = 65536;

double since(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
}

/// The names of the result fields: nearest_site_id, nearest_site_name, nearest_km, then the
/// same with _2, _3... up to k.
std::vector<std::string> result_names(std::size_t k) {
    std::vector<std::string> names;
    for (std::size_t r = 1; r <= k; ++r) {
        std::string suffix;
        if (r > 1) {
            suffix = '_';
            suffix += std::to_string(r);
        }
        names.push_back("nearest_site_id" + suffix);
        names.push_back("nearest_site_name" + suffix);
        names.push_back("nearest_km" + suffix);
    }
    return names;
}

/// Counts the points without usable coordinates: fatal with --strict, else their result stays
/// empty (the first five are named in a warning).
class Unusable {
public:
    Unusable(const NearestRequest& request, const NearestWarn& warn)
        : m_request(request), m_warn(warn) {}

    void operator()(const std::string& where) {
        if (m_request.strict) {
            throw input_error(m_request.points + ": " + where +
                              ": no usable coordinates (--strict)");
        }
        if (m_count < 5) {
            m_warn(m_request.points + ": " + where +
                   ": no usable coordinates; its result is left empty");
        }
        ++m_count;
    }
    [[nodiscard]] std::size_t count() const { return m_count; }

private:
    const NearestRequest& m_request;
    const NearestWarn& m_warn;
    std::size_t m_count = 0;
};

FieldValue field_value(OGRFeature& f, int i) {
    if (!f.IsFieldSetAndNotNull(i)) {
        return {};
    }
    switch (f.GetFieldDefnRef(i)->GetType()) {
    case OFTInteger:
    case OFTInteger64:
        return static_cast<std::int64_t>(f.GetFieldAsInteger64(i));
    case OFTReal:
        return f.GetFieldAsDouble(i);
    default: {
        bool recoded = false;
        return io::text_field(f, i, recoded);
    }
    }
}

/// The fields of the result layer: the input's (their positions in `kept`), then the results.
/// Input fields named like a result (a file that went through maillage before) are replaced by
/// the new results rather than duplicated.
std::vector<FieldSpec> layer_fields(OGRFeatureDefn& defn, std::size_t k,
                                    const NearestRequest& request, const NearestWarn& warn,
                                    std::vector<int>& kept) {
    std::vector<FieldSpec> results;
    const auto names = result_names(k);
    for (std::size_t j = 0; j < names.size(); ++j) {
        results.push_back({names[j], j % 3 == 2 ? OFTReal : OFTString});
    }
    std::vector<FieldSpec> fields;
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const std::string name = defn.GetFieldDefn(i)->GetNameRef();
        const bool clash = std::any_of(results.begin(), results.end(), [&](const FieldSpec& f) {
            return strcasecmp(f.name.c_str(), name.c_str()) == 0;
        });
        if (clash) {
            warn(request.points + ": its field '" + name + "' is replaced by the new result");
            continue;
        }
        kept.push_back(i);
        fields.push_back(
            {name, defn.GetFieldDefn(i)->GetType(), defn.GetFieldDefn(i)->GetSubType()});
    }
    fields.insert(fields.end(), results.begin(), results.end());
    return fields;
}

/// The values of a feature of the result layer: its kept fields, then its k results (empty
/// beyond its hits).
void fill_values(OGRFeature& f, const std::vector<int>& kept, const std::vector<index::Hit>& hits,
                 const std::vector<model::Site>& sites, std::size_t k,
                 std::vector<FieldValue>& values) {
    const std::size_t first_result = kept.size();
    for (std::size_t j = 0; j < first_result; ++j) {
        values[j] = field_value(f, kept[j]);
    }
    for (std::size_t r = 0; r < k; ++r) {
        const std::size_t b = first_result + 3 * r;
        if (r < hits.size()) {
            const auto& s = sites[hits[r].site];
            values[b] = s.id;
            values[b + 1] = s.name;
            values[b + 2] = core::round_to(hits[r].distance_m / 1000.0, 4);
        } else {
            values[b] = values[b + 1] = values[b + 2] = FieldValue{};
        }
    }
}

/// The geometry type of the result layer: the input's; for CSV points, a point in formats that
/// have a geometry, none in CSV.
OGRwkbGeometryType result_geometry(io::PointLayer& in, VectorFormat format) {
    if (!in.csv()) {
        return wkbFlatten(in.layer().GetGeomType());
    }
    return format == VectorFormat::csv ? wkbNone : wkbPoint;
}

/// The join of an OGR layer: reads its features a chunk at a time, then writes each with its
/// kept fields, its results and its geometry.
class LayerJoin {
public:
    /// `kept`: the input fields written (layer_fields); `gtype`: the result layer's geometry.
    LayerJoin(io::PointLayer& in, LayerWriter& writer, const std::vector<int>& kept,
              std::size_t n_fields, OGRwkbGeometryType gtype, const std::vector<model::Site>& sites,
              std::size_t k, Unusable& unusable)
        : m_in(in), m_writer(writer), m_kept(kept), m_gtype(gtype), m_sites(sites), m_k(k),
          m_unusable(unusable), m_values(n_fields) {}

    /// Reads features up to `capacity` points (analysis::ReadPoints).
    bool read(analysis::PointChunk& chunk, std::size_t capacity) {
        m_feats.clear();
        io::PointFeature pf;
        while (m_feats.size() < capacity) {
            if (!m_in.next(pf)) {
                return false;
            }
            if (pf.missing) {
                m_unusable(io::feature_where(m_in.csv(), pf.feature->GetFID()));
            }
            chunk.points.push_back(pf.point.value_or(geo::LonLat{}));
            chunk.usable.push_back(pf.point ? 1 : 0);
            m_feats.push_back(std::move(pf.feature));
        }
        return true;
    }

    /// Writes the features of a joined chunk (analysis::WriteHits).
    void write(const analysis::PointChunk& chunk) {
        const bool csv_in = m_in.csv();
        for (std::size_t i = 0; i < m_feats.size(); ++i) {
            auto& f = *m_feats[i];
            fill_values(f, m_kept, chunk.hits[i], m_sites, m_k, m_values);
            if (csv_in && m_gtype != wkbNone) {
                OGRPoint pt(chunk.points[i].lon, chunk.points[i].lat);
                m_writer.add(chunk.usable[i] != 0 ? &pt : nullptr, m_values);
            } else {
                m_writer.add(m_gtype == wkbNone ? nullptr : f.GetGeometryRef(), m_values);
            }
        }
    }

private:
    io::PointLayer& m_in;
    LayerWriter& m_writer;
    const std::vector<int>& m_kept;
    OGRwkbGeometryType m_gtype;
    const std::vector<model::Site>& m_sites;
    std::size_t m_k;
    Unusable& m_unusable;
    std::vector<OGRFeatureUniquePtr> m_feats; ///< the features of the chunk being joined
    std::vector<FieldValue> m_values;         ///< the values of the feature being written
};

/// Any OGR layer in, any format out, through GDAL.
NearestRun write_layer(const NearestRequest& request, const std::vector<model::Site>& sites,
                       const index::SiteIndex& index, const NearestWarn& warn) {
    io::PointLayer in(request.points, request.points_crs);
    io::StagedOutput staging(fs::absolute(request.out).parent_path(), io::StagedOutput::Lock::none);
    const std::string tmp = staging.path(fs::path(request.out).filename().string()).string();
    auto out = create_vector(tmp, request.format);
    const std::size_t k = request.join.k;
    std::vector<int> kept;
    const auto fields = layer_fields(in.defn(), k, request, warn, kept);
    const auto gtype = result_geometry(in, request.format);
    const auto wgs = io::wgs84();
    LayerWriter writer(*out, tmp, fs::path(request.out).stem().string(), gtype,
                       gtype == wkbNone ? nullptr : &wgs, fields);

    Unusable unusable(request, warn);
    LayerJoin join(in, writer, kept, fields.size(), gtype, sites, k, unusable);
    const auto t = std::chrono::steady_clock::now();
    const auto stats = analysis::nearest_join_chunked(
        index, request.join, chunk_size,
        [&](analysis::PointChunk& chunk, std::size_t capacity) {
            return join.read(chunk, capacity);
        },
        [&](const analysis::PointChunk& chunk) { join.write(chunk); });
    writer.finish();
    close_dataset(std::move(out), tmp);
    staging.commit();
    return {stats.points, unusable.count(), stats.query_s, since(t) - stats.query_s};
}

/// The header line of the streamed result: the input's fields, then the k results.
void write_csv_header(io::CsvWriter& out, const std::vector<std::string>& header, std::size_t k) {
    for (const auto& h : header) {
        out.field(h);
    }
    for (const auto& name : result_names(k)) {
        out.field(name);
    }
    out.end_record();
}

/// ",id,name" of each site, CSV-escaped once.
std::vector<std::string> escaped_sites(const std::vector<model::Site>& sites) {
    std::vector<std::string> site_fields(sites.size());
    for (std::size_t s = 0; s < sites.size(); ++s) {
        io::CsvWriter::append_field(site_fields[s], sites[s].id, false);
        io::CsvWriter::append_field(site_fields[s], sites[s].name, false);
    }
    return site_fields;
}

/// Reads CSV records up to `capacity` points, records[i] the fields of chunk.points[i]
/// (analysis::ReadPoints).
bool read_csv_chunk(io::CsvPointReader& in, std::vector<std::vector<std::string>>& records,
                    Unusable& unusable, analysis::PointChunk& chunk, std::size_t capacity) {
    std::optional<geo::LonLat> p;
    while (chunk.points.size() < capacity) {
        if (!in.next(records[chunk.points.size()], p)) {
            return false;
        }
        if (!p) {
            unusable("line " + std::to_string(in.line()));
        }
        chunk.points.push_back(p.value_or(geo::LonLat{}));
        chunk.usable.push_back(p ? 1 : 0);
    }
    return true;
}

/// Formats a result line into `line` (cleared first, its capacity kept): the record's first
/// `n_fields` fields (empty beyond its own), its k results (empty beyond its hits), a newline.
/// `site_fields`: escaped_sites.
void format_csv_line(std::string& line, const std::vector<std::string>& rec, std::size_t n_fields,
                     const std::vector<index::Hit>& hits,
                     const std::vector<std::string>& site_fields, std::size_t k) {
    line.clear();
    for (std::size_t j = 0; j < n_fields; ++j) {
        io::CsvWriter::append_field(line, j < rec.size() ? std::string_view(rec[j]) : "", j == 0);
    }
    for (std::size_t r = 0; r < k; ++r) {
        if (r < hits.size()) {
            line += site_fields[hits[r].site];
            io::CsvWriter::append_field(line, hits[r].distance_m / 1000.0, 4, false);
        } else {
            line += ",,,";
        }
    }
    line.push_back('\n');
}

/// Points from CSV to CSV, streamed as text: the fields of each record are copied through and
/// the results appended.
NearestRun write_csv_stream(const NearestRequest& request, const std::vector<model::Site>& sites,
                            const index::SiteIndex& index, const NearestWarn& warn) {
    const auto t = std::chrono::steady_clock::now();
    io::CsvPointReader in(request.points);
    const auto& header = in.header();
    io::StagedOutput staging(fs::absolute(request.out).parent_path(), io::StagedOutput::Lock::none);
    const std::string tmp = staging.path(fs::path(request.out).filename().string()).string();
    io::CsvWriter out(tmp);
    const std::size_t k = request.join.k;
    write_csv_header(out, header, k);
    const auto site_fields = escaped_sites(sites);

    Unusable unusable(request, warn);
    std::vector<std::vector<std::string>> records(chunk_size);
    std::vector<std::string> lines(chunk_size);
    const auto read = [&](analysis::PointChunk& chunk, std::size_t capacity) {
        return read_csv_chunk(in, records, unusable, chunk, capacity);
    };
    // Records are formatted in parallel, then written in order.
    const auto write = [&](const analysis::PointChunk& chunk) {
        const std::size_t n = chunk.points.size();
        core::parallel_for(n, 1024, [&](std::size_t i) {
            format_csv_line(lines[i], records[i], header.size(), chunk.hits[i], site_fields, k);
        });
        for (std::size_t i = 0; i < n; ++i) {
            out.raw_record(lines[i]);
        }
    };
    const auto stats = analysis::nearest_join_chunked(index, request.join, chunk_size, read, write);
    out.close();
    staging.commit();
    return {stats.points, unusable.count(), stats.query_s, since(t) - stats.query_s};
}

} // namespace

NearestRun write_nearest(const NearestRequest& request, const std::vector<model::Site>& sites,
                         const index::SiteIndex& index, const NearestWarn& warn) {
    if (io::is_csv_path(request.points) && request.format == VectorFormat::csv &&
        request.points_crs.empty()) {
        return write_csv_stream(request, sites, index, warn);
    }
    return write_layer(request, sites, index, warn);
}

} // namespace maillage::output
