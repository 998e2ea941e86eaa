import Foundation
import Testing
import TesseraTestSupport

@Suite struct QueryCommandTests {
    /// A results file with one synthetic run: 2 slides x 5 tiles x 2 classes.
    func database() throws -> String {
        let path = try Fixtures.temporaryDirectory("query").appendingPathComponent("results.sqlite").path
        let output = try TesseraDevCLI.run(["write-store", path, "--slides", "2", "--tiles", "5", "--classes", "2"])
        #expect(output.status == 0, "\(output.stderr)")
        return path
    }

    @Test func csvWithBoundParameters() throws {
        let path = try database()
        let output = try TesseraCLI.run(["query", path, """
            SELECT tile_index, x, y, width FROM tiles WHERE slide_run_id = :slide ORDER BY tile_index LIMIT :n
            """, "--param", "slide=1", "--param", "n=3", "--format", "csv"])
        #expect(output.status == 0, "\(output.stderr)")
        // SyntheticRun lays tiles on a 64-column grid of 256 px own windows.
        #expect(output.stdout == "tile_index,x,y,width\r\n0,0,0,256\r\n1,256,0,256\r\n2,512,0,256\r\n")
    }

    @Test func tableJSONAndNDJSON() throws {
        let path = try database()
        let sql = "SELECT slide_path, tiles, 'a,\"b\"' AS quoted, NULL AS absent FROM slide_areas ORDER BY slide_path"
        let table = try TesseraCLI.run(["query", path, sql])
        #expect(table.status == 0, "\(table.stderr)")
        #expect(table.stdout == """
            slide_path               tiles  quoted  absent
            -----------------------  -----  ------  ------
            /synthetic/slide-0.tiff      5  a,"b"     NULL
            /synthetic/slide-1.tiff      5  a,"b"     NULL
            (2 rows)

            """)
        let json = try TesseraCLI.run(["query", path, sql, "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        #expect(parsed?[1]["slide_path"] as? String == "/synthetic/slide-1.tiff")
        #expect(parsed?[1]["tiles"] as? Int == 5)
        #expect(parsed?[1]["quoted"] as? String == "a,\"b\"")
        #expect(parsed?[1]["absent"] is NSNull)
        let ndjson = try TesseraCLI.run(["query", path, sql, "--format", "ndjson"])
        let lines = ndjson.stdout.split(separator: "\n")
        #expect(lines.count == 2)
        let first = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        #expect(first?["slide_path"] as? String == "/synthetic/slide-0.tiff")
        let csv = try TesseraCLI.run(["query", path, sql, "--format", "csv"])
        #expect(csv.stdout.split(separator: "\r\n")[1] == #"/synthetic/slide-0.tiff,5,"a,""b""","#)
    }

    @Test func aStatementThatWouldWriteIsRefusedAndTheFileIsUnchanged() throws {
        let path = try database()
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for sql in ["DELETE FROM tiles", "UPDATE runs SET status = 'failed'", "DROP TABLE tiles",
                    "CREATE TABLE x (a)", "PRAGMA user_version = 7", "INSERT INTO classes VALUES (1, 9, 'x', '#000000')"] {
            let output = try TesseraCLI.run(["query", path, sql])
            #expect(output.status != 0, "\(sql) was not refused")
            #expect(output.stderr.contains("refused"), "\(output.stderr)")
            #expect(output.stderr.contains(sql))
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
        #expect(try TesseraCLI.csv(path, "SELECT COUNT(*) AS n FROM tiles") == "n\r\n10\r\n")
    }

    @Test func sqlErrorsPrintSQLitesMessageAndTheStatement() throws {
        let path = try database()
        let output = try TesseraCLI.run(["query", path, "SELECT * FROM no_such_table"])
        #expect(output.status != 0)
        #expect(output.stderr.contains("no such table: no_such_table"))
        #expect(output.stderr.contains("SELECT * FROM no_such_table"))
        let missing = try TesseraCLI.run(["query", path, "SELECT :a"])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("--param a=VALUE"))
        let noFile = try TesseraCLI.run(["query", path + ".missing", "SELECT 1"])
        #expect(noFile.status != 0)
        #expect(noFile.stderr.contains("no such results file"))
    }

    @Test func namedQueriesAreListedAndRun() throws {
        let list = try TesseraCLI.run(["query", "--list"])
        #expect(list.status == 0)
        #expect(list.stdout.contains("slide-summary\n    Per slide and run"))
        let path = try database()
        let summary = try TesseraCLI.run(["query", path, "--named", "slide-summary", "--format", "csv"])
        #expect(summary.status == 0, "\(summary.stderr)")
        let rows = summary.stdout.split(separator: "\r\n")
        // header + 2 slides x 2 classes
        #expect(rows.count == 5)
        #expect(rows[0] == "run_uid,slide_path,status,currency,fingerprint,needs_review,review_reasons,qc_verdict,qc_artefacts,"
                + "tiles,analysed_mm2,tissue_mm2,class_name,class_mm2,class_tissue_mm2,fraction_of_analysed,"
                + "fraction_of_tissue,class_clean_tissue_mm2,clean_fraction_of_tissue,nuclei,"
                + "nuclei_per_mm2_tissue,region_nuclei,region_nuclei_per_mm2")
        let filtered = try TesseraCLI.run(["query", path, "--named", "slide-summary", "--param", "run=none", "--format", "csv"])
        #expect(filtered.stdout.split(separator: "\r\n").count == 1)
        let unknown = try TesseraCLI.run(["query", path, "--named", "nope"])
        #expect(unknown.status != 0)
    }
}
