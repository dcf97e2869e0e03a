#pragma once

// Streaming CSV (RFC 4180) for the one place where GDAL's CSV driver is the bottleneck:
// `maillage nearest` from CSV points to a CSV file (GDAL reads a million points in ~1.5 s and
// writes them in ~6 s; this reads and writes them in a fraction of that). Every other format,
// and every other command, goes through GDAL; the readers only use CsvReader to check a CSV's
// rows against its header first (check_csv_field_counts), which GDAL does not do.

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace maillage::io {

class CsvReader {
public:
    /// Opens `path` and reads its header; the separator (comma, semicolon, tab or pipe) is the
    /// one of these that occurs most in the header outside quotes. A UTF-8 BOM is skipped.
    explicit CsvReader(const std::string& path);
    ~CsvReader();
    CsvReader(const CsvReader&) = delete;
    CsvReader& operator=(const CsvReader&) = delete;

    [[nodiscard]] const std::vector<std::string>& header() const { return m_header; }
    [[nodiscard]] char separator() const { return m_sep; }

    /// Next record's fields (unquoted); false at the end. Throws input_error on an unterminated
    /// quote. Blank lines are skipped.
    bool next(std::vector<std::string>& fields);

    /// Line (1-based) where the record last returned by next() starts.
    [[nodiscard]] std::size_t line() const { return m_record_line; }

    /// Index of the first field of the last record that held a double quote without being
    /// quoted (`45°03'36"N`), when the record holds an odd number of them, else -1. GDAL's reader
    /// takes such a quote as the start of a quoted value and runs on into the next lines.
    [[nodiscard]] int stray_quote_field() const {
        return m_stray_quotes % 2 == 1 ? m_stray_quote_field : -1;
    }

private:
    int get();
    /// The header line as raw text (quotes kept, BOM dropped), to choose the separator.
    std::string first_line();
    bool read_record(std::vector<std::string>& fields);
    /// The first character of the next line that is not blank (EOF at the end); sets
    /// m_record_line.
    int skip_blank_lines();
    /// Reads a quoted value after its opening quote into `field` ("" is a quote); returns the
    /// character after the closing quote. Throws input_error when the quote is never closed.
    int read_quoted(std::string& field);
    /// Consumes the end of a record (`c`: EOF, LF, CR or CR LF) and counts its line.
    void end_record(int c);

    std::string m_path;
    struct FileCloser {
        void operator()(std::FILE* f) const { std::fclose(f); }
    };
    std::unique_ptr<std::FILE, FileCloser> m_file;
    std::vector<char> m_buf;
    std::size_t m_pos = 0;
    std::size_t m_len = 0;
    char m_sep = ',';
    std::vector<std::string> m_header;
    std::size_t m_line = 1;
    std::size_t m_record_line = 0;
    int m_stray_quote_field = -1;
    int m_stray_quotes = 0;
};

/// Checks that the record `fields` that `in` (reading the CSV file `path`) returned last has no
/// more non-empty fields than the header (see check_csv_field_counts); throws input_error naming
/// the line, its fields and what to do.
void check_csv_field_count(const std::string& path, const CsvReader& in,
                           const std::vector<std::string>& fields);

/// Checks that no record of the CSV file `path` has more non-empty fields than its header: a
/// value holding the separator (decimal commas in a comma-separated file, or a header written
/// with another separator than the rows), which GDAL would read shifted without a word. Throws
/// input_error naming the first such line, its fields and what to do.
void check_csv_field_counts(const std::string& path);

class CsvWriter {
public:
    /// Writes to `path` (created or truncated).
    explicit CsvWriter(const std::string& path);
    ~CsvWriter();
    CsvWriter(const CsvWriter&) = delete;
    CsvWriter& operator=(const CsvWriter&) = delete;

    /// Appends one field (quoted when it holds a comma, quote or line break).
    void field(std::string_view value);
    void field(double value, int decimals);
    void empty_field();
    void end_record();
    /// Appends a record formatted with the static helpers below (ending with '\n').
    void raw_record(std::string_view record);

    /// Formatting into a caller's buffer, so that records can be built in parallel.
    static void append_field(std::string& out, std::string_view value, bool first);
    static void append_field(std::string& out, double value, int decimals, bool first);
    /// Flushes and closes; throws runtime_failure if anything could not be written.
    void close();

private:
    void sep();
    void flush_if_full();
    std::string m_path;
    std::FILE* m_file = nullptr;
    std::string m_out;
    bool m_first = true;
};

} // namespace maillage::io
