import Foundation
import Testing
import TesseraTestSupport

/// `tessera run` with a slide copied to two paths, and with debris a killed run left in the heatmap folder.
@Suite struct RunHardeningTests {
    static let tiling = ["--mpp", "2", "--tile", "128", "--overlap", "16", "--batch", "4"]

    /// The same content at two paths in one run: analysed once, the second path recorded as its duplicate, the
    /// batch never aborted. (Before: the second path "resumed" the first's slide run while it was running, and the
    /// run died with `NSCocoaErrorDomain Code=512 "(null)"`, exit 2.)
    @Test func sameSlideAtTwoPathsIsADuplicateNotAnAbort() throws {
        let directory = try Fixtures.temporaryDirectory("duplicate")
        defer { try? FileManager.default.removeItem(at: directory) }
        let one = directory.appendingPathComponent("p/one.svs"), two = directory.appendingPathComponent("q/two.svs")
        for copy in [one, two] {
            try FileManager.default.createDirectory(at: copy.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: Fixtures.slide("CMU-1-Small-Region.svs"), to: copy)
        }
        let out = directory.appendingPathComponent("out").path
        let first = try TesseraCLI.run(["run", one.path, two.path, "--out", out, "--json"] + Self.tiling)
        #expect(first.status == 0, "\(first.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let slides = try #require(summary["slides"] as? [[String: Any]])
        #expect(slides.map { $0["status"] as? String } == ["done", "duplicate"])
        #expect(slides[1]["duplicateOf"] as? String == one.path)
        #expect(try TesseraCLI.csv(out + "/results.sqlite", "SELECT slide_path, status FROM slide_runs")
                == "slide_path,status\r\n\(one.path),done\r\n")
        #expect(!first.stderr.contains("Domain="))

        // Again: the first path is already done, the second is still its duplicate.
        let again = try TesseraCLI.run(["run", two.path, one.path, "--out", out, "--json"] + Self.tiling)
        #expect(again.status == 0, "\(again.stderr)")
        let statuses = (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["slides"]
            as? [[String: Any]] ?? []
        #expect(Set(statuses.compactMap { $0["status"] as? String }) == ["skipped", "duplicate"])
    }

    /// A slide that will not open because it is still being written (a scanner exporting it, a copy under way:
    /// here the first 40 KB of CMU-1) is reported as such, not as a format to convert, and stays to be tried by the
    /// next run. (Before: "OpenSlide does not recognise this file's format … convert the slide".) The same bytes
    /// untouched for an hour are a broken file, and keep OpenSlide's own words.
    @Test func aSlideStillBeingWrittenIsToldAsSuchNotAsAFormatError() throws {
        let directory = try Fixtures.temporaryDirectory("still-writing")
        defer { try? FileManager.default.removeItem(at: directory) }
        let partial = directory.appendingPathComponent("incoming/scan.svs")
        try FileManager.default.createDirectory(at: partial.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs")).prefix(40_000).write(to: partial)
        let out = directory.appendingPathComponent("out").path
        let run = try TesseraCLI.run(["run", partial.path, "--out", out, "--json"] + Self.tiling)
        #expect(run.status == 1, "\(run.stderr)")
        let slide = try #require(((try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])?["slides"]
                                  as? [[String: Any]])?.first)
        let error = slide["error"] as? String ?? ""
        #expect(error.contains(partial.path) && error.contains("is still being written (modified")
                && error.contains("s ago); it will be picked up by the next run"), "\(error)")
        #expect(!error.contains("convert"), "\(error)")
        #expect(try TesseraCLI.csv(out + "/results.sqlite", "SELECT status, error LIKE '%still being written%' FROM slide_runs")
                == "status,error LIKE '%still being written%'\r\nfailed,1\r\n")

        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -3600)], ofItemAtPath: partial.path)
        let old = try TesseraCLI.run(["run", partial.path, "--out", out, "--json"] + Self.tiling)
        #expect(old.status == 1)
        #expect(!old.stdout.contains("still being written"), "\(old.stdout)")
    }

    /// Scratch files of a process killed while writing heatmaps, and the canvas of a slide run that can no longer be
    /// resumed, are removed at the next start (the output's lock tells they are a dead process's).
    @Test func debrisOfAKilledRunIsSweptAtTheNextStart() throws {
        let directory = try Fixtures.temporaryDirectory("debris")
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("out")
        let heatmaps = out.appendingPathComponent("heatmaps")
        try FileManager.default.createDirectory(at: heatmaps.appendingPathComponent(".partial"), withIntermediateDirectories: true)
        let debris = [".CMU-1.svs.overlay.tif.partial-999999-0A1B2C3D", ".CMU-1.svs.classes.tif.level-999999-DEADBEEF",
                      ".partial/slide-run-77.canvas", ".partial/slide-run-77.json"]
        for name in debris { try Data("x".utf8).write(to: heatmaps.appendingPathComponent(name)) }
        let keep = heatmaps.appendingPathComponent("notes.txt")
        try Data("a lab's own file".utf8).write(to: keep)
        let run = try TesseraCLI.run(["run", Fixtures.slide("small.svs").path, "--out", out.path] + Self.tiling)
        #expect(run.status == 0, "\(run.stderr)")
        for name in debris {
            #expect(!FileManager.default.fileExists(atPath: heatmaps.appendingPathComponent(name).path), "\(name) is still there")
        }
        #expect(FileManager.default.fileExists(atPath: keep.path))
    }

    /// A fluorescence scan (DAPI, fixtures/slides/test3-DAPI-2-387.ndpi) under the bright-field model: analysed, with a
    /// warning on stderr and on its slide run; an H&E slide gets none.
    @Test func fluorescenceSlideIsWarnedAboutAndRecorded() throws {
        let out = try Fixtures.temporaryDirectory("fluorescence")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try TesseraCLI.run(["run", Fixtures.slide("test3-DAPI-2-387.ndpi").path,
                                      Fixtures.slide("CMU-1-Small-Region.svs").path, "--out", out.path,
                                      "--no-heatmaps"] + Self.tiling)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("looks like a fluorescence scan"), "\(run.stderr)")
        let rows = try TesseraCLI.run(["query", out.appendingPathComponent("results.sqlite").path, """
            SELECT replace(slide_path, rtrim(slide_path, replace(slide_path, '/', '')), '') AS slide, warning
            FROM slide_runs ORDER BY slide
            """, "--format", "json"])
        let objects = try JSONSerialization.jsonObject(with: Data(rows.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(objects.count == 2)
        #expect(objects.first?["slide"] as? String == "CMU-1-Small-Region.svs")
        #expect(objects.first?["warning"] is NSNull)
        let warning = objects.last?["warning"] as? String ?? ""
        #expect(warning.hasPrefix("looks like a fluorescence scan, not bright-field H&E: dark background (median brightness "))
        #expect(warning.contains("signal in one channel (blue)"), "\(warning)")
    }
}
