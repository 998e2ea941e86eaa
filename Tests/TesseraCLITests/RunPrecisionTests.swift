import Foundation
import Testing
import TesseraCore
import TesseraTestSupport

/// `tessera run --precision` end to end: the bundled model quantised on the fly from the slide's own tissue tiles and
/// run at int8 by oneDNN on a real slide, recorded in the runs table; the same output run again at fp32 re-runs the
/// slide; an int8 model file refuses fp32. Coarse settings (2 µm/px, 128 px tiles) as RunCommandTests.
@Suite(.serialized) struct RunPrecisionTests {
    static let tiling = ["--mpp", "2", "--tile", "128", "--overlap", "16", "--batch", "4"]
    let cmu = Fixtures.slide("CMU-1-Small-Region.svs").path

    func rows(_ database: String, _ sql: String) throws -> [[String]] {
        try TesseraCLI.csv(database, sql).split(separator: "\r\n").dropFirst()
            .map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Per tile and class of one run: (tile index, class) -> area fraction.
    func areas(_ database: String, precision: String) throws -> [String: Double] {
        var areas: [String: Double] = [:]
        for row in try rows(database, """
            SELECT p.tile_index, p.class_index, p.area_fraction FROM tile_predictions p
            JOIN slide_runs sr ON sr.id = p.slide_run_id JOIN runs r ON r.id = sr.run_id
            WHERE r.precision = '\(precision)' ORDER BY p.tile_index, p.class_index
            """) {
            areas["\(row[0])/\(row[1])"] = Double(row[2])
        }
        return areas
    }

    @Test func int8RunRecordsTheQuantisedModelAndFp32ReRunsTheSlide() throws {
        let out = try Fixtures.temporaryDirectory("precision").path
        let database = out + "/results.sqlite"
        let int8 = try TesseraCLI.run(["run", cmu, "--out", out, "--precision", "int8", "--calibration-tiles", "8"]
                                      + Self.tiling)
        #expect(int8.status == 0, "\(int8.stderr)")
        // The CLI prints what the run quantised, from which slide, and what to do instead.
        #expect(int8.stdout.contains("on the fly from 8 tiles of CMU-1-Small-Region.svs (8)"),
                "\(int8.stdout)")
        #expect(int8.stdout.contains("tessera model quantize"))

        let run = try rows(database, """
            SELECT precision, model_sha256, quantized_model_sha256, json_extract(calibration_json, '$.tiles'),
                   json_extract(calibration_json, '$.slides[0].fingerprint'), json_extract(calibration_json, '$.seed')
            FROM runs
            """)
        let modelSHA256 = sha256Hex(try Data(contentsOf: Fixtures.models.appendingPathComponent("default.safetensors")))
        #expect(run.count == 1)
        #expect(run.first?[0] == "int8")
        #expect(run.first?[1] == modelSHA256)
        let quantized = run.first?[2] ?? ""
        #expect(quantized.count == 64 && quantized.allSatisfy(\.isHexDigit) && quantized != modelSHA256)
        #expect(run.first?[3] == "8" && run.first?[4].hasPrefix("quickhash-1:") == true && run.first?[5] == "7")
        // Real tile rows: every planned tile (the plan `tessera plan` gives) with three classes whose areas sum to 1.
        let plan = try TesseraCLI.run(["plan", cmu, "--json", "--mpp", "2", "--tile", "128", "--overlap", "16"])
        let planned = ((try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])?["plan"]
                       as? [String: Any])?["tiles"] as? [[String: Any]] ?? []
        #expect(planned.count >= 15)
        let int8Areas = try areas(database, precision: "int8")
        #expect(int8Areas.count == planned.count * 3)
        for tile in planned.compactMap({ $0["index"] as? Int }) {
            let sum = (0..<3).reduce(0.0) { $0 + (int8Areas["\(tile)/\($1)"] ?? .nan) }
            #expect(abs(sum - 1) < 1e-6, "tile \(tile): class areas sum to \(sum)")
        }

        // The same output at fp32 (the model's own precision): the slide is analysed again, not counted as done.
        let fp32 = try TesseraCLI.run(["run", cmu, "--out", out, "--json"] + Self.tiling)
        #expect(fp32.status == 0, "\(fp32.stderr)")
        #expect(fp32.stdout.contains("\"status\" : \"done\"") && !fp32.stdout.contains("\"skipped\""), "\(fp32.stdout)")
        #expect(try rows(database, "SELECT precision, COALESCE(quantized_model_sha256, 'none') FROM runs ORDER BY id")
                == [["int8", quantized], ["fp32", "none"]])
        #expect(try rows(database, "SELECT COUNT(*) FROM slide_runs WHERE status = 'done'") == [["2"]])
        // int8 is the network at int8: close to fp32 (the bundled model's accuracy gate is in Int8Tests), not equal.
        let fp32Areas = try areas(database, precision: "fp32")
        #expect(Set(fp32Areas.keys) == Set(int8Areas.keys))
        let differences = fp32Areas.map { abs($0.value - (int8Areas[$0.key] ?? .nan)) }
        let mean = differences.reduce(0, +) / Double(differences.count)
        #expect(mean < 0.05, "mean |int8 - fp32| class area per tile \(mean)")
        #expect(differences.contains { $0 > 0 }, "int8 gave exactly fp32's areas: was it int8?")

        // int8 again: done already at int8 with the same calibration recipe, so skipped, and nothing is quantised
        // (a nightly run with nothing new does not pay for a calibration).
        let again = try TesseraCLI.run(["run", cmu, "--out", out, "--precision", "int8", "--calibration-tiles", "8", "--json"]
                                       + Self.tiling)
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("\"skipped\""), "\(again.stdout)")
        #expect(again.stdout.contains("every slide is already done with this model and parameters")
                && again.stdout.contains("was not quantised"), "\(again.stdout)")
        #expect(try rows(database, "SELECT precision, COALESCE(quantized_model_sha256, 'none'), calibration_json IS NULL FROM runs ORDER BY id")
                == [["int8", quantized, "0"], ["fp32", "none", "1"], ["int8", "none", "1"]])

        // The precision columns survive `tessera merge` and show in the named query.
        let merged = out + "/merged.sqlite"
        let merge = try TesseraCLI.run(["merge", merged, database])
        #expect(merge.status == 0, "\(merge.stderr)")
        let provenance = "SELECT run_uid, precision, quantized_model_sha256, calibration_json FROM runs ORDER BY run_uid"
        #expect(try rows(merged, provenance) == rows(database, provenance))
        let named = try TesseraCLI.run(["query", merged, "--named", "runs", "--format", "csv"])
        #expect(named.stdout.contains("precision") && named.stdout.contains(String(quantized.prefix(12))), "\(named.stdout)")
    }

    /// When no slide gives a tissue tile to calibrate on, no slide has a tile for the network either: nothing is
    /// quantised and the run goes on as at fp32. A slide without tissue (small.svs at 2 µm/px) is done with no tiles,
    /// as at fp32; unreadable ones fail with their errors. (Before: exit 2, "could not run", nothing recorded, while
    /// fp32 marked the blank slide done.)
    @Test func int8WithNoSlideToCalibrateOnRunsAsFp32Would() throws {
        let blank = Fixtures.slide("small.svs").path
        for precision in ["fp32", "int8"] {
            let out = try Fixtures.temporaryDirectory("precision-blank-\(precision)").path
            defer { try? FileManager.default.removeItem(atPath: out) }
            let run = try TesseraCLI.run(["run", blank, "--out", out, "--precision", precision, "--json"] + Self.tiling)
            #expect(run.status == 0, "\(precision): \(run.stderr)")
            let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            let slide = try #require((summary["slides"] as? [[String: Any]])?.first)
            #expect(slide["status"] as? String == "done" && slide["tilesPlanned"] as? Int == 0, "\(precision): \(slide)")
            #expect(try rows(out + "/results.sqlite", "SELECT r.precision, sr.status, sr.tiles_planned FROM slide_runs sr JOIN runs r ON r.id = sr.run_id")
                    == [[precision, "done", "0"]])
            if precision == "int8" {
                #expect((summary["calibrationReport"] as? String)?.contains("nothing was quantised") == true, "\(summary)")
            }
        }

        let out = try Fixtures.temporaryDirectory("precision-none").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let unreadable = Fixtures.invalidSlide("unreadable.svs").path, unopenable = Fixtures.invalidSlide("unopenable.tiff").path
        let run = try TesseraCLI.run(["run", unreadable, unopenable, blank, "--out", out, "--precision", "int8"] + Self.tiling)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("no slide gave tissue tiles") && run.stdout.contains(unreadable + ":"), "\(run.stdout)")
        #expect(try rows(out + "/results.sqlite", "SELECT status FROM slide_runs ORDER BY slide_path")
                == [["failed"], ["failed"], ["done"]])
    }

    @Test func anInt8ModelFileRunsAtInt8AndRefusesFp32() throws {
        let work = try Fixtures.temporaryDirectory("precision-file").path
        let int8Model = work + "/default-int8.safetensors"
        let quantize = try TesseraCLI.run(["model", "quantize", Fixtures.models.appendingPathComponent("default.safetensors").path,
                                           "--calibrate", cmu, "--tiles", "4", "--mpp", "2", "--tile", "128",
                                           "--out", int8Model])
        #expect(quantize.status == 0, "\(quantize.stderr)")

        let refused = try TesseraCLI.run(["run", cmu, "--out", work + "/fp32", "--model", int8Model, "--precision", "fp32"]
                                         + Self.tiling)
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(int8Model) && refused.stderr.contains("int8 model"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work + "/fp32/results.sqlite"))

        // Left out, the precision is the file's own: int8, recorded with the file's own SHA-256 as the quantised model.
        let run = try TesseraCLI.run(["run", cmu, "--out", work + "/int8", "--model", int8Model] + Self.tiling)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(!run.stdout.contains("on the fly"))
        let fileSHA256 = sha256Hex(try Data(contentsOf: URL(fileURLWithPath: int8Model)))
        #expect(try rows(work + "/int8/results.sqlite",
                         "SELECT precision, model_sha256, quantized_model_sha256, calibration_json IS NULL FROM runs")
                == [["int8", fileSHA256, fileSHA256, "1"]])
        #expect(try rows(work + "/int8/results.sqlite", "SELECT COUNT(*) > 15 FROM tiles") == [["1"]])
    }

    /// `--precision auto` (the default): fp32 where int8 was measured slower (figures forced through
    /// TESSERA_PRECISION_AUTO_MEASUREMENT, which the tests' `tessera` runs otherwise set to an fp32 win), int8 quantised on the
    /// fly where it was faster; the choice and the figures are recorded in the run's parameters.
    @Test func autoChoosesFp32WhereInt8MeasuredSlowerAndRecordsWhy() throws {
        let work = try Fixtures.temporaryDirectory("auto").path
        let query = """
            SELECT precision, json_extract(parameters_json, '$.precisionAuto.precision'),
                   json_extract(parameters_json, '$.precisionAuto.measurement.fp32TilesPerSecond'),
                   json_extract(parameters_json, '$.precisionAuto.measurement.int8TilesPerSecond'),
                   json_extract(parameters_json, '$.precisionAuto.reason') LIKE '%0.79x%', quantized_model_sha256 IS NULL FROM runs
            """
        let slower = try TesseraCLI.run(["run", cmu, "--out", work + "/slower"] + Self.tiling,
                                        environment: ["TESSERA_PRECISION_AUTO_MEASUREMENT": "fp32=10.5,int8=8.25"])
        #expect(slower.status == 0, "\(slower.stderr)")
        #expect(try rows(work + "/slower/results.sqlite", query) == [["fp32", "fp32", "10.5", "8.25", "1", "1"]])

        let faster = try TesseraCLI.run(["run", cmu, "--out", work + "/faster", "--calibration-tiles", "8"] + Self.tiling,
                                        environment: ["TESSERA_PRECISION_AUTO_MEASUREMENT": "fp32=10,int8=15"])
        #expect(faster.status == 0, "\(faster.stderr)")
        let int8 = try rows(work + "/faster/results.sqlite", "SELECT precision, json_extract(parameters_json, '$.precisionAuto.precision'), quantized_model_sha256 IS NOT NULL FROM runs")
        #expect(int8 == [["int8", "int8", "1"]])

        // Asked for explicitly, no measurement is made or recorded.
        let asked = try TesseraCLI.run(["run", cmu, "--out", work + "/asked", "--precision", "fp32"] + Self.tiling)
        #expect(asked.status == 0, "\(asked.stderr)")
        #expect(try rows(work + "/asked/results.sqlite", "SELECT precision, json_extract(parameters_json, '$.precisionAuto') IS NULL FROM runs")
                == [["fp32", "1"]])
    }
}
