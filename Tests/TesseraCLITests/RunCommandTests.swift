import Foundation
import Testing
import TesseraTestSupport

/// `tessera run` end to end on the fixture slides: real OpenSlide reads, the real network (the bundled model),
/// real SQLite rows and heatmap TIFFs. Coarse settings (2 µm/px, 128 px tiles) keep it to about 20 tiles.
@Suite(.serialized) struct RunCommandTests {
    static let planning = ["--mpp", "2", "--tile", "128", "--overlap", "16"]
    static let tiling = planning + ["--batch", "4"]
    let cmu = Fixtures.slide("CMU-1-Small-Region.svs").path

    /// The tile indices `tessera plan` gives for CMU-1-Small-Region.svs at the same settings.
    func plannedTileIndices(_ planning: [String] = RunCommandTests.planning) throws -> [Int] {
        let output = try TesseraCLI.run(["plan", cmu, "--json"] + planning)
        #expect(output.status == 0, "\(output.stderr)")
        let plan = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let tiles = (plan?["plan"] as? [String: Any])?["tiles"] as? [[String: Any]] ?? []
        return tiles.compactMap { $0["index"] as? Int }
    }

    func slideRuns(_ database: String) throws -> [String] {
        try TesseraCLI.csv(database, """
            SELECT replace(slide_path, rtrim(slide_path, replace(slide_path, '/', '')), ''), status,
                   COALESCE(error, '') <> '' FROM slide_runs ORDER BY slide_path
            """).split(separator: "\r\n").dropFirst().map(String.init)
    }

    func tileRows(_ database: String) throws -> String {
        try TesseraCLI.csv(database, """
            SELECT t.tile_index, t.x, t.y, t.width, t.height, round(t.tissue_fraction, 6), p.class_index,
                   round(p.area_fraction, 4), round(p.mean_probability, 4)
            FROM tiles t JOIN tile_predictions p USING (slide_run_id, tile_index)
            ORDER BY t.tile_index, p.class_index
            """)
    }

    @Test func runsReadableSlidesRecordsBadOnesAndSkipsDoneSlidesOnTheNextRun() throws {
        let out = try Fixtures.temporaryDirectory("run").path
        let inputs = [cmu, Fixtures.slide("small.svs").path, Fixtures.invalidSlide("unreadable.svs").path,
                      Fixtures.invalidSlide("unopenable.tiff").path]
        let first = try TesseraCLI.run(["run"] + inputs + ["--out", out, "--json"] + Self.tiling)
        // Two bad slides: exit status 1, and the good ones are done regardless.
        #expect(first.status == 1, "\(first.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any]
        let outcomes = (summary?["slides"] as? [[String: Any]] ?? []).map {
            (URL(fileURLWithPath: $0["path"] as? String ?? "").lastPathComponent, $0["status"] as? String ?? "")
        }
        #expect(outcomes.map(\.0) == ["CMU-1-Small-Region.svs", "unopenable.tiff", "unreadable.svs", "small.svs"])
        #expect(outcomes.map(\.1) == ["done", "failed", "failed", "done"])
        let database = out + "/results.sqlite"
        // Every planned tile has a row, with one prediction per class.
        let planned = try plannedTileIndices()
        #expect(planned.count >= 15)
        let stored = try TesseraCLI.csv(database, """
            SELECT t.tile_index FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id
            WHERE sr.slide_path LIKE '%CMU-1-Small-Region.svs' ORDER BY t.tile_index
            """).split(separator: "\r\n").dropFirst().compactMap { Int($0) }
        #expect(stored == planned)
        let predictions = try TesseraCLI.csv(database, """
            SELECT COUNT(*) FROM tile_predictions p JOIN slide_runs sr ON sr.id = p.slide_run_id
            WHERE sr.slide_path LIKE '%CMU-1-Small-Region.svs'
            """)
        // The bundled model has 3 classes: background, nuclei, eosin-stroma.
        #expect(try TesseraCLI.csv(database, "SELECT name FROM classes ORDER BY class_index")
                    == "name\r\nbackground\r\nnuclei\r\neosin-stroma\r\n")
        #expect(predictions == "COUNT(*)\r\n\(planned.count * 3)\r\n")
        // The failures are recorded with their errors, naming the file.
        let unreadable = try TesseraCLI.csv(database, "SELECT error FROM slide_runs WHERE slide_path LIKE '%unreadable.svs'")
        #expect(unreadable.contains("unreadable.svs") && unreadable.contains("Bogus marker length"))
        // Heatmaps at d = round(8 x 2 / 0.499) = 32: ceil(2220 / 32) x ceil(2967 / 32), openable by OpenSlide.
        let heatmap = out + "/heatmaps/CMU-1-Small-Region.svs.classes.tif"
        let inspect = try TesseraCLI.run(["inspect", heatmap, "--json"])
        #expect(inspect.status == 0, "\(inspect.stderr)")
        #expect(inspect.stdout.contains("\"width\" : 70") && inspect.stdout.contains("\"height\" : 93"))
        #expect(!FileManager.default.fileExists(atPath: out + "/heatmaps/.partial"))

        // Again: the done slides are skipped, the bad ones are tried and fail again, nothing is duplicated.
        let rowsBefore = try tileRows(database)
        let second = try TesseraCLI.run(["run"] + inputs + ["--out", out, "--json"] + Self.tiling)
        #expect(second.status == 1)
        #expect(second.stdout.components(separatedBy: "\"skipped\"").count - 1 == 2)
        #expect(try tileRows(database) == rowsBefore)
    }

    /// Smaller tiles for the stop-and-resume test (89 tiles, one per batch): the run commits often and takes long
    /// enough that the stop lands mid-slide.
    static let resumePlanning = ["--mpp", "2", "--tile", "64", "--overlap", "16"]
    static let resumeTiling = resumePlanning + ["--batch", "1"]

    /// The output folder of one run that was never stopped, shared by both signals.
    static let uninterruptedRun = Result<String, any Error> {
        let reference = try Fixtures.temporaryDirectory("reference").path
        let whole = try TesseraCLI.run(["run", Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", reference]
                                       + resumeTiling)
        guard whole.status == 0 else { throw TesseraCLI.CLIError(message: "the uninterrupted run failed: \(whole.stderr)") }
        return reference
    }

    func committedTiles(_ database: String) -> Int? {
        guard let rows = try? TesseraCLI.csv(database, "SELECT COUNT(*) FROM tiles") else { return nil }
        return Int(rows.split(separator: "\r\n").last ?? "")
    }

    /// Stopped mid-slide (gracefully by SIGTERM, or killed by SIGKILL), then run again: the rows and the heatmap
    /// equal those of a run that was never stopped. The run is frozen (SIGSTOP) once some tiles are committed, the
    /// committed count is checked to be mid-slide, and only then is the signal sent: the stop is known, not hoped,
    /// to land mid-slide.
    @Test(arguments: [SIGTERM, SIGKILL])
    func aStoppedRunResumesToTheSameResults(signal: Int32) throws {
        let reference = try Self.uninterruptedRun.get()
        let planned = try plannedTileIndices(Self.resumePlanning).count
        #expect(planned >= 80)

        let out = try Fixtures.temporaryDirectory("stopped").path
        let database = out + "/results.sqlite"
        let running = try TesseraCLI.start(["run", cmu, "--out", out] + Self.resumeTiling)
        var committed = 0
        let deadline = Date().addingTimeInterval(120)
        while committed < 2, running.isRunning, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.02)
            committed = committedTiles(database) ?? 0
        }
        running.signal(SIGSTOP)
        let atStop = try #require(committedTiles(database))
        // Frozen: nothing more is committed until it is continued. At least a quarter of the slide must be left.
        try #require(atStop >= 2 && atStop <= planned * 3 / 4,
                     "the stop did not land mid-slide: \(atStop) of \(planned) tiles committed")
        running.signal(signal)
        running.signal(SIGCONT)
        let stopped = running.wait()
        let afterStop = try #require(committedTiles(database))
        #expect(afterStop >= atStop && afterStop < planned)
        let heatmap = "/heatmaps/CMU-1-Small-Region.svs.classes.tif"
        #expect(!FileManager.default.fileExists(atPath: out + heatmap))
        if signal == SIGTERM {
            // A graceful stop finishes and commits the batch being inferred and drops the rest.
            #expect(stopped.status == 3, "\(stopped.stderr)")
            #expect(try TesseraCLI.csv(database, "SELECT status FROM slide_runs") == "status\r\ninterrupted\r\n")
        } else {
            #expect(afterStop == atStop)
            #expect(running.process.terminationReason == .uncaughtSignal && stopped.status == SIGKILL)
            #expect(try TesseraCLI.csv(database, "SELECT status FROM slide_runs") == "status\r\nrunning\r\n")
        }

        let resumed = try TesseraCLI.run(["run", cmu, "--out", out, "--json"] + Self.resumeTiling)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        // Only the tiles not yet committed are inferred again: the canvas file kept every committed tile's pixels.
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(resumed.stdout.utf8)) as? [String: Any])
        let slides = try #require(summary["slides"] as? [[String: Any]])
        #expect(slides.first?["tilesProcessed"] as? Int == planned - afterStop)
        #expect(try tileRows(database) == (try tileRows(reference + "/results.sqlite")))
        // Byte for byte, but for the run each file names (its run_uid): the resumed run's map is the uninterrupted one's.
        let runUIDs = try [out, reference].map {
            try TesseraCLI.csv($0 + "/results.sqlite", "SELECT run_uid FROM runs").split(separator: "\r\n")[1]
        }
        let resumedMap = try #require(FileManager.default.contents(atPath: out + heatmap))
        let referenceMap = try #require(FileManager.default.contents(atPath: reference + heatmap))
        #expect(resumedMap.range(of: Data(runUIDs[0].utf8)) != nil)
        #expect(resumedMap.replacing(Data(runUIDs[0].utf8), with: Data(runUIDs[1].utf8)) == referenceMap)
    }

    /// A heatmap that cannot be written (here a folder stands where the class map must go) fails that slide with
    /// the reason; its rows stay committed and the other slides are done.
    @Test func aHeatmapThatCannotBeWrittenFailsOnlyItsSlide() throws {
        let out = try Fixtures.temporaryDirectory("heatmap-failure").path
        // small.svs is the second slide run (paths in order): its class map is small.svs.sr2.classes.tif.
        try FileManager.default.createDirectory(atPath: out + "/heatmaps/small.svs.sr2.classes.tif",
                                                withIntermediateDirectories: true)
        let run = try TesseraCLI.run(["run", cmu, Fixtures.slide("small.svs").path, "--out", out] + Self.tiling)
        #expect(run.status == 1, "\(run.stderr)")
        let database = out + "/results.sqlite"
        let statuses = try TesseraCLI.csv(database, """
            SELECT status, error LIKE 'writing heatmaps:%Is a directory%' FROM slide_runs ORDER BY slide_path
            """)
        #expect(statuses == "status,error LIKE 'writing heatmaps:%Is a directory%'\r\ndone,\r\nfailed,1\r\n")
        #expect(FileManager.default.fileExists(atPath: out + "/heatmaps/CMU-1-Small-Region.svs.classes.tif"))
        // No half-written file is left beside the folder.
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out + "/heatmaps").filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty)
    }

    /// A file where the heatmap folder must go is a mistake in the set-up, not a bad slide: the run stops before it
    /// starts (exit 2) and says which path is in the way.
    @Test func aFileWhereTheHeatmapFolderMustGoStopsTheRunWithExitTwo() throws {
        let out = try Fixtures.temporaryDirectory("heatmap-folder-blocked").path
        FileManager.default.createFile(atPath: out + "/heatmaps", contents: Data("not a folder".utf8))
        let run = try TesseraCLI.run(["run", cmu, "--out", out] + Self.tiling)
        #expect(run.status == 2)
        #expect(run.stderr.contains("cannot create the output folder \(out)/heatmaps: a file of that name is in the way"),
                "\(run.stderr)")
    }
}
