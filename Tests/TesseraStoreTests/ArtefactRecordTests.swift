import Foundation
import GRDB
import Testing
import TesseraCore
@testable import TesseraStore
import TesseraTestSupport

/// Artefact records, superseded slide runs, the latest-attempt view and pruning (issue 23), on a real SQLite file
/// and real files in a temporary output folder.
@Suite struct ArtefactRecordTests {
    typealias S = StoreTestSupport
    static let resolution = SlideResolution(mppX: 0.5, mppY: 0.5, source: .file)

    /// Writes `text` to `url` (creating its folder) and returns its artefact.
    static func file(_ url: URL, _ text: String, kind: Artefact.Kind = .classMap) throws -> ArtefactFile {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
        return ArtefactFile(kind: kind, url: url)
    }

    @Test func namesCarryTheSlideRunAndTheLatestNameDropsIt() {
        let layout = OutputLayout(outputDirectory: URL(fileURLWithPath: "/data/out"))
        let files = layout.slideRunFiles(outputStem: "CMU-1.svs", slideRun: SlideRunID(rawValue: 12),
                                         classNames: ["background", "α tumour"])
        #expect(files.classMap.path == "/data/out/heatmaps/CMU-1.svs.sr12.classes.tif")
        #expect(files.probabilities.map(\.lastPathComponent) == ["CMU-1.svs.sr12.prob-background.tif",
                                                                   "CMU-1.svs.sr12.prob-__tumour.tif"])
        #expect(files.geojson(gzip: true).path == "/data/out/geojson/CMU-1.svs.sr12.geojson.gz")
        #expect(OutputLayout.latestName(of: "CMU-1.svs.sr12.classes.tif", slideRun: SlideRunID(rawValue: 12))
                == "CMU-1.svs.classes.tif")
        #expect(OutputLayout.latestName(of: "CMU-1.svs.classes.tif", slideRun: SlideRunID(rawValue: 12)) == nil)
        // OME-TIFF heatmaps end in .ome.tif (what Bio-Formats and QuPath recognise); the GeoJSON keeps its name.
        let ome = OutputLayout(outputDirectory: URL(fileURLWithPath: "/data/out"), heatmapFormat: .omeTIFF)
            .slideRunFiles(outputStem: "CMU-1.svs", slideRun: SlideRunID(rawValue: 12), classNames: ["tumour"])
        #expect(ome.heatmapArtefacts.map(\.url.lastPathComponent)
                == ["CMU-1.svs.sr12.classes.ome.tif", "CMU-1.svs.sr12.model-classes.ome.tif",
                    "CMU-1.svs.sr12.overlay.ome.tif", "CMU-1.svs.sr12.prob-tumour.ome.tif"])
        #expect(ome.geojson(gzip: false).lastPathComponent == "CMU-1.svs.sr12.geojson")
        #expect(OutputLayout.latestName(of: "CMU-1.svs.sr12.classes.ome.tif", slideRun: SlideRunID(rawValue: 12))
                == "CMU-1.svs.classes.ome.tif")
        #expect(layout.relativePath(of: files.classMap) == "heatmaps/CMU-1.svs.sr12.classes.tif")
        #expect(OutputLayout.relativePath(of: "/data/shards/a/heatmaps/x.tif", from: "/data/out")
                == "../shards/a/heatmaps/x.tif")
        #expect(layout.resolve("../shards/a/heatmaps/x.tif").path == "/data/shards/a/heatmaps/x.tif")
        #expect(OutputLayout.clashingClassNames(["α x", "β x", "y"]) == [["α x", "β x"]])
    }

    @Test func newContentAtAPathSupersedesTheOldSlideRunAndKeepsItsFiles() throws {
        let (store, path) = try S.freshStore("artefacts")
        let root = URL(fileURLWithPath: path).deletingLastPathComponent()
        let layout = OutputLayout(outputDirectory: root)
        let run = try store.startRun(S.provenance(uid: "first"))
        let old = S.slide("a.svs", quickhash: "old-content")
        let first = try store.startSlideRun(run: run.id, slide: old, resolution: Self.resolution, tilesPlanned: 1)
        #expect(!first.contentChanged)
        let firstFile = try Self.file(root.appendingPathComponent("heatmaps/a.svs.sr1.classes.tif"), "old map")
        try store.recordArtefacts([firstFile], run: run.id, slideRun: first.id, layout: layout)
        try store.finishSlideRun(first.id, status: .done, seconds: 1)
        try store.finishRun(run.id, status: .finished)

        // A rescan: other content at the same path, analysed by a later run.
        let second = try store.startRun(S.provenance(uid: "second"))
        var rescan = S.slide("a.svs", quickhash: "new-content")
        rescan.path = old.path
        let again = try store.startSlideRun(run: second.id, slide: rescan, resolution: Self.resolution, tilesPlanned: 1)
        #expect(again.contentChanged)
        let secondFile = try Self.file(root.appendingPathComponent("heatmaps/a.svs.sr2.classes.tif"), "new map")
        try store.recordArtefacts([secondFile], run: second.id, slideRun: again.id, layout: layout)
        try store.finishSlideRun(again.id, status: .done, seconds: 1)

        let rows = try S.reader(path).read { db in
            try Row.fetchAll(db, sql: "SELECT slide_run_id, fingerprint, is_current FROM slide_areas ORDER BY slide_run_id")
                .map { "\($0[0] as Int64) \($0[1] as String) \($0[2] as Int)" }
        }
        #expect(rows == ["1 quickhash:old-content 0", "2 quickhash:new-content 1"])
        let superseded = try S.reader(path).read { try Int64.fetchOne($0, sql: "SELECT superseded_by FROM slide_runs WHERE id = 1") }
        #expect(superseded == 2)
        // Each slide run keeps its own recorded file, byte for byte.
        let recorded = try store.artefacts(slideRun: first.id)
        #expect(recorded.map(\.path) == ["heatmaps/a.svs.sr1.classes.tif"])
        #expect(recorded[0].sha256 == sha256Hex(Data("old map".utf8)) && recorded[0].sizeBytes == 7)
        #expect(try store.artefacts(slideRun: again.id).map(\.sha256) == [sha256Hex(Data("new map".utf8))])

        // The slide summary says which row is current, with the fingerprints.
        let summary = try ResultsQuery.run(databasePath: path, sql: NamedQuery.named("slide-summary")!.sql,
                                           optionalParameters: ["run"])
        let currency = summary.rows.map { $0[summary.columns.firstIndex(of: "currency")!] }
        #expect(currency.contains(.text("current")) && currency.contains(.text("superseded")))
        #expect(summary.columns.contains("fingerprint"))

        // Putting the old file back makes its analysis current again, and the rescan's superseded.
        #expect(try store.markCurrentContent(path: old.path, fingerprint: old.fingerprint))
        let current = try S.reader(path).read {
            try Int64.fetchAll($0, sql: "SELECT slide_run_id FROM slide_areas WHERE is_current ORDER BY slide_run_id")
        }
        #expect(current == [1])
    }

    @Test func failedSlidesListsOnlyPathsWhoseLatestAttemptFailed() throws {
        let (store, path) = try S.freshStore("latest")
        let failing = try store.startRun(S.provenance(uid: "failing", parametersHash: "p1"))
        let a = try store.startSlideRun(run: failing.id, slide: S.slide("a.svs"), resolution: Self.resolution, tilesPlanned: 1)
        try store.finishSlideRun(a.id, status: .failed, error: "disk", seconds: 0)
        let b = try store.startSlideRun(run: failing.id, slide: S.slide("b.svs"), resolution: Self.resolution, tilesPlanned: 1)
        try store.finishSlideRun(b.id, status: .failed, error: "bad tile", seconds: 0)
        try store.finishRun(failing.id, status: .finished)
        let later = try store.startRun(S.provenance(uid: "later", parametersHash: "p2"))
        let a2 = try store.startSlideRun(run: later.id, slide: S.slide("a.svs"), resolution: Self.resolution, tilesPlanned: 1)
        try store.finishSlideRun(a2.id, status: .done, seconds: 1)
        try store.finishRun(later.id, status: .finished)

        let failed = try ResultsQuery.run(databasePath: path, sql: NamedQuery.named("failed-slides")!.sql)
        let paths = failed.rows.map { $0[failed.columns.firstIndex(of: "slide_path")!] }
        #expect(paths == [.text("/slides/b.svs")])
    }

    @Test func pruneRemovesOnlySupersededFilesStillAsRecordedAndKeepsTheRows() throws {
        let (store, path) = try S.freshStore("prune")
        let root = URL(fileURLWithPath: path).deletingLastPathComponent()
        let layout = OutputLayout(outputDirectory: root)
        let run = try store.startRun(S.provenance(uid: "one"))
        let old = try store.startSlideRun(run: run.id, slide: S.slide("a.svs", quickhash: "v1"), resolution: Self.resolution,
                                          tilesPlanned: 1)
        let oldMap = try Self.file(root.appendingPathComponent("heatmaps/a.svs.sr1.classes.tif"), "v1 map")
        let oldOverlay = try Self.file(root.appendingPathComponent("heatmaps/a.svs.sr1.overlay.tif"), "v1 overlay", kind: .overlay)
        try store.recordArtefacts([oldMap, oldOverlay], run: run.id, slideRun: old.id, layout: layout)
        try OutputLayout.pointLatest(root.appendingPathComponent("heatmaps/a.svs.classes.tif"), at: oldMap.url)
        try store.finishSlideRun(old.id, status: .done, seconds: 1)
        var rescan = S.slide("a.svs", quickhash: "v2")
        rescan.path = "/slides/a.svs"
        let new = try store.startSlideRun(run: run.id, slide: rescan, resolution: Self.resolution, tilesPlanned: 1)
        let newMap = try Self.file(root.appendingPathComponent("heatmaps/a.svs.sr2.classes.tif"), "v2 map")
        try store.recordArtefacts([newMap], run: run.id, slideRun: new.id, layout: layout)
        // Someone edited the superseded overlay: it is not the file recorded, so it is left.
        try Data("edited".utf8).write(to: oldOverlay.url)

        let dry = try store.pruneSuperseded(layout: layout, dryRun: true)
        #expect(dry.removed.map(\.path) == [oldMap.url.path] && dry.leftChanged.map(\.path) == [oldOverlay.url.path])
        #expect(FileManager.default.fileExists(atPath: oldMap.url.path))

        let report = try store.pruneSuperseded(layout: layout, dryRun: false)
        #expect(report.removed.map(\.path) == [oldMap.url.path] && report.bytes == 6)
        #expect(!FileManager.default.fileExists(atPath: oldMap.url.path))
        #expect(FileManager.default.fileExists(atPath: oldOverlay.url.path))
        #expect(FileManager.default.fileExists(atPath: newMap.url.path))
        // The latest-name link that pointed at the removed file went with it.
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: root.appendingPathComponent("heatmaps/a.svs.classes.tif").path)) == nil)
        let records = try store.artefacts(slideRun: old.id)
        #expect(records.count == 2)
        #expect(records.first { $0.kind == .classMap }?.removedAt != nil)
        #expect(records.first { $0.kind == .overlay }?.removedAt == nil)
        #expect(try store.pruneSuperseded(layout: layout, dryRun: false).removed.isEmpty)
    }

    @Test func servableFilesAreRegularFilesInsideTheFolderWithTheRecordedSize() throws {
        let root = try Fixtures.temporaryDirectory("servable")
        let inside = root.appendingPathComponent("out/heatmaps/a.tif")
        _ = try Self.file(inside, "map")
        let outside = root.appendingPathComponent("secret.txt")
        _ = try Self.file(outside, "secret")
        let link = root.appendingPathComponent("out/heatmaps/b.tif")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: outside)
        let out = root.appendingPathComponent("out")
        #expect(OutputLayout.isRegularFile(inside, inside: [out]))
        #expect(!OutputLayout.isRegularFile(link, inside: [out]))
        #expect(!OutputLayout.isRegularFile(root.appendingPathComponent("out/heatmaps"), inside: [out]))
        // A folder inside the output that is a link to elsewhere does not make its files inside.
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("out/geojson"), withDestinationURL: root)
        #expect(!OutputLayout.isRegularFile(root.appendingPathComponent("out/geojson/secret.txt"), inside: [out]))
    }
}
