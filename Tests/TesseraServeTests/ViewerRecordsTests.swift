import Foundation
import TesseraCore
import Testing
import TesseraServe
import TesseraTestSupport

/// Runs of their own for the records tests below.
enum RecordsRun {
    static let coarse = ["--mpp", "4", "--tile", "64", "--overlap", "16", "--slide-mpp", "0.499", "--quiet"]

    /// A run of a copy of CMU-1-Small-Region.svs with its GeoJSON, in a folder of its own.
    static func run(_ label: String, extra: [String] = []) throws -> (out: URL, slide: URL) {
        let directory = try Fixtures.temporaryDirectory(label)
        let slide = directory.appendingPathComponent("slides/case.svs")
        try FileManager.default.createDirectory(at: slide.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Fixtures.slide("CMU-1-Small-Region.svs"), to: slide)
        let out = directory.appendingPathComponent("out")
        let run = try TesseraCLI.run(["run", slide.path, "--out", out.path, "--geojson"] + coarse + extra)
        guard run.status == 0 else { throw RawHTTP.Failure(description: "tessera run failed: \(run.stderr)") }
        return (out, slide)
    }

    static func layerIDs(_ info: [String: Any]) -> [String] {
        (info["layers"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }
}

/// `tessera serve` lays over a slide only the files its results file records for that slide run, only while the
/// slide file holds the content the run analysed, and never a file that a link takes out of the output (issue 23).
/// Part of the serialized HTTP suite: its servers never share the machine with the hardening tests' connections.
extension ViewerHTTPTests {
    @Test func overlaysOnlyWhileTheSlideHoldsTheContentTheRunAnalysed() async throws {
        let (out, slide) = try RecordsRun.run("serve-rescan")
        let original = slide.deletingLastPathComponent().appendingPathComponent("original.keep")
        try FileManager.default.copyItem(at: slide, to: original)
        let flipped = slide.deletingLastPathComponent().appendingPathComponent("flipped.tif")
        try SlideEdits.writeFlippedCopy(of: slide, to: flipped)
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let before = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(RecordsRun.layerIDs(before) == ["overlay", "prob-0", "prob-1", "prob-2", "qc"])
            #expect(before["regions"] as? String == "/api/slides/1/regions.geojson")
            #expect(try await RawHTTP.get(port: port, "/slides/1/layers/overlay/image.dzi").status == 200)

            // A same-size, flipped copy replaces the slide: nothing of the run is laid over it, and the page says why.
            try FileManager.default.removeItem(at: slide)
            try FileManager.default.copyItem(at: flipped, to: slide)
            let after = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(RecordsRun.layerIDs(after).isEmpty)
            #expect(after["regions"] == nil || after["regions"] is NSNull)
            let image = after["slide"] as? [String: Any] ?? [:]
            #expect(image["available"] as? Bool == false)
            #expect((image["message"] as? String)?.contains("has changed since the run analysed it") == true, "\(image)")
            for path in ["/slides/1/layers/overlay/image.dzi", "/slides/1/layers/overlay/image_files/0/0_0.png",
                         "/api/slides/1/regions.geojson"] {
                #expect(try await RawHTTP.get(port: port, path).status == 404, "\(path)")
            }

            // The original put back is noticed without a restart.
            try FileManager.default.removeItem(at: slide)
            try FileManager.default.copyItem(at: original, to: slide)
            let restored = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(RecordsRun.layerIDs(restored) == ["overlay", "prob-0", "prob-1", "prob-2", "qc"])
        }
    }

    @Test func linksPlantedInTheOutputAreNeverServed() async throws {
        let (out, _) = try RecordsRun.run("serve-links")
        let results = out.appendingPathComponent("results.sqlite").path
        func recorded(_ kind: String) throws -> URL {
            let path = try TesseraCLI.csv(results, "SELECT path FROM artefacts WHERE kind = '\(kind)' LIMIT 1")
                .split(separator: "\r\n")[1]
            return out.appendingPathComponent(String(path))
        }
        let secret = out.deletingLastPathComponent().appendingPathComponent("secret.txt")
        try Data("root:x:0:0:secret\n".utf8).write(to: secret)

        // A recorded file replaced by a link to a file outside the output: the GeoJSON and a probability map.
        let geojson = try recorded("geojson")
        let probability = try recorded("probability")
        for file in [geojson, probability] {
            try FileManager.default.removeItem(at: file)
            try FileManager.default.createSymbolicLink(at: file, withDestinationURL: secret)
        }
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(!RecordsRun.layerIDs(info).contains("prob-0"))
            #expect(RecordsRun.layerIDs(info).contains("overlay"))
            #expect(info["regions"] == nil || info["regions"] is NSNull)
            for path in ["/api/slides/1/regions.geojson", "/slides/1/layers/prob-0/image.dzi",
                         "/slides/1/layers/prob-0/image_files/0/0_0.png"] {
                let answer = try await RawHTTP.get(port: port, path)
                #expect(answer.status == 404 && !answer.text.contains("root:x"), "\(path): \(answer.status)")
            }
        }

        // A recorded folder replaced by a link to a folder outside the output that holds the same files.
        let heatmaps = out.appendingPathComponent("heatmaps")
        let elsewhere = out.deletingLastPathComponent().appendingPathComponent("elsewhere")
        try FileManager.default.moveItem(at: heatmaps, to: elsewhere)
        try FileManager.default.createSymbolicLink(at: heatmaps, withDestinationURL: elsewhere)
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(RecordsRun.layerIDs(info).isEmpty)
            for path in ["/slides/1/layers/overlay/image.dzi", "/slides/1/layers/overlay/image_files/0/0_0.png"] {
                #expect(try await RawHTTP.get(port: port, path).status == 404, "\(path)")
            }
        }
    }

    @Test func aPipelinesHeatmapDirectoryIsShownFromTheRecords() async throws {
        let directory = try Fixtures.temporaryDirectory("serve-heatmap-directory")
        let pipeline = directory.appendingPathComponent("p.yaml")
        try """
            version: 1
            name: maps-elsewhere
            inputs:
              - \(Fixtures.slide("CMU-1-Small-Region.svs").path)
            tiling:
              mpp: 4
              tile: 64
              overlap: 16
            outputs:
              directory: \(directory.appendingPathComponent("out").path)
              heatmap_directory: \(directory.appendingPathComponent("out/maps").path)
            """.write(to: pipeline, atomically: true, encoding: .utf8)
        let run = try TesseraCLI.run(["pipeline", "run", pipeline.path])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let out = directory.appendingPathComponent("out")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("heatmaps").path))
        // The run's reports are recorded too, with the maps under the pipeline's folder.
        let results = out.appendingPathComponent("results.sqlite").path
        let reports = try TesseraCLI.csv(results, "SELECT path FROM artefacts WHERE kind = 'report' AND slide_run_id IS NULL ORDER BY path")
            .split(separator: "\r\n").dropFirst().map(String.init)
        #expect(reports.count == 2 && reports.allSatisfy { $0.hasPrefix("reports/") }, "\(reports)")
        #expect(try TesseraCLI.csv(results, "SELECT COUNT(*) FROM artefacts WHERE path LIKE 'maps/%'") == "COUNT(*)\r\n7\r\n")
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(RecordsRun.layerIDs(info) == ["overlay", "prob-0", "prob-1", "prob-2", "qc"])
            #expect(try await RawHTTP.get(port: port, "/slides/1/layers/overlay/image.dzi").status == 200)
        }
    }

    @Test func aReplacedResultsFileIsReadWithoutARestart() async throws {
        let (out, _) = try RecordsRun.run("serve-replaced-results")
        let (other, _) = try RecordsRun.run("serve-replaced-results-2", extra: ["--stain", "none"])
        let otherUID = try TesseraCLI.csv(other.appendingPathComponent("results.sqlite").path, "SELECT run_uid FROM runs")
            .split(separator: "\r\n")[1]
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            #expect(try await !RawHTTP.get(port: port, "/").text.contains(String(otherUID.prefix(8))))
            // Another results file moved into place (as a merge writes a new file and renames it).
            let incoming = out.appendingPathComponent("incoming.sqlite")
            try FileManager.default.copyItem(at: other.appendingPathComponent("results.sqlite"), to: incoming)
            #expect(rename(incoming.path, out.appendingPathComponent("results.sqlite").path) == 0)
            #expect(try await RawHTTP.get(port: port, "/").text.contains(String(otherUID.prefix(8))))
        }
    }

    @Test func hoverThumbnailCSVAndThresholdRoutesAnswerFromTheRecords() async throws {
        let (out, _) = try RecordsRun.run("serve-extras")
        let results = out.appendingPathComponent("results.sqlite").path
        let centre = try TesseraCLI.csv(results, "SELECT x + width / 2, y + height / 2 FROM tiles ORDER BY tissue_fraction DESC LIMIT 1")
            .split(separator: "\r\n")[1].split(separator: ",").map { Int($0)! }
        let uid = try TesseraCLI.csv(results, "SELECT run_uid FROM runs").split(separator: "\r\n")[1]
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let pixel = try await RawHTTP.json(port: port, "/api/slides/1/pixel?x=\(centre[0])&y=\(centre[1])")
            let name = try #require(pixel["className"] as? String)
            let probabilities = pixel["probabilities"] as? [[String: Any]] ?? []
            #expect(probabilities.count == 3)
            let sum = probabilities.compactMap { ($0["probability"] as? NSNumber)?.doubleValue }.reduce(0, +)
            #expect(abs(sum - 1) <= 3.0 / 255, "probabilities add up to \(sum)")
            let best = probabilities.max { (($0["probability"] as? NSNumber)?.doubleValue ?? 0) < (($1["probability"] as? NSNumber)?.doubleValue ?? 0) }
            #expect(best?["name"] as? String == name)

            let thumbnail = try await RawHTTP.get(port: port, "/slides/1/thumbnail.jpg")
            #expect(thumbnail.status == 200 && thumbnail.headers["content-type"] == "image/jpeg")
            #expect(Array(thumbnail.body.prefix(2)) == [0xFF, 0xD8])

            let csv = try await RawHTTP.get(port: port, "/runs/\(uid)/slide-summary.csv")
            #expect(csv.status == 200 && csv.headers["content-type"]?.hasPrefix("text/csv") == true)
            let rows = csv.text.split(separator: "\r\n")
            #expect(rows.count == 4 && rows[0].contains("fraction_of_tissue"), "\(csv.text)")
            #expect(try await RawHTTP.get(port: port, "/runs/x%27%3B/slide-summary.csv").status == 400)

            // A higher threshold leaves fewer probability pixels drawn, never more.
            let dzi = try await RawHTTP.get(port: port, "/slides/1/layers/prob-1/min/0/image.dzi").text
            let size = dzi.split(separator: "\"").compactMap { Int($0) }
            let maxLevel = Int(ceil(log2(Double(max(size[size.count - 2], size[size.count - 1])))))
            func opaque(_ minimum: Int) async throws -> Int {
                let tile = try await RawHTTP.get(port: port, "/slides/1/layers/prob-1/min/\(minimum)/image_files/\(maxLevel)/0_0.png")
                #expect(tile.status == 200)
                let image = try PNGImage.decode(tile.body)
                return stride(from: 3, to: image.pixels.count, by: 4).filter { image.pixels[$0] != 0 }.count
            }
            let all = try await opaque(0), some = try await opaque(128), none = try await opaque(255)
            #expect(all > some && some >= none && all > 0, "\(all) \(some) \(none)")
            #expect(try await RawHTTP.get(port: port, "/slides/1/layers/prob-1/min/300/image.dzi").status == 400)
        }
    }
}
