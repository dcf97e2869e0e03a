#include "maillage/io/csv_stream.hpp"

#include "maillage/core/error.hpp"
#include "maillage/io/output_dir.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

namespace maillage::io {

namespace {

constexpr std::size_t buffer_size = 1 << 20;

std::FILE* open_csv(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "rb");
    if (f != nullptr) {
        return f;
    }
    const int err = errno;
    if (err == ENOENT) {
        throw input_error(path + ": no such file. Check the path (relative paths are taken from " +
                          std::filesystem::current_path().string() + ").");
    }
    throw input_error(path + ": cannot open: " + std::strerror(err) +
                      ". Check the path and the file's permissions.");
}

/// The separator of a header line: the candidate seen most often outside quotes (a comma when
/// none is seen; the first of the candidates on a tie).
char separator_of(const std::string& line) {
    std::array<std::pair<char, int>, 4> counts{{{',', 0}, {';', 0}, {'\t', 0}, {'|', 0}}};
    bool quoted = false;
    for (char c : line) {
        if (c == '"') {
            quoted = !quoted;
        }
        for (auto& [s, n] : counts) {
            n += (!quoted && c == s) ? 1 : 0;
        }
    }
    auto best = counts[0];
    for (const auto& candidate : counts) {
        if (candidate.second > best.second) {
            best = candidate;
        }
    }
    return best.first;
}

} // namespace

std::string CsvReader::first_line() {
    std::string first;
    bool quoted = false;
    for (int c = get(); c != EOF; c = get()) {
        if (c == '"') {
            quoted = !quoted;
        }
        if (!quoted && (c == '\n' || c == '\r')) {
            break;
        }
        first.push_back(static_cast<char>(c));
    }
    if (first.rfind("\xEF\xBB\xBF", 0) == 0) {
        first.erase(0, 3);
    }
    return first;
}

CsvReader::CsvReader(const std::string& path)
    : m_path(path), m_file(open_csv(path)), m_buf(buffer_size) {
    m_sep = separator_of(first_line());
    // Then parse the header line itself as a record.
    std::rewind(m_file.get());
    m_pos = m_len = 0;
    m_line = 1;
    if (!read_record(m_header)) {
        throw input_error(path +
                          ": the file is empty; expected a header line with lon and lat columns.");
    }
    if (!m_header.empty() && m_header[0].rfind("\xEF\xBB\xBF", 0) == 0) {
        m_header[0].erase(0, 3);
    }
}

CsvReader::~CsvReader() = default;

int CsvReader::get() {
    if (m_pos == m_len) {
        m_len = std::fread(m_buf.data(), 1, m_buf.size(), m_file.get());
        m_pos = 0;
        if (m_len == 0) {
            return EOF;
        }
    }
    return static_cast<unsigned char>(m_buf[m_pos++]);
}

int CsvReader::skip_blank_lines() {
    for (;;) {
        m_record_line = m_line;
        const int c = get();
        if (c == '\n') {
            ++m_line;
        } else if (c != '\r') {
            return c;
        }
    }
}

int CsvReader::read_quoted(std::string& field) {
    for (int c = get();; c = get()) {
        if (c == EOF) {
            throw input_error(m_path + ": line " + std::to_string(m_record_line) +
                              ": a quoted field is never closed (missing '\"').");
        }
        if (c == '"') {
            const int d = get();
            if (d != '"') {
                return d; // the closing quote
            }
            field.push_back('"');
            continue;
        }
        if (c == '\n') {
            ++m_line;
        }
        field.push_back(static_cast<char>(c));
    }
}

void CsvReader::end_record(int c) {
    if (c == '\r') {
        const int d = get();
        if (d != '\n' && d != EOF) {
            --m_pos; // lone CR: keep the next character
        }
    }
    ++m_line;
}

bool CsvReader::read_record(std::vector<std::string>& fields) {
    std::size_t used = 0;
    auto next_field = [&]() -> std::string& {
        if (used == fields.size()) {
            fields.emplace_back();
        }
        std::string& f = fields[used++];
        f.clear();
        return f;
    };
    int c = skip_blank_lines();
    if (c == EOF) {
        fields.resize(used);
        return false;
    }
    m_stray_quote_field = -1;
    m_stray_quotes = 0;
    std::string* cur = &next_field();
    bool was_quoted = false;
    for (;;) {
        if (c == EOF || c == '\n' || c == '\r') {
            end_record(c);
            fields.resize(used);
            return true;
        }
        if (c == static_cast<unsigned char>(m_sep)) {
            cur = &next_field();
            was_quoted = false;
        } else if (c == '"' && cur->empty() && !was_quoted) {
            was_quoted = true;
            c = read_quoted(*cur);
            continue;
        } else {
            if (c == '"' && !was_quoted && m_stray_quotes++ == 0) {
                m_stray_quote_field = static_cast<int>(used) - 1;
            }
            cur->push_back(static_cast<char>(c));
        }
        c = get();
    }
}

bool CsvReader::next(std::vector<std::string>& fields) { return read_record(fields); }

void check_csv_field_count(const std::string& path, const CsvReader& in,
                           const std::vector<std::string>& fields) {
    const auto& header = in.header();
    const std::size_t n = header.size();
    bool extra = false;
    for (std::size_t i = n; i < fields.size(); ++i) {
        extra = extra || !fields[i].empty();
    }
    if (!extra) {
        return;
    }
    const char sep = in.separator();
    const std::string sep_name = sep == '\t' ? "tab" : std::string("'") + sep + "'";
    std::string row;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        row += (i == 0 ? "" : std::string(1, sep == '\t' ? ' ' : sep)) + fields[i];
    }
    std::string out = path + ": line " + std::to_string(in.line()) + " has " +
                      std::to_string(fields.size()) + " fields separated by " + sep_name + " ('" +
                      row + "') but the header (line 1) has " + std::to_string(n);
    if (n == 1) {
        out += " ('" + header[0] +
               "'): the header and the rows do not use the same separator. Write the header "
               "with the rows' separator (comma, semicolon or tab).";
    } else if (sep == ',') {
        out += ": a value holds a comma. Decimal commas in a comma-separated file? Quote such "
               "values (\"5,065\"), write them with a point (5.065), or save the file with "
               "semicolons between the columns.";
    } else {
        out += ": a value holds the separator. Quote such values, or remove the extra " + sep_name +
               ".";
    }
    throw input_error(out);
}

void check_csv_field_counts(const std::string& path) {
    CsvReader in(path);
    std::vector<std::string> fields;
    while (in.next(fields)) {
        if (const int q = in.stray_quote_field(); q >= 0) {
            throw input_error(path + ": line " + std::to_string(in.line()) + ": the value '" +
                              fields[static_cast<std::size_t>(q)] +
                              "' holds a double quote without being quoted, which makes the "
                              "following lines part of it. Quote the whole value and double the "
                              "quote (\"45°03'36\"\"N\"), or remove the quote.");
        }
        check_csv_field_count(path, in, fields);
    }
}

CsvWriter::CsvWriter(const std::string& path) : m_path(path) {
    m_file = std::fopen(path.c_str(), "wb");
    if (m_file == nullptr) {
        throw runtime_failure(path + ": cannot create: " + std::strerror(errno));
    }
    m_out.reserve(buffer_size + 4096);
}

CsvWriter::~CsvWriter() {
    if (m_file != nullptr) {
        std::fclose(m_file);
    }
}

void CsvWriter::sep() {
    if (!m_first) {
        m_out.push_back(',');
    }
    m_first = false;
}

void CsvWriter::append_field(std::string& out, std::string_view v, bool first) {
    if (!first) {
        out.push_back(',');
    }
    bool plain = true;
    for (const char c : v) {
        if (c == ',' || c == '"' || c == '\r' || c == '\n') {
            plain = false;
            break;
        }
    }
    if (plain) {
        out.append(v);
        return;
    }
    out.push_back('"');
    for (char c : v) {
        if (c == '"') {
            out.push_back('"');
        }
        out.push_back(c);
    }
    out.push_back('"');
}

void CsvWriter::append_field(std::string& out, double value, int decimals, bool first) {
    if (!first) {
        out.push_back(',');
    }
    // to_chars is specified as printf("%.*f") in the C locale, without its cost.
    std::array<char, 400> buf{};
    const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), value,
                                   std::chars_format::fixed, decimals);
    if (res.ec != std::errc{}) {
        const int n = std::snprintf(buf.data(), buf.size(), "%.*f", decimals, value);
        out.append(buf.data(), static_cast<std::size_t>(std::max(0, n)));
        return;
    }
    out.append(buf.data(), res.ptr);
}

void CsvWriter::field(std::string_view v) {
    append_field(m_out, v, m_first);
    m_first = false;
}

void CsvWriter::field(double value, int decimals) {
    append_field(m_out, value, decimals, m_first);
    m_first = false;
}

void CsvWriter::raw_record(std::string_view record) {
    m_out.append(record);
    m_first = true;
    flush_if_full();
}

void CsvWriter::flush_if_full() {
    if (m_out.size() >= buffer_size) {
        if (std::fwrite(m_out.data(), 1, m_out.size(), m_file) != m_out.size()) {
            throw runtime_failure(m_path +
                                  ": cannot write: " + write_failure_reason(m_path, errno));
        }
        m_out.clear();
    }
}

void CsvWriter::empty_field() { sep(); }

void CsvWriter::end_record() {
    m_out.push_back('\n');
    m_first = true;
    flush_if_full();
}

void CsvWriter::close() {
    if (m_file == nullptr) {
        return;
    }
    errno = 0;
    const bool ok = std::fwrite(m_out.data(), 1, m_out.size(), m_file) == m_out.size();
    int err = errno;
    m_out.clear();
    const bool closed = std::fclose(m_file) == 0;
    if (ok && !closed) {
        err = errno;
    }
    m_file = nullptr;
    if (!ok || !closed) {
        throw runtime_failure(m_path + ": cannot write: " + write_failure_reason(m_path, err));
    }
}

} // namespace maillage::io
