import Foundation
import TesseraCore

/// How `tessera query` writes a result.
public enum QueryOutputFormat: String, Sendable, CaseIterable {
    /// Columns aligned under a header, for reading in a terminal.
    case table
    /// RFC 4180: comma-separated, quoted where needed, a header line first.
    case csv
    /// One JSON array of objects, column name to value.
    case json
    /// One JSON object per line.
    case ndjson
}

extension QueryResult {
    /// The result written in `format`, ending with a newline (except an empty table with no columns).
    public func rendered(as format: QueryOutputFormat) -> String {
        switch format {
        case .table: return renderTable()
        case .csv: return renderCSV()
        case .json: return "[" + rows.map(jsonObject).joined(separator: ",\n ") + "]\n"
        case .ndjson: return rows.map { jsonObject($0) + "\n" }.joined()
        }
    }

    private func renderTable() -> String {
        let cells = rows.map { $0.map(Self.tableText) }
        var widths = columns.map(\.count)
        for row in cells { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        let numeric = columns.indices.map { column in
            rows.allSatisfy { row in
                switch row[column] { case .integer, .real, .null: true; default: false }
            }
        }
        func line(_ values: [String]) -> String {
            values.enumerated().map { index, value in
                let padding = String(repeating: " ", count: widths[index] - value.count)
                if numeric[index] { return padding + value }
                // No trailing padding after the last column.
                return index == values.count - 1 ? value : value + padding
            }.joined(separator: "  ")
        }
        var output = line(columns) + "\n"
        output += widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ") + "\n"
        for row in cells { output += line(row) + "\n" }
        output += "(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
        return output
    }

    private func renderCSV() -> String {
        var output = CSVText.record(columns)
        for row in rows { output += CSVText.record(row.map(Self.plainText)) }
        return output
    }

    private func jsonObject(_ row: [QueryValue]) -> String {
        "{" + zip(columns, row).map { JSONText.quoted($0) + ":" + Self.jsonValue($1) }.joined(separator: ",") + "}"
    }

    static func plainText(_ value: QueryValue) -> String {
        switch value {
        case .null: return ""
        case .integer(let integer): return String(integer)
        case .real(let real): return realText(real)
        case .text(let text): return text
        case .blob(let data): return "x'" + data.map { String(format: "%02x", $0) }.joined() + "'"
        }
    }

    static func tableText(_ value: QueryValue) -> String {
        if case .null = value { return "NULL" }
        return plainText(value).replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Shortest text that reads back as the same double ("0.1", "1e-07"), and integral values with ".0".
    static func realText(_ real: Double) -> String {
        if real.isNaN { return "NaN" }
        if real.isInfinite { return real < 0 ? "-Inf" : "Inf" }
        return "\(real)"
    }

    static func jsonValue(_ value: QueryValue) -> String {
        switch value {
        case .null: return "null"
        case .integer(let integer): return String(integer)
        case .real(let real): return real.isFinite ? realText(real) : "null"
        case .text(let text): return JSONText.quoted(text)
        case .blob: return JSONText.quoted(plainText(value))
        }
    }

}
