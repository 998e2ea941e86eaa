import Foundation
import Synchronization
import Testing
import TesseraCore
import TesseraDevSupport
import TesseraServe
import TesseraSlide
import TesseraStore
import TesseraTestSupport

/// `tessera serve`'s web application over HTTP on loopback, against a real run of the fixture slides: real
/// OpenSlide reads, real heatmap TIFFs, the real results file.
@Suite(.serialized) struct ViewerHTTPTests {
    let cmu = Fixtures.slide("CMU-1-Small-Region.svs")

    func slideRunID(_ results: String, pathEndingWith name: String) throws -> Int {
        let result = try ResultsQuery.run(databasePath: results, sql: "SELECT id FROM slide_runs WHERE slide_path LIKE :p",
                                          parameters: ["p": "%/" + name])
        guard case .integer(let id) = result.rows.first?.first else { throw RawHTTP.Failure(description: "no \(name)") }
        return Int(id)
    }

    @Test func indexListsEverySlideWithStatusAreasErrorsAndViewerLinks() async throws {
        let fixture = try await FixtureRun.shared.get()
        let cmuID = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let failedID = try slideRunID(fixture.results, pathEndingWith: "unreadable.svs")
        let areas = try ResultsQuery.run(databasePath: fixture.results, sql: """
            SELECT a.tissue_mm2, c.class_tissue_mm2 FROM slide_areas a JOIN slide_class_areas c USING (slide_run_id)
            WHERE a.slide_run_id = :id AND c.class_name = 'nuclei'
            """, parameters: ["id": "\(cmuID)"])
        guard case .real(let tissue) = areas.rows[0][0], case .real(let nuclei) = areas.rows[0][1] else {
            Issue.record("no areas for CMU"); return
        }
        let modified = { try FileManager.default.attributesOfItem(atPath: fixture.results)[.modificationDate] as? Date }
        let before = try modified()
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let page = try await RawHTTP.get(port: port, "/")
            #expect(page.status == 200)
            #expect(page.headers["content-type"] == "text/html; charset=utf-8")
            let html = page.text
            // Each slide links to its viewer, with its thumbnail.
            let thumbnail = { (id: Int) in "<a href=\"/slides/\(id)\"><img class=\"thumbnail\" loading=\"lazy\" alt=\"\" src=\"/slides/\(id)/thumbnail.jpg\">" }
            #expect(html.contains(thumbnail(cmuID) + "CMU-1-Small-Region.svs</a>"))
            #expect(html.contains(thumbnail(failedID) + "unreadable.svs</a>"))
            #expect(html.contains("status-failed"))
            // The failed slide's error, as recorded, HTML-escaped.
            let error = try ResultsQuery.run(databasePath: fixture.results,
                                             sql: "SELECT error FROM slide_runs WHERE id = :id", parameters: ["id": "\(failedID)"])
            guard case .text(let message) = error.rows[0][0] else { Issue.record("no error recorded"); return }
            #expect(html.contains("<div class=\"error\">" + message.replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
                .replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "'", with: "&#39;")))
            // Tissue and nuclei (inside the tissue) areas as the views give them, 3 decimals; the class columns carry
            // the model's colours.
            #expect(html.contains(String(format: ">%.3f</td>", tissue)))
            #expect(html.contains(String(format: ">%.3f <span class=\"share\">", nuclei)))
            #expect(html.contains("background:#3B4CC0") || html.contains("background:#3b4cc0"))
            #expect(html.contains("nuclei mm²"))
        }
        #expect(try modified() == before, "the viewer changed the results file")
    }

    @Test func slideTilesAreOpenSlidesPixelsAndASecondRequestIsACacheHit() async throws {
        let fixture = try await FixtureRun.shared.get()
        let id = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let slide = try Slide(contentsOf: cmu)
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { viewer, port in
            let dzi = try await RawHTTP.get(port: port, "/slides/\(id)/slide.dzi")
            #expect(dzi.status == 200)
            #expect(dzi.text.contains("TileSize=\"254\"") && dzi.text.contains("Overlap=\"1\""))
            #expect(dzi.text.contains("<Size Width=\"2220\" Height=\"2967\"/>"))
            // Level 12 is full size (2967 px tall: 12 halvings to 1 px). Tile (3, 5) shows level-0 pixels from
            // (3*254-1, 5*254-1), 256 x 256 with its one-pixel overlap on every side.
            let answer = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/12/3_5.jpeg")
            #expect(answer.status == 200)
            #expect(answer.headers["content-type"] == "image/jpeg")
            let decoded = try JPEGCodec.decode(answer.body)
            #expect(decoded.width == 256 && decoded.height == 256)
            let expected = try slide.readRegion(level0Origin: (761, 1269), level: 0, width: 256, height: 256)
            // The tile is OpenSlide's pixels through libjpeg at quality 75, byte for byte...
            #expect(answer.body == (try JPEGCodec.encode(expected, quality: 75)))
            // ...and decoded, within JPEG's loss of them: CMU's tissue is full of fine detail, so at quality 75
            // (4:2:0 chroma) the mean absolute error per sample is under 8 and 99% of samples are within 40. The
            // same tile one pixel to the right is much further off.
            let error = Self.errors(decoded, expected)
            #expect(error.mean < 8.0, "mean abs error \(error.mean)")
            #expect(error.p99 <= 40, "99th percentile abs error \(error.p99)")
            let shifted = try slide.readRegion(level0Origin: (762, 1269), level: 0, width: 256, height: 256)
            #expect(Self.errors(decoded, shifted).mean > error.mean * 1.5)

            // Edge tile: the last column is 2220 - 8*254 = 188 px plus the left overlap.
            let edge = try JPEGCodec.decode(try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/12/8_11.jpeg").body)
            #expect(edge.width == 189 && edge.height == 2967 - 11 * 254 + 1)

            let before = viewer.statistics
            let again = try await RawHTTP.get(port: port, "/slides/\(id)/slide_files/12/3_5.jpeg")
            let after = viewer.statistics
            #expect(again.body == answer.body)
            #expect(after.cache.hits == before.cache.hits + 1)
            #expect(after.slideReads == before.slideReads, "a cached tile must not touch OpenSlide")
            let stats = try await RawHTTP.json(port: port, "/api/stats")
            #expect((stats["cache"] as? [String: Any])?["hits"] as? Int == after.cache.hits)
        }
    }

    @Test func heatmapLayersAreTheTIFFsPixels() async throws {
        let fixture = try await FixtureRun.shared.get()
        let id = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let heatmaps = fixture.directory.appendingPathComponent("heatmaps")
        // An independent reader: libvips writes the TIFFs' first page as PNG.
        let overlay = try Self.vipsPage(heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.overlay.tif"))
        let classes = try Self.vipsPage(heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.classes.tif"))
        let nuclei = try Self.vipsPage(heatmaps.appendingPathComponent("CMU-1-Small-Region.svs.prob-nuclei.tif"))
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/\(id)")
            let layers = info["layers"] as? [[String: Any]] ?? []
            #expect(layers.map { $0["id"] as? String } == ["overlay", "prob-0", "prob-1", "prob-2", "qc"])
            #expect((info["slide"] as? [String: Any])?["available"] as? Bool == true)
            #expect((info["classes"] as? [[String: Any]])?.map { $0["name"] as? String } == ["background", "nuclei", "eosin-stroma"])
            let dzi = try await RawHTTP.get(port: port, "/slides/\(id)/layers/overlay/image.dzi").text
            #expect(dzi.contains("<Size Width=\"\(overlay.width)\" Height=\"\(overlay.height)\"/>"))
            #expect(dzi.contains("Overlap=\"0\""))
            // The heatmap fits one 256-px tile: its full-size level is ceil(log2(max side)).
            let maxLevel = Int(ceil(log2(Double(max(overlay.width, overlay.height)))))
            let tile = try await RawHTTP.get(port: port, "/slides/\(id)/layers/overlay/image_files/\(maxLevel)/0_0.png")
            #expect(tile.status == 200 && tile.headers["content-type"] == "image/png")
            let served = try PNGImage.decode(tile.body)
            #expect(served.width == overlay.width && served.height == overlay.height && served.channels == 4)
            #expect(served.pixels == overlay.pixels, "overlay tile differs from the TIFF")
            #expect(served.pixels.enumerated().contains { $0.offset % 4 == 3 && $0.element > 0 }, "overlay is empty")

            // Probability of nuclei: viridis of the TIFF's value where the class map has a prediction and the
            // probability reaches the layer's threshold (0.1 by default: 26 of 255), clear elsewhere.
            let probability = try PNGImage.decode(
                try await RawHTTP.get(port: port, "/slides/\(id)/layers/prob-1/image_files/\(maxLevel)/0_0.png").body)
            var predicted = 0
            for pixel in 0..<(classes.width * classes.height) {
                let alpha = probability.pixels[pixel * 4 + 3]
                let value = Int(nuclei.pixels[pixel])
                if classes.pixels[pixel] == 255 || value < 26 { #expect(alpha == 0); continue }
                predicted += 1
                #expect(Array(probability.pixels[(pixel * 4)..<(pixel * 4 + 3)])
                        == Array(ColourMap.viridis[(value * 3)..<(value * 3 + 3)]))
                #expect(alpha == 255)
            }
            #expect(predicted > 100)
        }
    }

    @Test func clickingAPointGivesThatTilesRow() async throws {
        let fixture = try await FixtureRun.shared.get()
        let id = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let tiles = try ResultsQuery.run(databasePath: fixture.results, sql: """
            SELECT tile_index, x, y, width, height, tissue_fraction FROM tiles WHERE slide_run_id = :id
            ORDER BY tile_index LIMIT 1 OFFSET 3
            """, parameters: ["id": "\(id)"])
        guard case .integer(let index) = tiles.rows[0][0], case .integer(let x) = tiles.rows[0][1],
              case .integer(let y) = tiles.rows[0][2], case .integer(let width) = tiles.rows[0][3],
              case .real(let tissue) = tiles.rows[0][5] else { Issue.record("no tile"); return }
        let predictions = try ResultsQuery.run(databasePath: fixture.results, sql: """
            SELECT area_fraction, mean_probability FROM tile_predictions WHERE slide_run_id = :id AND tile_index = :t
            ORDER BY class_index
            """, parameters: ["id": "\(id)", "t": "\(index)"])
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            // The own window's last pixel column belongs to this tile.
            let answer = try await RawHTTP.json(port: port, "/api/slides/\(id)/tile-at?x=\(x + width - 1)&y=\(y)")
            let tile = answer["tile"] as? [String: Any]
            #expect(tile?["tileIndex"] as? Int == Int(index))
            #expect(tile?["x"] as? Int == Int(x) && tile?["y"] as? Int == Int(y))
            #expect(abs((tile?["tissueFraction"] as? Double ?? -1) - tissue) < 1e-12)
            let served = (tile?["predictions"] as? [[String: Any]] ?? []).map {
                [$0["areaFraction"] as? Double ?? -1, $0["meanProbability"] as? Double ?? -1]
            }
            let stored = predictions.rows.map { row in row.map { value -> Double in
                if case .real(let number) = value { return number }
                return -2
            } }
            // JSON round trip: equal to 12 significant digits.
            #expect(served.count == stored.count)
            for (a, b) in zip(served.joined(), stored.joined()) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
            #expect((tile?["predictions"] as? [[String: Any]])?.map { $0["className"] as? String }
                    == ["background", "nuclei", "eosin-stroma"])
            // A corner of the slide with no tissue has no tile.
            let empty = try await RawHTTP.json(port: port, "/api/slides/\(id)/tile-at?x=0&y=0")
            #expect(empty["tile"] is NSNull || empty["tile"] == nil)
        }
    }

    @Test func geoJSONRegionsAreServedWhenExported() async throws {
        let fixture = try await FixtureRun.shared.get()
        let cmuID = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let otherID = try slideRunID(fixture.results, pathEndingWith: "small-copy.svs")
        // `tessera export geojson` into the output's geojson/ records the file as the slide run's.
        let file = fixture.directory.appendingPathComponent("geojson/CMU-1-Small-Region.svs.sr\(cmuID).geojson")
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/\(cmuID)")
            #expect(info["regions"] as? String == "/api/slides/\(cmuID)/regions.geojson")
            let regions = try await RawHTTP.get(port: port, "/api/slides/\(cmuID)/regions.geojson")
            #expect(regions.status == 200 && regions.headers["content-type"] == "application/geo+json")
            #expect(Data(regions.body) == (try Data(contentsOf: file)))
            let collection = try JSONSerialization.jsonObject(with: Data(regions.body)) as? [String: Any]
            #expect((collection?["features"] as? [Any])?.isEmpty == false)
            let other = try await RawHTTP.json(port: port, "/api/slides/\(otherID)")
            #expect(other["regions"] == nil || other["regions"] is NSNull)
            #expect(try await RawHTTP.get(port: port, "/api/slides/\(otherID)/regions.geojson").status == 404)
        }
    }

    /// Nuclei outlines for the part of the slide in view (issue 27): the nuclei whose centroids lie in the region,
    /// as the results file holds them; a region larger than the limit refused; the index's nuclei columns.
    @Test func nucleiOfTheRegionInViewAreTheResultsFiles() async throws {
        let out = try Fixtures.temporaryDirectory("viewer-nuclei")
        let run = try TesseraCLI.run(["run", cmu.path, "--out", out.path, "--nuclei", "on", "--mpp", "1", "--tile", "128",
                                      "--overlap", "16", "--quiet"])
        #expect(run.status == 0, "\(run.stderr)")
        let results = out.appendingPathComponent("results.sqlite").path
        func count(_ sql: String) throws -> Int {
            guard case .integer(let n) = try ResultsQuery.run(databasePath: results, sql: sql).rows.first?.first else { return -1 }
            return Int(n)
        }
        let all = try count("SELECT COUNT(*) FROM nuclei")
        let quadrant = try count("SELECT COUNT(*) FROM nuclei WHERE x >= 500 AND x < 1500 AND y >= 700 AND y < 1900")
        let inTissue = try count("SELECT SUM(in_tissue) FROM nuclei")
        let densityCells = try count("SELECT COUNT(*) FROM nuclei_density")
        let cellsWithDensity = try count("SELECT COUNT(nuclei_per_mm2_tissue) FROM slide_nuclei_density")
        #expect(all > 50 && quadrant > 10 && quadrant < all)
        try await withViewer(ViewerOptions(outputDirectory: out)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/1")
            #expect(info["nuclei"] as? String == "/api/slides/1/nuclei")
            let whole = try await RawHTTP.json(port: port, "/api/slides/1/nuclei?x=0&y=0&w=2220&h=2967")
            #expect(whole["total"] as? Int == all && (whole["nuclei"] as? [Any])?.count == all)
            let part = try await RawHTTP.json(port: port, "/api/slides/1/nuclei?x=500&y=700&w=1000&h=1200")
            let nuclei = part["nuclei"] as? [[String: Any]] ?? []
            #expect(part["total"] as? Int == quadrant && nuclei.count == quadrant && part["truncated"] as? Bool == false)
            for nucleus in nuclei {
                let x = nucleus["x"] as? Double ?? -1, y = nucleus["y"] as? Double ?? -1
                let outline = nucleus["outline"] as? [Double] ?? []
                #expect(x >= 500 && x < 1500 && y >= 700 && y < 1900 && outline.count >= 6 && outline.count % 2 == 0)
                // The outline lies around its centroid, within a nucleus's size (30 µm at 0.499 µm/px).
                #expect(stride(from: 0, to: outline.count, by: 2).allSatisfy { abs(outline[$0] - x) < 60 && abs(outline[$0 + 1] - y) < 60 })
            }
            let tooLarge = try await RawHTTP.get(port: port, "/api/slides/1/nuclei?x=0&y=0&w=5000&h=5000")
            #expect(tooLarge.status == 400 && String(decoding: tooLarge.body, as: UTF8.self).contains("zoom in"))
            #expect(try await RawHTTP.get(port: port, "/api/slides/1/nuclei?x=0&y=0").status == 400)
            let index = String(decoding: try await RawHTTP.get(port: port, "/").body, as: UTF8.self)
            #expect(index.contains("nuclei per mm² of tissue") && index.contains("data-value=\"\(inTissue)\""))

            // The density grid, whole: the results file's cells (nuclei adding up to the slide's in the tissue), on a
            // grid of 100 µm cells that covers the slide.
            #expect(info["nucleiDensity"] as? String == "/api/slides/1/nuclei-density")
            let grid = try await RawHTTP.json(port: port, "/api/slides/1/nuclei-density")
            let cells = grid["cells"] as? [[String: Any]] ?? []
            let side = try #require(grid["cellLevel0Pixels"] as? Double)
            #expect(grid["cellMicrons"] as? Double == 100 && abs(side - 100 / 0.499) < 1e-6)
            #expect(grid["columns"] as? Int == Int((2_220 / side).rounded(.up)) && grid["rows"] as? Int == Int((2_967 / side).rounded(.up)))
            #expect(cells.count == densityCells)
            #expect(cells.reduce(0) { $0 + ($1["nuclei"] as? Int ?? 0) } == inTissue)
            let withDensity = cells.filter { $0["nucleiPerMM2Tissue"] != nil }
            #expect(withDensity.count == cellsWithDensity && cellsWithDensity > 0)
            for cell in withDensity {
                let nuclei = Double(cell["nuclei"] as? Int ?? -1), tissue = cell["tissueMM2"] as? Double ?? 0
                #expect(abs((cell["nucleiPerMM2Tissue"] as? Double ?? 0) - nuclei / tissue) < 1e-6 * max(1, nuclei / tissue))
                #expect((cell["tissueFraction"] as? Double ?? 0) >= 0.25)
            }
        }
    }

    @Test func badAddressesGetShort4xxAnswers() async throws {
        let fixture = try await FixtureRun.shared.get()
        let id = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { viewer, port in
            let cases: [(String, Int)] = [
                ("/static/../../../../etc/passwd", 404),
                ("/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 404),
                ("/static/..%2f..%2fresults.sqlite", 404),
                ("/slides/..%2f..%2fetc%2fpasswd/slide.dzi", 400),
                ("/slides/\(id)/layers/..%2f..%2fresults.sqlite/image.dzi", 404),
                ("/slides/\(id)/layers/..%2Fheatmaps%2FCMU-1-Small-Region.svs.overlay.tif/image.dzi", 404),
                ("/slides/99999/slide.dzi", 404),
                ("/slides/0/slide.dzi", 400),
                ("/slides/-3", 400),
                ("/slides/abc", 400),
                ("/api/slides/99999", 404),
                ("/slides/\(id)/slide_files/13/0_0.jpeg", 404),
                ("/slides/\(id)/slide_files/12/9_0.jpeg", 404),
                ("/slides/\(id)/slide_files/12/0_12.jpeg", 404),
                ("/slides/\(id)/slide_files/0/1_0.jpeg", 404),
                ("/slides/\(id)/slide_files/99999999999999999999/0_0.jpeg", 400),
                ("/slides/\(id)/slide_files/12/0_0.png", 400),
                ("/slides/\(id)/slide_files/12/0-0.jpeg", 400),
                ("/slides/\(id)/slide_files/12/_0.jpeg", 400),
                ("/slides/\(id)/slide_files/12/-1_0.jpeg", 400),
                ("/slides/\(id)/slide_files/x/0_0.jpeg", 400),
                ("/slides/\(id)/layers/overlay/image_files/40/0_0.png", 404),
                ("/slides/\(id)/layers/overlay/image_files/0/1_0.png", 404),
                ("/slides/\(id)/layers/nope/image.dzi", 404),
                ("/api/slides/\(id)/tile-at", 400),
                ("/api/slides/\(id)/tile-at?x=1&y=99999", 400),
                ("/api/slides/\(id)/tile-at?x=a&y=1", 400),
                ("/nothing/here", 404),
            ]
            let readsBefore = viewer.statistics.slideReads
            for (path, status) in cases {
                let answer = try await RawHTTP.get(port: port, path)
                #expect(answer.status == status, "GET \(path) gave \(answer.status): \(answer.text.prefix(200))")
                #expect(answer.body.count < 400, "GET \(path): a short message, not \(answer.body.count) bytes")
                #expect(!answer.text.contains("root:"), "GET \(path) served a file it must not")
            }
            #expect(viewer.statistics.slideReads == readsBefore)
        }
    }

    @Test func aSlideFileThatMovedIsReportedAndTheOthersAreStillServed() async throws {
        let fixture = try await FixtureRun.shared.get()
        let movedID = try slideRunID(fixture.results, pathEndingWith: "small-copy.svs")
        let cmuID = try slideRunID(fixture.results, pathEndingWith: "CMU-1-Small-Region.svs")
        let away = fixture.movableSlide.deletingLastPathComponent().appendingPathComponent("moved-away.svs")
        try FileManager.default.moveItem(at: fixture.movableSlide, to: away)
        defer { try? FileManager.default.moveItem(at: away, to: fixture.movableSlide) }
        try await withViewer(ViewerOptions(outputDirectory: fixture.directory)) { _, port in
            let info = try await RawHTTP.json(port: port, "/api/slides/\(movedID)")
            let slide = info["slide"] as? [String: Any]
            #expect(slide?["available"] as? Bool == false)
            let message = slide?["message"] as? String ?? ""
            #expect(message.contains("cannot be read") && message.contains(fixture.movableSlide.path), "\(message)")
            let tile = try await RawHTTP.get(port: port, "/slides/\(movedID)/slide_files/0/0_0.jpeg")
            #expect(tile.status == 404 && tile.text.contains("small-copy.svs"))
            // The page itself still loads (it shows the message), and the other slide is served.
            #expect(try await RawHTTP.get(port: port, "/slides/\(movedID)").status == 200)
            #expect(try await RawHTTP.get(port: port, "/slides/\(cmuID)/slide_files/12/0_0.jpeg").status == 200)
        }
    }

    @Test func aRunWritingIntoTheResultsFileAndTheViewerDoNotBlockEachOther() async throws {
        let directory = try Fixtures.temporaryDirectory("serve-wal")
        let results = directory.appendingPathComponent("results.sqlite").path
        let store = try ResultsStore(path: results, logger: .init(label: "test.writer"))
        // A first slide, so the viewer has something to list when it starts.
        _ = try SyntheticRun(slides: 1, tilesPerSlide: 64, classes: 3, batchSize: 16).run(store: store) { _ in }
        try await withViewer(ViewerOptions(outputDirectory: directory)) { _, port in
            // The writer: a second run of 6 slides x 2,000 tiles in batches of 50, committed as it goes. After its
            // first committed batch (a slide is then running) it waits, up to 30 s, until the viewer has answered 4
            // more pages, so the two overlap however the machine's load shares time between them; then it writes
            // at full speed.
            let finished = Flag()
            let pagesRead = Counter()
            let writer = Task {
                defer { finished.value.store(true, ordering: .sequentiallyConsistent) }
                return try await RawHTTP.pool.run {
                    var waited = false
                    return try SyntheticRun(slides: 6, tilesPerSlide: 2000, classes: 3, batchSize: 50).run(store: store) { line in
                        guard !waited, line.contains("committed tiles") else { return }
                        waited = true
                        let target = pagesRead.value.load(ordering: .sequentiallyConsistent) + 4
                        let deadline = Date().addingTimeInterval(30)
                        while pagesRead.value.load(ordering: .sequentiallyConsistent) < target, Date() < deadline { usleep(10_000) }
                    }
                }
            }
            // Meanwhile the index page is read again and again; every answer is whole.
            var pages = 0
            var sawRunning = false
            while pages < 2000, !finished.value.load(ordering: .sequentiallyConsistent) {
                let page = try await RawHTTP.get(port: port, "/")
                #expect(page.status == 200)
                #expect(page.text.hasSuffix("</main></body></html>\n"))
                sawRunning = sawRunning || page.text.contains("status-running")
                pages += 1
                pagesRead.value.store(pages, ordering: .sequentiallyConsistent)
            }
            let summary = try await writer.value
            #expect(summary.tilesWritten == 12_000, "the writer was disturbed")
            #expect(pages > 3)
            #expect(sawRunning, "the viewer never saw the run in progress (\(pages) pages)")
            let final = try await RawHTTP.get(port: port, "/").text
            #expect(final.components(separatedBy: "<tr class=\"slide").count - 1 == 7)
            #expect(final.contains("2000 / 2000"))
        }
    }

    final class Flag: Sendable {
        let value = Atomic<Bool>(false)
    }

    final class Counter: Sendable {
        let value = Atomic<Int>(0)
    }

    static func errors(_ a: RGBImage, _ b: RGBImage) -> (mean: Double, p99: Int) {
        var histogram = [Int](repeating: 0, count: 256)
        var total = 0
        for i in 0..<a.pixels.count {
            let d = abs(Int(a.pixels[i]) - Int(b.pixels[i]))
            histogram[d] += 1
            total += d
        }
        var seen = 0, p99 = 0
        for (value, count) in histogram.enumerated() {
            seen += count
            if Double(seen) >= 0.99 * Double(a.pixels.count) { p99 = value; break }
        }
        return (Double(total) / Double(a.pixels.count), p99)
    }

    /// Page 0 of a TIFF as libvips decodes it (`vips copy in.tif[page=0] out.png`).
    static func vipsPage(_ tiff: URL) throws -> DecodedPNG {
        let png = try Fixtures.temporaryDirectory("vips").appendingPathComponent("page.png")
        guard let vips = ChildProcess.onPath("vips") else {
            throw RawHTTP.Failure(description: "vips is not on PATH: install libvips-tools (.ci/run does)")
        }
        let copy = try ChildProcess.run(vips, ["copy", tiff.path + "[page=0]", png.path])
        guard copy.status == 0 else {
            throw RawHTTP.Failure(description: "vips copy \(tiff.path) failed (\(copy.status)): \(copy.stderr)")
        }
        return try PNGImage.read(from: png)
    }
}
