import Foundation
import Testing
import TesseraCore
import TesseraStore

/// Migrations that have shipped are never edited: results files written by earlier versions already have them
/// applied (GRDB records only their names), so an edit would never reach those files and two files with the same
/// migrations would hold different schemas. Change the schema by appending a migration to schemas/results.sql.
@Suite struct ShippedMigrationTests {
    /// Every migration in schemas/results.sql, in order, with the SHA-256 of its SQL text (`ResultsSchema.Migration.sql`).
    /// Add a line here for each migration appended; never change a line.
    static let shipped: [(name: String, sha256: String)] = [
        ("v1-initial-schema", "33d3b18c2e89703aad709b63648761572ab41f2ebf90eb45a5b4128d50c444f1"),
        ("v2-stain-normalisation", "de54f26eefe4054aa86154c4c5c3e968c4040203827de19248c0065a84242d53"),
        ("v3-slide-run-warning", "c325bab776b3df16e5cfa4c2c00544578f7b3227b5d229d9cc59e43d0d511fe6"),
        ("v4-run-precision", "b311194f044e1608e808c83fd602885de9921fefa4dd5e14374e2769bcc0deaf"),
        ("v5-outputs-shares-review", "05895f5d80021c4f434fe5eea702ceb8437cfc108d9e7597d34e51e0052f9c54"),
        ("v6-model-class-map", "2f2f215d62a689d28cbb7feac5f07bd01428422c0364b1d31c6a1af5899413d9"),
        ("v7-nuclei", "3004d65012d4820beb0a6d044bc802bee2d4a3d4ef0c50bcaa19b1b89c550f50"),
        ("v8-slide-qc", "b3171f50eb4a3cbd64be919934bef07f3d822af4a8a6bb14da3e52a172c85bca"),
        ("v9-density-and-qc-maps", "9273b84e23a4cf86885aac0d1c1a4d3c0d36a5ebd6f10cab7d81f8c7488097c6"),
    ]

    @Test func shippedMigrationsKeepTheirNamesOrderAndText() {
        let migrations = ResultsSchema.migrations
        #expect(migrations.count >= Self.shipped.count, "a shipped migration was removed from schemas/results.sql")
        for (pin, migration) in zip(Self.shipped, migrations) {
            #expect(migration.name == pin.name, "shipped migration \(pin.name) was renamed or moved")
            #expect(sha256Hex(Data(migration.sql.utf8)) == pin.sha256,
                    "shipped migration \(pin.name) was edited: restore it and append a new migration instead")
        }
        for migration in migrations.dropFirst(Self.shipped.count) {
            Issue.record("""
                migration \(migration.name) is not pinned: add ("\(migration.name)", "\(sha256Hex(Data(migration.sql.utf8)))") \
                to ShippedMigrationTests.shipped
                """)
        }
    }
}
