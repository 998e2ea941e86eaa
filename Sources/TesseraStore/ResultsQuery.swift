import Foundation
import GRDB
import GRDBSQLite

/// One value of a query result, as SQLite stores it.
public enum QueryValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob(Data)
}

/// A query's column names and rows.
public struct QueryResult: Sendable, Equatable {
    public var columns: [String]
    public var rows: [[QueryValue]]
}

/// Read-only SQL against a results file, for `tessera query`.
public enum ResultsQuery {
    /// Runs one statement read-only. `parameters` bind the statement's named parameters (`:name`, `@name`, `$name`);
    /// a value that reads as an integer or a real number binds as one, anything else as text. Parameters listed in
    /// `optionalParameters` and not given bind NULL; any other parameter the statement names must be given.
    ///
    /// The file is opened read-only and a statement that would write is refused before it runs, so the file is
    /// never changed.
    public static func run(databasePath path: String, sql: String, parameters: [String: String] = [:],
                           optionalParameters: Set<String> = []) throws -> QueryResult {
        let queue = try ResultsReader.openReadOnly(path)
        return try queue.read { db in
            let statement = try prepareSingleStatement(db, sql: sql, path: path)
            switch PragmaRule.verdict(sql) {
            case .refused(let reason):
                throw StoreError(.notReadOnly, "refused: `tessera query` only reads, and \(reason) (nothing was run)",
                                 path: path, context: "statement: \(sql)")
            case .allowed:
                break
            case .notAPragma:
                guard statement.isReadonly else {
                    throw StoreError(.notReadOnly, "refused: `tessera query` only reads, and this statement would "
                                     + "change the file (nothing was run)", path: path, context: "statement: \(sql)")
                }
            }
            try bind(statement, parameters: parameters, optional: optionalParameters, sql: sql, path: path)
            let columns = statement.columnNames
            do {
                var rows: [[QueryValue]] = []
                let cursor = try Row.fetchCursor(statement)
                while let row = try cursor.next() {
                    rows.append((0..<row.count).map { value(row[$0] as DatabaseValue) })
                }
                return QueryResult(columns: columns, rows: rows)
            } catch let error as DatabaseError {
                throw sqlError(error, sql: sql, path: path)
            }
        }
    }

    private static func prepareSingleStatement(_ db: Database, sql: String, path: String) throws -> Statement {
        do {
            let cursor = try db.allStatements(sql: sql)
            guard let statement = try cursor.next() else {
                throw StoreError(.sqlite, "the SQL holds no statement", path: path, context: "statement: \(sql)")
            }
            // What follows the first statement is not compiled for its own sake: it may name a database only the
            // first would ATTACH ("unknown database x"). Anything there, compilable or not, is a second statement.
            let more: Bool
            do { more = try cursor.next() != nil } catch { more = true }
            if more {
                throw StoreError(.sqlite, "give one statement at a time (this SQL holds several)", path: path,
                                 context: "statement: \(sql)")
            }
            return statement
        } catch let error as DatabaseError {
            throw sqlError(error, sql: sql, path: path)
        }
    }

    private static func bind(_ statement: Statement, parameters: [String: String], optional: Set<String>,
                             sql: String, path: String) throws {
        // SQLite reports names with their prefix (":run"); users write them without.
        var needed: [String: String] = [:]
        let count = sqlite3_bind_parameter_count(statement.sqliteStatement)
        for index in stride(from: Int32(1), through: count, by: 1) {
            // GRDB exposes no name lookup; SQLite's is one call away through the statement's public handle.
            guard let cName = sqlite3_bind_parameter_name(statement.sqliteStatement, index) else {
                throw StoreError(.parameters, "the statement has a positional parameter (?); name it (:name) and "
                                 + "give it with --param name=value", path: path, context: "statement: \(sql)")
            }
            let name = String(cString: cName)
            needed[String(name.dropFirst())] = name
        }
        let unknown = parameters.keys.filter { needed[$0] == nil }.sorted()
        if !unknown.isEmpty {
            throw StoreError(.parameters, "the statement has no parameter named \(unknown.joined(separator: ", ")) "
                             + "(it has: \(needed.keys.sorted().map { ":" + $0 }.joined(separator: ", ")))",
                             path: path, context: "statement: \(sql)")
        }
        let missing = needed.keys.filter { parameters[$0] == nil && !optional.contains($0) }.sorted()
        if !missing.isEmpty {
            throw StoreError(.parameters, "the statement needs " + missing.map { "--param \($0)=VALUE" }
                .joined(separator: " "), path: path, context: "statement: \(sql)")
        }
        // GRDB matches named arguments without their prefix; absent optional ones stay unbound, which SQLite reads as NULL.
        var arguments: [String: (any DatabaseValueConvertible)?] = [:]
        for name in needed.keys { arguments[name] = parameters[name].map(bindValue) ?? DatabaseValue.null }
        statement.setUncheckedArguments(StatementArguments(arguments))
    }

    /// "12" binds as an integer, "0.5" as a real, anything else as text (so comparisons with numeric columns
    /// and LIMIT work without casts).
    static func bindValue(_ text: String) -> any DatabaseValueConvertible {
        if let integer = Int64(text), String(integer) == text { return integer }
        // Only plain decimal notation: Double("0x10") and Double("inf") parse too, but those are meant as text.
        if text.allSatisfy({ "0123456789.-+eE".contains($0) }), let real = Double(text), real.isFinite { return real }
        return text
    }

    private static func value(_ value: DatabaseValue) -> QueryValue {
        switch value.storage {
        case .null: return .null
        case .int64(let integer): return .integer(integer)
        case .double(let real): return .real(real)
        case .string(let text): return .text(text)
        case .blob(let data): return .blob(data)
        }
    }

    private static func sqlError(_ error: DatabaseError, sql: String, path: String) -> StoreError {
        StoreError(.sqlite, "SQLite error \(error.extendedResultCode.rawValue): \(error.message ?? "unknown error")",
                   path: path, context: "statement: \(sql)", sqliteCode: error.extendedResultCode.rawValue)
    }
}
