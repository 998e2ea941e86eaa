import Foundation
import Testing
import TesseraTestSupport

/// A full disk on a real small file system (a tmpfs, SmallDisk): the run stops `interrupted`, keeps what it inferred,
/// and the next run with space resumes it. Nothing is left half-written under a final name.
@Suite(.serialized) struct FullDiskTests {
    static let cmu = Fixtures.slide("CMU-1-Small-Region.svs").path

    static func requireMount(_ outputs: [CommandOutput], steps: Int) throws {
        if outputs.count == 1, outputs[0].status == SmallDisk.setupFailed {
            Issue.record("""
                this test needs a tmpfs mounted in a private mount namespace (root, or unprivileged user namespaces: \
                `unshare --mount --map-root-user`), and this machine refused: \(outputs[0].stderr)
                """)
        }
        try #require(outputs.count == steps)
    }

    func database(on disk: URL) -> String { disk.appendingPathComponent("out/results.sqlite").path }

    static func json(_ output: CommandOutput) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any], "\(output.stdout)")
    }

    /// The disk fills while a slide's heatmaps are written (after its whole inference). The slide is `interrupted`
    /// with the error, not `failed`; its rows and canvas checkpoint stay; the run is interrupted (exit 3) and says
    /// why. The next run, with space, infers no tile again and only writes the heatmaps. (Before: the slide was
    /// marked failed and its canvas deleted, so the next run inferred every tile again.)
    @Test func aFullDiskWhileHeatmapsAreWrittenInterruptsTheSlideAndTheNextRunResumesIt() throws {
        let work = try Fixtures.temporaryDirectory("full-heatmaps")
        defer { try? FileManager.default.removeItem(at: work) }
        let disk = work.appendingPathComponent("disk"), after = work.appendingPathComponent("after")
        let out = disk.appendingPathComponent("out").path
        // Heatmap pixels of 0.5 model pixel (d = 2): a 6.6 MB canvas and about 2 MB of heatmaps, far more than the
        // 512 KB the disk has left when the slide resumes.
        let tiling = ["--mpp", "2", "--tile", "64", "--overlap", "16", "--heatmap-pixel", "0.5"]
        let run = ["run", Self.cmu, "--out", out, "--json"] + tiling
        let checkpoint = out + "/heatmaps/.partial/slide-run-1.json"
        let outputs = try SmallDisk.run(disk, steps: [
            // Stopped (SIGTERM) once the slide's first checkpoint is written: a slide part-done, its canvas kept.
            SmallDisk.Step(size: "64m", run + ["--batch", "1"],
                           shell: "while [ ! -f '\(checkpoint)' ]; do sleep 0.05; done",
                           whileRunning: "kill -TERM $tessera"),
            // Room for the rest of its rows, not for its heatmaps.
            SmallDisk.Step(size: SmallDisk.usedPlus(512, on: disk), run + ["--batch", "16"]),
            SmallDisk.Step(size: "64m", run + ["--batch", "16"]),
        ], copy: after)
        try Self.requireMount(outputs, steps: 3)
        let (stopped, full, resumed) = (outputs[0], outputs[1], outputs[2])
        #expect(stopped.status == 3, "\(stopped.stderr)")

        #expect(full.status == 3, "\(full.stderr)")
        let fullSummary = try Self.json(full)
        let fullSlide = try #require((fullSummary["slides"] as? [[String: Any]])?.first)
        #expect(fullSlide["status"] as? String == "interrupted")
        let error = fullSlide["error"] as? String ?? ""
        #expect(error.hasPrefix("writing heatmaps:") && error.contains("No space left on device"), "\(error)")
        #expect((fullSummary["stopReason"] as? String)?.contains("No space left on device") == true, "\(fullSummary)")
        let planned = fullSlide["tilesPlanned"] as? Int ?? 0
        #expect(planned > 50)

        #expect(resumed.status == 0, "\(resumed.stderr)")
        let resumedSlide = try #require((try Self.json(resumed)["slides"] as? [[String: Any]])?.first)
        #expect(resumedSlide["status"] as? String == "done")
        #expect(resumedSlide["tilesProcessed"] as? Int == 0, "the resumed run inferred tiles again: \(resumedSlide)")

        let database = after.appendingPathComponent("out/results.sqlite").path
        // One run, resumed twice (three attempts), finished; its one slide run done.
        #expect(try TesseraCLI.csv(database, "SELECT status, (SELECT COUNT(*) FROM run_attempts) AS attempts FROM runs")
                == "status,attempts\r\nfinished,3\r\n")
        #expect(try TesseraCLI.csv(database, "SELECT status, error IS NULL AS cleared FROM slide_runs")
                == "status,cleared\r\ndone,1\r\n")
        #expect(try TesseraCLI.csv(database, "SELECT COUNT(*) FROM tiles") == "COUNT(*)\r\n\(planned)\r\n")
        let heatmaps = after.appendingPathComponent("out/heatmaps")
        // The plain name is a link to the slide run's file: its size is the file's.
        let classMap = heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.classes.tif").resolvingSymlinksInPath().path
        #expect(((try? FileManager.default.attributesOfItem(atPath: classMap)[.size]) as? Int ?? 0) > 1000)
        // The checkpoint is gone once the heatmaps are written, and no scratch file is left.
        #expect(!FileManager.default.fileExists(atPath: heatmaps.appendingPathComponent(".partial").path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: heatmaps.path).filter { $0.hasPrefix(".") }.isEmpty)
    }

    /// The disk fills during inference in a pipeline run, after one slide of the run is done: the run ends
    /// `interrupted` (exit 3), the done slide stays done, the run row is `interrupted` (not left `running`), the
    /// message is the disk's, and no report is left empty under its final name. The next run, with space, finishes.
    /// (Before: exit 2, "could not run: the run stopped before processing slides: Error Domain=NSCocoaErrorDomain
    /// Code=640", the run row `running`, a 0-byte reports/…json.)
    @Test func aFullDiskDuringInferenceInterruptsAPipelineRun() throws {
        let work = try Fixtures.temporaryDirectory("full-inference")
        defer { try? FileManager.default.removeItem(at: work) }
        let disk = work.appendingPathComponent("disk"), after = work.appendingPathComponent("after")
        let inputs = work.appendingPathComponent("incoming")
        try FileManager.default.createDirectory(at: inputs, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.slide("boxes.tiff"), to: inputs.appendingPathComponent("a-boxes.tiff"))
        let pipeline = work.appendingPathComponent("nightly.yaml")
        try """
            version: 1
            name: full-disk
            inputs: [\(inputs.path)/*.svs, \(inputs.path)/*.tiff]
            model: \(Fixtures.models.appendingPathComponent("default.safetensors").path)
            tiling: {mpp: 2, tile: 64, overlap: 16, slide_mpp: 0.5}
            outputs: {directory: \(disk.appendingPathComponent("out").path)}
            concurrency: {threads: 1, readers: 1, batch_size: 1}
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let run = ["pipeline", "run", pipeline.path, "--json"]
        let outputs = try SmallDisk.run(disk, steps: [
            // A first night on a roomy disk: the results file and its tables exist.
            SmallDisk.Step(size: "64m", run),
            // Two new slides; the disk has room for the run's reserve (256 KB), the first slide and twice the
            // second's canvas (what a slide must find free to start: 2 x 436 KB, most of it the class map at the
            // model's 4 µm/px here), not for all the second's rows and heatmaps.
            SmallDisk.Step(size: SmallDisk.usedPlus(1320, on: disk), run,
                           shell: "cp '\(Fixtures.slide("small.svs").path)' '\(inputs.path)/b-small.svs' && "
                               + "cp '\(Self.cmu)' '\(inputs.path)/c-cmu.svs'"),
            // How the runs table reads after the full disk, before anything else runs.
            SmallDisk.Step(size: "64m", ["query", database(on: disk), "SELECT status FROM runs ORDER BY id", "--format", "csv"]),
            SmallDisk.Step(size: "64m", run),
        ], copy: after)
        try Self.requireMount(outputs, steps: 4)
        #expect(outputs[0].status == 0, "\(outputs[0].stderr)")

        let full = outputs[1]
        #expect(full.status == 3, "\(full.stderr)\n\(full.stdout)")
        #expect(!full.stderr.contains("Domain=") && !full.stdout.contains("Domain="), "\(full.stderr)")
        #expect(!full.stderr.contains("stopped before processing slides"), "\(full.stderr)")
        let report = try Self.json(full)
        #expect(report["outcome"] as? String == "interrupted", "\(report)")
        let summary = try #require(report["summary"] as? [String: Any], "\(report)")
        let slides = (summary["slides"] as? [[String: Any]] ?? []).map {
            (URL(fileURLWithPath: $0["path"] as? String ?? "").lastPathComponent, $0["status"] as? String ?? "")
        }
        #expect(slides.map(\.0) == ["a-boxes.tiff", "b-small.svs", "c-cmu.svs"])
        #expect(slides.map(\.1) == ["skipped", "done", "interrupted"])
        let reason = summary["stopReason"] as? String ?? ""
        #expect(reason.contains("full") || reason.contains("space"), "\(reason)")

        // The run's row says interrupted, not running (the run's disk reserve made room to record it).
        #expect(outputs[2].stdout == "status\r\nfinished\r\ninterrupted\r\n", "\(outputs[2].stderr)")

        // With space, the next run resumes the interrupted one and finishes it.
        #expect(outputs[3].status == 0, "\(outputs[3].stderr)")
        let database = database(on: after)
        #expect(try TesseraCLI.csv(database, "SELECT status FROM runs ORDER BY id") == "status\r\nfinished\r\nfinished\r\n")
        #expect(try TesseraCLI.csv(database, "SELECT status FROM slide_runs ORDER BY slide_path")
                == "status\r\ndone\r\ndone\r\ndone\r\n")
        // Every report under its final name is whole: JSON that parses, text that ends in the outcome.
        let reports = after.appendingPathComponent("out/reports")
        let names = try FileManager.default.contentsOfDirectory(atPath: reports.path)
        #expect(!names.isEmpty)
        for name in names where !name.hasPrefix(".") {
            let data = try Data(contentsOf: reports.appendingPathComponent(name))
            #expect(data.count > 100, "\(name) has \(data.count) bytes")
            if name.hasSuffix(".json") { #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(name)") }
        }
        #expect(names.filter { $0.hasPrefix(".") }.isEmpty, "\(names)")
    }
}
