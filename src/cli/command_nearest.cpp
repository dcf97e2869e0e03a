#include "analysis_inputs.hpp"
#include "command.hpp"
#include "commands.hpp"

#include "maillage/core/error.hpp"
#include "maillage/core/format.hpp"
#include "maillage/geo/equal_area.hpp"
#include "maillage/geo/geos.hpp"
#include "maillage/index/site_index.hpp"
#include "maillage/io/csv_stream.hpp"
#include "maillage/io/gdal_util.hpp"
#include "maillage/io/output_dir.hpp"
#include "maillage/io/site_reader.hpp"
#include "maillage/output/layer_writer.hpp"

#include <omp.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <strings.h>

namespace maillage::cli {
namespace {

namespace fs = std::filesystem;

/// The point a feature is measured from: itself, or a polygon's centroid when inside, else a
/// point on its surface (computed by GDAL/GEOS in lon/lat, fine at the scale of one polygon).
std::optional<geo::LonLat> reference_point(const OGRGeometry* g) {
    if (g == nullptr || g->IsEmpty() != 0) {
        return std::nullopt;
    }
    const auto type = wkbFlatten(g->getGeometryType());
    if (type == wkbPoint) {
        return geo::LonLat{g->toPoint()->getX(), g->toPoint()->getY()};
    }
    OGRPoint p;
    if (g->Centroid(&p) == OGRERR_NONE && (type == wkbMultiPoint || type == wkbLineString ||
                                           type == wkbMultiLineString || g->Contains(&p) != 0)) {
        return geo::LonLat{p.getX(), p.getY()};
    }
    OGRGeometryH q = OGR_G_PointOnSurface(OGRGeometry::ToHandle(const_cast<OGRGeometry*>(g)));
    if (q != nullptr) {
        const geo::LonLat out{OGR_G_GetX(q, 0), OGR_G_GetY(q, 0)};
        OGR_G_DestroyGeometry(q);
        return out;
    }
    return std::nullopt;
}

class CommandNearest : public Command {
public:
    [[nodiscard]] const char* name() const override { return "nearest"; }
    [[nodiscard]] const char* synopsis() const override {
        return "nearest site (or k nearest) of every point or polygon: geodesic, exact";
    }

    CommandNearest() {
        po::options_description d("Options", help_width);
        add_site_options(d, m_sites, false);
        d.add_options()(
            "points", po::value<std::string>(&m_points)->required(),
            "points (or polygons, measured from their reference point): any OGR layer or a CSV "
            "with lon/lat columns")(
            "points-crs", po::value<std::string>(&m_points_crs),
            "CRS of the points, overriding the layer's (CSV default EPSG:4326)")(
            "out,o", po::value<std::string>(&m_out)->required(),
            "output file: .csv, .geojson or .gpkg")("k,k", po::value<int>(&m_k)->default_value(1),
                                                    "number of nearest sites per point")(
            "max-km", po::value<double>(&m_max_km)->default_value(-1.0, "none"),
            "leave sites farther than this empty (km)")(
            "strict", po::bool_switch(&m_strict),
            "stop at the first point without usable coordinates");
        m_all.add(d).add(
            common_options(m_progress, m_no_progress, m_threads, m_quiet, m_log_format));
    }

    void setup(const std::vector<std::string>& args) override {
        if (std::find(args.begin(), args.end(), "--help") != args.end() ||
            std::find(args.begin(), args.end(), "-h") != args.end()) {
            m_help = true;
            return;
        }
        const auto vm = parse(args, m_all, nullptr, {"sites", "border-sites", "points", "out"});
        if (m_sites.paths.empty()) {
            throw usage_error("the option '--sites' is required but missing: give the layer of "
                              "sites to measure from.");
        }
        check_site_layers(vm, m_sites);
        if (m_k < 1 || m_k > 1000) {
            throw usage_error("-k must be between 1 and 1000 (got " + std::to_string(m_k) + ").");
        }
        if (!(m_max_km >= 0) && m_max_km != -1.0) {
            throw usage_error("--max-km must be a distance in km, 0 or more, or -1 for none (got " +
                              format_number(m_max_km) + ").");
        }
        set_log_format(m_log_format);
        if (m_threads < 0) {
            throw usage_error("--threads must be 0 (all cores) or more (got " +
                              std::to_string(m_threads) + ").");
        }
        m_format = output::format_from_path(m_out);
        m_sites.options.strict = m_strict;
    }

    int run() override {
        if (m_help) {
            std::cout << help();
            return 0;
        }
        if (m_threads > 0) {
            omp_set_num_threads(m_threads);
        }
        const auto t0 = std::chrono::steady_clock::now();
        auto sites = read_site_inputs(m_sites, m_quiet);
        const double t_read_sites = since(t0);
        std::vector<geo::LonLat> pos;
        pos.reserve(sites.sites.size());
        for (const auto& s : sites.sites) {
            pos.push_back(s.position);
        }
        const auto t1 = std::chrono::steady_clock::now();
        index::SiteIndex idx(pos);
        // A bucket table around the sites, sized on the number of points the input holds
        // (estimated from its size: about 32 bytes a point in CSV).
        std::error_code size_error;
        const auto bytes = std::filesystem::file_size(m_points, size_error);
        idx.prepare(pos, 0.5, size_error ? 0 : static_cast<std::size_t>(bytes / 32));
        const double t_index = since(t1);

        const bool csv_in = io::is_csv_path(m_points);
        if (csv_in && m_format == output::VectorFormat::csv && m_points_crs.empty()) {
            return run_csv(sites, idx, t0, t_read_sites, t_index);
        }

        // Input points.
        auto in =
            io::open_vector(m_points, csv_in ? std::vector<std::string>{"KEEP_GEOM_COLUMNS=YES"}
                                             : std::vector<std::string>{});
        OGRLayer* layer = io::first_layer(*in, m_points);
        OGRFeatureDefn& defn = *layer->GetLayerDefn();
        int lon_idx = -1;
        int lat_idx = -1;
        if (csv_in) {
            const auto lon = io::first_present(defn, io::lon_column_names());
            const auto lat = io::first_present(defn, io::lat_column_names());
            if (lon.empty() || lat.empty()) {
                throw input_error(m_points + ": no longitude/latitude columns (looked for " +
                                  io::lonlat_names_text() +
                                  "; columns are: " + io::field_list(defn) + ").");
            }
            lon_idx = io::find_field(defn, lon);
            lat_idx = io::find_field(defn, lat);
        }
        const auto crs = io::resolve_crs(*layer, m_points_crs, "--points-crs", csv_in);
        const auto& ct = crs.to_wgs84;

        // Output: the input's fields, then the results.
        io::StagedOutput staging(fs::absolute(m_out).parent_path(), io::StagedOutput::Lock::none);
        const std::string name = fs::path(m_out).filename().string();
        const std::string tmp = staging.path(name).string();
        auto out = output::create_vector(tmp, m_format);
        std::vector<output::FieldSpec> results;
        for (int r = 1; r <= m_k; ++r) {
            const std::string suffix = r == 1 ? "" : "_" + std::to_string(r);
            results.push_back({"nearest_site_id" + suffix, OFTString});
            results.push_back({"nearest_site_name" + suffix, OFTString});
            results.push_back({"nearest_km" + suffix, OFTReal});
        }
        // Input fields named like a result (a file that went through maillage before) are
        // replaced by the new results rather than duplicated.
        std::vector<output::FieldSpec> fields;
        std::vector<int> kept;
        for (int i = 0; i < defn.GetFieldCount(); ++i) {
            const std::string name = defn.GetFieldDefn(i)->GetNameRef();
            const bool clash =
                std::any_of(results.begin(), results.end(), [&](const output::FieldSpec& f) {
                    return strcasecmp(f.name.c_str(), name.c_str()) == 0;
                });
            if (clash) {
                if (!m_quiet) {
                    log("warning: " + m_points + ": its field '" + name +
                        "' is replaced by the new result");
                }
                continue;
            }
            kept.push_back(i);
            fields.push_back(
                {name, defn.GetFieldDefn(i)->GetType(), defn.GetFieldDefn(i)->GetSubType()});
        }
        const std::size_t first_result = fields.size();
        fields.insert(fields.end(), results.begin(), results.end());
        // CSV points get a point geometry in formats that have one.
        auto gtype = csv_in ? (m_format == output::VectorFormat::csv ? wkbNone : wkbPoint)
                            : wkbFlatten(layer->GetGeomType());
        const auto wgs = io::wgs84();
        output::LayerWriter writer(*out, tmp, fs::path(m_out).stem().string(), gtype,
                                   gtype == wkbNone ? nullptr : &wgs, fields);

        // Chunks: read a block, query it in parallel, write it; memory stays bounded.
        constexpr std::size_t chunk = 65536;
        std::vector<OGRFeatureUniquePtr> feats;
        std::vector<geo::LonLat> pts;
        std::vector<char> ok;
        std::vector<std::vector<index::Hit>> hits;
        std::size_t total = 0;
        std::size_t bad = 0;
        double t_query = 0.0;
        double t_io = 0.0;
        const double max_m =
            m_max_km >= 0 ? m_max_km * 1000.0 : std::numeric_limits<double>::infinity();
        const auto k = static_cast<std::size_t>(m_k);
        std::vector<output::FieldValue> values(fields.size());
        layer->ResetReading();
        bool more = true;
        auto tio = std::chrono::steady_clock::now();
        while (more) {
            feats.clear();
            pts.clear();
            ok.clear();
            while (feats.size() < chunk) {
                OGRFeatureUniquePtr f(layer->GetNextFeature());
                if (!f) {
                    more = false;
                    break;
                }
                std::optional<geo::LonLat> p;
                std::string problem;
                if (csv_in) {
                    const auto x = io::parse_number(f->GetFieldAsString(lon_idx));
                    const auto y = io::parse_number(f->GetFieldAsString(lat_idx));
                    if (x && y) {
                        p = geo::LonLat{*x, *y};
                    }
                } else {
                    if (OGRGeometry* g = f->GetGeometryRef(); g != nullptr && ct) {
                        g->transform(ct.get());
                    }
                    p = reference_point(f->GetGeometryRef());
                }
                if (!p) {
                    unusable(io::feature_where(csv_in, f->GetFID()), bad);
                }
                if (csv_in && p && ct) {
                    double x = p->lon;
                    double y = p->lat;
                    if (ct->Transform(1, &x, &y) != 0) {
                        p = geo::LonLat{x, y};
                    } else {
                        p.reset();
                    }
                }
                if (p && !geo::is_valid_lonlat(*p)) {
                    p.reset();
                }
                pts.push_back(p.value_or(geo::LonLat{}));
                ok.push_back(p ? 1 : 0);
                feats.push_back(std::move(f));
            }
            t_io += lap(tio);
            const auto tq = std::chrono::steady_clock::now();
            hits.resize(feats.size());
            query(idx, pts, ok, hits, feats.size(), k, max_m);
            t_query += since(tq);
            tio = std::chrono::steady_clock::now();
            for (std::size_t i = 0; i < feats.size(); ++i) {
                auto& f = *feats[i];
                for (std::size_t j = 0; j < first_result; ++j) {
                    values[j] = field_value(f, kept[j]);
                }
                for (std::size_t r = 0; r < k; ++r) {
                    const std::size_t b = first_result + 3 * r;
                    if (r < hits[i].size()) {
                        const auto& s = sites.sites[hits[i][r].site];
                        values[b] = s.id;
                        values[b + 1] = s.name;
                        values[b + 2] = core::round_to(hits[i][r].distance_m / 1000.0, 4);
                    } else {
                        values[b] = values[b + 1] = values[b + 2] = output::FieldValue{};
                    }
                }
                if (csv_in && gtype != wkbNone) {
                    OGRPoint pt(pts[i].lon, pts[i].lat);
                    writer.add(ok[i] != 0 ? &pt : nullptr, values);
                } else {
                    writer.add(gtype == wkbNone ? nullptr : f.GetGeometryRef(), values);
                }
            }
            total += feats.size();
        }
        writer.finish();
        output::close_dataset(std::move(out), tmp);
        staging.commit();
        t_io += lap(tio);
        report(total, sites.sites.size(), bad, t_read_sites, t_index, t_query, t_io, since(t0));
        return 0;
    }

    /// Points from CSV to CSV, streamed as text: the fields of each record are copied through
    /// and the results appended.
    int run_csv(const io::SiteSet& sites, const index::SiteIndex& idx,
                std::chrono::steady_clock::time_point t0, double t_read_sites, double t_index) {
        io::CsvReader in(m_points);
        const auto& header = in.header();
        auto column = [&](const std::vector<std::string>& names) -> std::ptrdiff_t {
            for (const auto& n : names) {
                for (std::size_t i = 0; i < header.size(); ++i) {
                    if (strcasecmp(header[i].c_str(), n.c_str()) == 0) {
                        return static_cast<std::ptrdiff_t>(i);
                    }
                }
            }
            return -1;
        };
        const auto lon_col = column(io::lon_column_names());
        const auto lat_col = column(io::lat_column_names());
        if (lon_col < 0 || lat_col < 0) {
            std::string cols;
            for (const auto& h : header) {
                cols += (cols.empty() ? "" : ", ") + h;
            }
            throw input_error(m_points + ": no longitude/latitude columns (looked for " +
                              io::lonlat_names_text() + "; columns are: " + cols + ").");
        }
        io::StagedOutput staging(fs::absolute(m_out).parent_path(), io::StagedOutput::Lock::none);
        const std::string tmp = staging.path(fs::path(m_out).filename().string()).string();
        io::CsvWriter out(tmp);
        for (const auto& h : header) {
            out.field(h);
        }
        const auto k = static_cast<std::size_t>(m_k);
        for (std::size_t r = 1; r <= k; ++r) {
            const std::string suffix = r == 1 ? "" : "_" + std::to_string(r);
            out.field("nearest_site_id" + suffix);
            out.field("nearest_site_name" + suffix);
            out.field("nearest_km" + suffix);
        }
        out.end_record();

        constexpr std::size_t chunk = 65536;
        std::vector<std::vector<std::string>> records(chunk);
        std::vector<geo::LonLat> pts(chunk);
        std::vector<char> ok(chunk);
        std::vector<std::vector<index::Hit>> hits(chunk);
        std::vector<std::string> lines(chunk);
        std::size_t total = 0;
        std::size_t bad = 0;
        double t_query = 0.0;
        std::vector<std::string> site_fields; // ",id,name" of each site, CSV-escaped
        const double max_m =
            m_max_km >= 0 ? m_max_km * 1000.0 : std::numeric_limits<double>::infinity();
        bool more = true;
        while (more) {
            std::size_t n = 0;
            while (n < chunk) {
                if (!in.next(records[n])) {
                    more = false;
                    break;
                }
                const auto& rec = records[n];
                const auto x = static_cast<std::size_t>(lon_col) < rec.size()
                                   ? io::parse_number(rec[static_cast<std::size_t>(lon_col)])
                                   : std::nullopt;
                const auto y = static_cast<std::size_t>(lat_col) < rec.size()
                                   ? io::parse_number(rec[static_cast<std::size_t>(lat_col)])
                                   : std::nullopt;
                ok[n] = (x && y && geo::is_valid_lonlat({*x, *y})) ? 1 : 0;
                pts[n] = ok[n] != 0 ? geo::LonLat{*x, *y} : geo::LonLat{};
                if (ok[n] == 0) {
                    unusable("line " + std::to_string(in.line()), bad);
                }
                ++n;
            }
            const auto tq = std::chrono::steady_clock::now();
            query(idx, pts, ok, hits, n, k, max_m);
            t_query += since(tq);
            // Records are formatted in parallel, then written in order; each site's id and name
            // are escaped once.
            if (site_fields.empty()) {
                site_fields.resize(sites.sites.size());
                for (std::size_t s = 0; s < sites.sites.size(); ++s) {
                    io::CsvWriter::append_field(site_fields[s], sites.sites[s].id, false);
                    io::CsvWriter::append_field(site_fields[s], sites.sites[s].name, false);
                }
            }
            const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static, 1024)
            for (std::int64_t ii = 0; ii < count; ++ii) {
                const auto i = static_cast<std::size_t>(ii);
                const auto& rec = records[i];
                auto& line = lines[i];
                line.clear();
                for (std::size_t j = 0; j < header.size(); ++j) {
                    io::CsvWriter::append_field(
                        line, j < rec.size() ? std::string_view(rec[j]) : "", j == 0);
                }
                for (std::size_t r = 0; r < k; ++r) {
                    if (r < hits[i].size()) {
                        line += site_fields[hits[i][r].site];
                        io::CsvWriter::append_field(line, hits[i][r].distance_m / 1000.0, 4, false);
                    } else {
                        line += ",,,";
                    }
                }
                line.push_back('\n');
            }
            for (std::size_t i = 0; i < n; ++i) {
                out.raw_record(lines[i]);
            }
            total += n;
        }
        out.close();
        staging.commit();
        report(total, sites.sites.size(), bad, t_read_sites, t_index, t_query,
               since(t0) - t_read_sites - t_index - t_query, since(t0));
        return 0;
    }

    /// A point without usable coordinates: fatal with --strict, else its result stays empty
    /// (the first five are named in a warning).
    void unusable(const std::string& where, std::size_t& bad) const {
        if (m_strict) {
            throw input_error(m_points + ": " + where + ": no usable coordinates (--strict)");
        }
        if (bad < 5 && !m_quiet) {
            log("warning: " + m_points + ": " + where +
                ": no usable coordinates; its result is left empty");
        }
        ++bad;
    }

    /// Nearest (or k nearest within max_m) of the first n points, in parallel.
    static void query(const index::SiteIndex& idx, const std::vector<geo::LonLat>& pts,
                      const std::vector<char>& ok, std::vector<std::vector<index::Hit>>& hits,
                      std::size_t n, std::size_t k, double max_m) {
        const auto count = static_cast<std::int64_t>(n);
#pragma omp parallel for schedule(static, 1024)
        for (std::int64_t i = 0; i < count; ++i) {
            const auto u = static_cast<std::size_t>(i);
            hits[u].clear();
            if (ok[u] == 0) {
                continue;
            }
            if (k == 1) {
                const auto h = idx.nearest(pts[u]);
                if (h.distance_m <= max_m) {
                    hits[u].push_back(h);
                }
            } else {
                hits[u] = idx.k_nearest(pts[u], k);
                while (!hits[u].empty() && hits[u].back().distance_m > max_m) {
                    hits[u].pop_back();
                }
            }
        }
    }

    void report(std::size_t total, std::size_t nsites, std::size_t bad, double t_read_sites,
                double t_index, double t_query, double t_io, double t_total) const {
        if (m_quiet) {
            return;
        }
        std::ostringstream o;
        o << std::fixed << std::setprecision(3) << total << " points, " << nsites
          << " sites; timings (s): read sites " << t_read_sites << ", index " << t_index
          << ", query with distances " << t_query << ", read and write points " << t_io
          << "; total " << t_total;
        log(o.str());
        if (bad > 0) {
            log("warning: " + std::to_string(bad) +
                " point(s) without usable coordinates, results left empty");
        }
        log("wrote " + m_out);
    }

    [[nodiscard]] std::string help() const override {
        std::ostringstream o;
        o << "Usage: maillage nearest --sites S --points P --out FILE [-k K] [--max-km D]\n\n"
          << "QGIS's \"Distance to nearest hub\" done right: WGS84 geodesic distances, the exact\n"
          << "nearest sites, fast on millions of points. Output format from FILE's extension.\n\n"
          << m_all;
        return o.str();
    }

private:
    static output::FieldValue field_value(OGRFeature& f, int i) {
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

    static double lap(std::chrono::steady_clock::time_point& t) {
        const auto now = std::chrono::steady_clock::now();
        const double s = std::chrono::duration<double>(now - t).count();
        t = now;
        return s;
    }
    static double since(const std::chrono::steady_clock::time_point& t) {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t).count();
    }

    po::options_description m_all{help_width};
    SiteInputs m_sites;
    std::string m_points;
    std::string m_points_crs;
    std::string m_out;
    output::VectorFormat m_format = output::VectorFormat::csv;
    int m_k = 1;
    double m_max_km = -1.0;
    int m_threads = 0;
    bool m_strict = false;
    bool m_progress = false;
    bool m_no_progress = false;
    bool m_quiet = false;
    bool m_help = false;
    std::string m_log_format = "text";
};

} // namespace

std::unique_ptr<Command> make_nearest() { return std::make_unique<CommandNearest>(); }

} // namespace maillage::cli
