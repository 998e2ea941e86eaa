import Foundation
import GRDB

/// The results database schema: schemas/results.sql, embedded in the binary, split into its named migrations.
public enum ResultsSchema {
    /// One named migration: the SQL between its "-- migration: NAME" line and the next.
    public struct Migration: Sendable, Equatable {
        public var name: String
        public var sql: String
    }

    /// The full text of schemas/results.sql as built into this binary.
    public static var sql: String { EmbeddedSchemas.resultsSQL }

    /// The migrations in the order they apply.
    public static let migrations: [Migration] = parseMigrations(EmbeddedSchemas.resultsSQL)

    /// Splits a schema file on its "-- migration: NAME" lines; text before the first marker is a header comment.
    public static func parseMigrations(_ text: String) -> [Migration] {
        let marker = "-- migration:"
        var migrations: [Migration] = []
        var currentName: String? = nil
        var currentLines: [Substring] = []
        func flush() {
            if let currentName {
                migrations.append(Migration(name: currentName, sql: currentLines.joined(separator: "\n")))
            }
        }
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix(marker) {
                flush()
                currentName = line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
                currentLines = []
            } else if currentName != nil {
                currentLines.append(line)
            }
        }
        flush()
        return migrations
    }

    /// A GRDB migrator that applies every migration; GRDB records the applied names in grdb_migrations.
    static func migrator() -> DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for migration in migrations {
            migrator.registerMigration(migration.name) { db in
                try db.execute(sql: migration.sql)
            }
        }
        return migrator
    }

    /// Checks that `db` holds a Tessera results schema this build can read: every applied migration is one it knows.
    static func checkCompatible(_ db: Database, path: String) throws {
        guard try db.tableExists("grdb_migrations") else {
            throw StoreError(.incompatibleSchema, "not a Tessera results database: it has no grdb_migrations table",
                             path: path, context: "Results files are written by `tessera run`.")
        }
        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
        let known = Set(migrations.map(\.name))
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw StoreError(.incompatibleSchema,
                             "the file's schema has migrations this Tessera does not know (\(unknown.joined(separator: ", "))); "
                             + "it was written by a newer Tessera: use that version", path: path)
        }
    }
}
