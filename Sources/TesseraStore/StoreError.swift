import Foundation
import GRDB

/// Every failure of the results store, with the file and what to do about it.
public struct StoreError: Error, CustomStringConvertible, Sendable {
    public enum Kind: String, Sendable {
        /// The file could not be opened or created.
        case cannotOpen
        /// The file is not a Tessera results database, or its schema is newer than this build knows.
        case incompatibleSchema
        /// SQLite reported an error while running a statement.
        case sqlite
        /// `tessera query` was given a statement that would change the file.
        case notReadOnly
        /// A statement's named parameters and the values given do not match.
        case parameters
        /// A merge found two different rows for the same run, slide run or tile.
        case mergeConflict
        /// The caller passed something the store cannot record (wrong class count, unknown id, ...).
        case invalidInput
    }

    public var kind: Kind
    public var message: String
    /// The database file concerned.
    public var path: String?
    /// The SQL statement, tile or row concerned, when there is one.
    public var context: String?
    /// SQLite's extended result code when SQLite reported the error.
    public var sqliteCode: Int32?

    public init(_ kind: Kind, _ message: String, path: String? = nil, context: String? = nil, sqliteCode: Int32? = nil) {
        self.kind = kind
        self.message = message
        self.path = path
        self.context = context
        self.sqliteCode = sqliteCode
    }

    public var description: String {
        var text = message
        if let path { text += " (database: \(path))" }
        if let context { text += "\n\(context)" }
        return text
    }

    /// Runs `body` and turns GRDB's errors into StoreErrors naming the file: the one place database errors are mapped.
    static func mapping<T>(path: String, _ action: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            var context: String? = nil
            if let sql = error.sql { context = "statement: \(sql)" }
            throw StoreError(.sqlite, "\(action) failed: SQLite error \(error.extendedResultCode.rawValue): "
                             + (error.message ?? "unknown error"), path: path, context: context,
                             sqliteCode: error.extendedResultCode.rawValue)
        }
    }
}
