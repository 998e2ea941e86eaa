import Foundation
import Testing
import TesseraCore
import TesseraHeatmap
import TesseraServe
import TesseraStore
import TesseraTestSupport

/// The QC layer of `tessera serve` (issue 26), over HTTP against the fixture run (QC on by default): its own entry
/// with a legend of the kinds, and tiles that are the QC map's pixels in the kinds' colours.
@Suite(.serialized) struct QCLayerHTTPTests {
    @Test func theQCLayerServesTheMapsPixelsInTheKindsColours() async throws {
        let fixture = try await FixtureRun.shared.get()
        let found = try ResultsQuery.run(databasePath: fixture.results, sql: """
            SELECT sr.id, a.path FROM slide_runs sr JOIN artefacts a ON a.slide_run_id = sr.id AND a.kind = 'qc_mask'
            WHERE sr.slide_path LIKE '%/CMU-1-Small-Region.svs'
            """).rows
        guard case .integer(let id) = found.first?[0], case .text(let path) = found.first?[1] else {
            Issue.record("the fixture run recorded no QC map for CMU-1-Small-Region"); return
        }
        let map = try HeatmapFileReader(url: fixture.directory.appendingPathComponent(path))
        let kinds = map.metadata.classNames
        #expect(kinds == ["pen", "blur", "fold", "bubble_edge"])
        let (mapWidth, mapHeight) = (map.width, map.height)
        // The full-size level's tile with the most flagged pixels.
        let base = try map.levels()[0]
        var best = (try map.readTile(level: 0, column: 0, row: 0), 0, 0)
        for r in 0..<((mapHeight + base.tileHeight - 1) / base.tileHeight) {
            for c in 0..<((mapWidth + base.tileWidth - 1) / base.tileWidth) {
                let tile = try map.readTile(level: 0, column: c, row: r)
                if tile.pixels.filter({ $0 != 0 }).count > best.0.pixels.filter({ $0 != 0 }).count { best = (tile, c, r) }
            }
        }
        let (values, column, row) = best
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/\(id)")
            let layers = info["layers"] as? [[String: Any]] ?? []
            let qc = try #require(layers.first { $0["id"] as? String == "qc" })
            #expect(qc["kind"] as? String == "qc" && qc["title"] as? String == "QC artefacts")
            let legend = (qc["legend"] as? [[String: Any]]) ?? []
            #expect(legend.map { $0["name"] as? String } == ["Pen", "Blur", "Fold", "Bubble edge"])
            #expect(legend.map { $0["value"] as? Int } == [1, 2, 4, 8])
            #expect(legend.first?["colour"] as? String == "#1f4ed8")
            // Its Deep Zoom image is the map's size; a full-size level's tile is the map's tile.
            let dzi = try await RawHTTP.get(port: port, "/slides/\(id)/layers/qc/image.dzi").text
            #expect(dzi.contains("<Size Width=\"\(mapWidth)\" Height=\"\(mapHeight)\"/>"), "\(dzi)")
            let maxLevel = Int(ceil(log2(Double(max(mapWidth, mapHeight)))))
            let answer = try await RawHTTP.get(port: port, "/slides/\(id)/layers/qc/image_files/\(maxLevel)/\(column)_\(row).png")
            #expect(answer.status == 200 && answer.headers["content-type"] == "image/png")
            let served = try PNGImage.decode(answer.body)
            #expect(served.width == values.width && served.height == values.height && served.channels == 4)
            var flagged = 0
            for index in 0..<(values.width * values.height) {
                let value = values.pixels[index]
                let pixel = Array(served.pixels[(index * 4)..<(index * 4 + 4)])
                guard value != 0 else {
                    #expect(pixel[3] == 0, "pixel \(index): no artefact, drawn")
                    continue
                }
                flagged += 1
                let lowest = try #require(kinds.indices.first { QCMaskFile.flags(value, kindIndex: $0) })
                let colour = QCMaskFile.colour(of: kinds[lowest])
                #expect(pixel == [colour.red, colour.green, colour.blue, 255], "pixel \(index): value \(value)")
            }
            print("QC layer tile \(column)_\(row): \(flagged) flagged pixels of \(values.width * values.height)")
            #expect(flagged > 0, "CMU-1-Small-Region's QC flags some pixels (its teal dye, blur, fold)")
        }
    }
}
