import Foundation
import Testing
import TesseraHeatmap
@testable import TesseraExport
import TesseraTestSupport

/// `tessera export geojson` end to end: a real `tessera run` of two fixture slides (1 µm/px, 128-px tiles, so on
/// CMU-1-Small-Region.svs the heatmap pixel is d = round(8 x 1 / 0.499) = 16 level-0 pixels), then the export read back.
@Suite(.serialized) struct ExportCommandTests {
    static let slide = Fixtures.slide("CMU-1-Small-Region.svs")
    static let tiling = ["--mpp", "1", "--tile", "128", "--overlap", "16"]

    /// One run shared by the tests of this suite.
    static let runDirectory: Result<URL, any Error> = Result {
        let out = try Fixtures.temporaryDirectory("export-run")
        let output = try TesseraCLI.run(["run", slide.path, Fixtures.slide("small.svs").path, "--out", out.path, "--quiet"] + tiling)
        guard output.status == 0 else { throw RunFailed(stderr: output.stderr) }
        return out
    }

    struct RunFailed: Error { var stderr: String }

    func run() throws -> (out: URL, results: String) {
        let out = try Self.runDirectory.get()
        return (out, out.appendingPathComponent("results.sqlite").path)
    }

    /// The one file in `directory` a slide run of `slide` wrote: `<slide>.sr<N><suffix>` (OutputLayout).
    static func exported(_ directory: URL, _ slide: String, suffix: String = ".geojson") throws -> URL {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter {
            $0.hasPrefix(slide + ".sr") && $0.hasSuffix(suffix)
                && Int($0.dropFirst(slide.count + 3).dropLast(suffix.count)) != nil
        }
        guard names.count == 1 else { throw RunFailed(stderr: "\(names.count) files of \(slide) in \(directory.path)") }
        return directory.appendingPathComponent(names[0])
    }

    static func features(_ url: URL) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        return object?["features"] as? [[String: Any]] ?? []
    }

    /// Shell area minus hole areas of a GeoJSON Polygon's coordinates (shoelace; rings closed).
    static func area(_ rings: [[[Double]]]) -> Double {
        rings.reduce(0) { total, ring in
            var sum = 0.0
            for i in 0..<(ring.count - 1) { sum += ring[i][0] * ring[i + 1][1] - ring[i + 1][0] * ring[i][1] }
            return total + sum / 2
        }
    }

    /// Whether (x, y) is inside a polygon's rings by the even-odd rule: in the shell and in none of the holes.
    static func inside(_ rings: [[[Double]]], x: Double, y: Double) -> Bool {
        var inside = false
        for ring in rings {
            for (a, b) in zip(ring, ring.dropFirst()) where (a[1] > y) != (b[1] > y)
                && x < a[0] + (y - a[1]) / (b[1] - a[1]) * (b[0] - a[0]) {
                inside.toggle()
            }
        }
        return inside
    }

    static func coordinates(_ feature: [String: Any]) -> [[[Double]]] {
        let geometry = feature["geometry"] as? [String: Any]
        return (geometry?["coordinates"] as? [[[NSNumber]]] ?? []).map { $0.map { $0.map(\.doubleValue) } }
    }

    static func className(_ feature: [String: Any]) -> String {
        ((feature["properties"] as? [String: Any])?["classification"] as? [String: Any])?["name"] as? String ?? ""
    }

    static func measurements(_ feature: [String: Any]) -> [String: Double] {
        ((feature["properties"] as? [String: Any])?["measurements"] as? [String: NSNumber] ?? [:]).mapValues(\.doubleValue)
    }

    @Test func regionAreasEqualTheClassMapAndAgreeWithTheTilesWithinTheHeatmapResolution() throws {
        let (out, results) = try run()
        let geo = out.appendingPathComponent("geo-exact")
        let export = try TesseraCLI.run(["export", "geojson", results, "--out", geo.path, "--objects", "both",
                                         "--classes", "background,nuclei,eosin-stroma", "--slide", "CMU-1-Small-Region.svs"])
        #expect(export.status == 0, "\(export.stderr)")
        let features = try Self.features(Self.exported(geo, "CMU-1-Small-Region.svs"))
        func objectType(_ feature: [String: Any]) -> String { (feature["properties"] as? [String: Any])?["objectType"] as? String ?? "" }
        let regions = features.filter { objectType($0) != "tile" }
        let tiles = features.filter { objectType($0) == "tile" }
        #expect(regions.count > 10)
        // Nuclei are detections (numerous, small), the stroma compartment annotations; background is QuPath's Ignore*.
        #expect(Set(regions.filter { Self.className($0) == "nuclei" }.map(objectType)) == ["detection"])
        #expect(Set(regions.filter { Self.className($0) == "eosin-stroma" }.map(objectType)) == ["annotation"])
        #expect(Set(regions.filter { Self.className($0) == "Ignore*" }.map(objectType)) == ["annotation"])
        let ignore = try #require(regions.first { Self.className($0) == "Ignore*" })
        #expect(((ignore["properties"] as? [String: Any])?["classification"] as? [String: Any])?["color"] as? [Int] == [180, 180, 180])

        // QuPath's form: a UUID id, objectType, classification {name, color}, locked, measurements as an object.
        for feature in features {
            #expect(UUID(uuidString: feature["id"] as? String ?? "") != nil)
            let properties = feature["properties"] as? [String: Any] ?? [:]
            #expect(properties["isLocked"] as? Bool == true)
            let classification = properties["classification"] as? [String: Any] ?? [:]
            #expect((classification["color"] as? [Int])?.count == 3)
            #expect(properties["measurements"] is [String: Any])
        }
        // The model's colours: nuclei #3B4CC0.
        let nuclei = try #require(regions.first { Self.className($0) == "nuclei" })
        #expect(((nuclei["properties"] as? [String: Any])?["classification"] as? [String: Any])?["color"] as? [Int] == [59, 76, 192])

        // Each class's regions cover exactly the model-resolution class map's pixels of that class (each pixel for its
        // part on the slide: the last column and row of its grid are cut by the slide's 2220 x 2967 edge). Its pixel is
        // the model's: 1 / 0.499 level-0 pixels at 1 µm/px; the coarse class map's is 16.
        let classMap = try HeatmapFileReader(url: out.appendingPathComponent("heatmaps/CMU-1-Small-Region.svs.model-classes.tif"))
        let d = try #require(classMap.metadata.downsample)
        #expect(abs(d - 1 / 0.499) < 1e-12)
        let coarse = try HeatmapFileReader(url: out.appendingPathComponent("heatmaps/CMU-1-Small-Region.svs.classes.tif"))
        #expect(coarse.metadata.downsample == 16)
        var pixels = [UInt8](repeating: 0, count: classMap.width * classMap.height)
        for band in 0..<classMap.bandCount {
            let start = band * classMap.bandHeight * classMap.width
            try pixels.withUnsafeMutableBufferPointer { buffer in
                try classMap.readBand(band, into: UnsafeMutableBufferPointer(rebasing: buffer[start...]))
            }
        }
        func pixelArea(_ x: Int, _ y: Int) -> Double {
            (min(Double(x + 1) * d, 2220) - Double(x) * d) * (min(Double(y + 1) * d, 2967) - Double(y) * d)
        }
        // Class names as written (background as QuPath's Ignore*) and their index in the class map.
        let classIndex = ["Ignore*": 0, "nuclei": 1, "eosin-stroma": 2]
        let storedName = ["Ignore*": "background", "nuclei": "nuclei", "eosin-stroma": "eosin-stroma"]
        let storedAreas = try TesseraCLI.csv(results, "SELECT class_name, class_px FROM slide_class_areas WHERE slide_path LIKE '%CMU-1-Small-Region.svs' ORDER BY class_index")
            .split(separator: "\r\n").dropFirst().map { $0.split(separator: ",") }
        let mpp = try TesseraCLI.csv(results, "SELECT mpp_x, mpp_y FROM slide_runs WHERE slide_path LIKE '%CMU-1-Small-Region.svs'").split(separator: "\r\n")[1]
            .split(separator: ",").map { Double($0)! }
        // Compartments (annotations) are drawn with the nuclei they enclose filled in (EnclosedHoleFiller): a
        // nucleus region inside an annotation's polygon fills one of its holes, and the annotation's own area (its
        // class's pixels) is its polygon's less those nuclei.
        let nucleusRegions = regions.filter { Self.className($0) == "nuclei" }.map { Self.coordinates($0) }
        func enclosedNuclei(_ annotation: [String: Any]) -> [[[[Double]]]] {
            let rings = Self.coordinates(annotation)
            return nucleusRegions.filter { nucleus in
                // The middle of the nucleus's top-left map pixel, inside it whatever its shape (d > 1 level-0 pixel).
                let corner = nucleus[0].min { ($0[1], $0[0]) < ($1[1], $1[0]) }!
                return Self.inside(rings, x: corner[0] + 0.5, y: corner[1] + 0.5)
            }
        }
        func ownArea(_ region: [String: Any]) -> Double {
            let polygon = Self.area(Self.coordinates(region))
            guard objectType(region) == "annotation" else { return polygon }
            return polygon - enclosedNuclei(region).reduce(0) { $0 + Self.area($1) }
        }
        for (name, index) in classIndex {
            let traced = regions.filter { Self.className($0) == name }.reduce(0.0) { $0 + ownArea($1) }
            var expected = 0.0, boundary = 0
            for y in 0..<classMap.height {
                for x in 0..<classMap.width {
                    let value = pixels[y * classMap.width + x]
                    if value == UInt8(index) { expected += pixelArea(x, y) }
                    // Pixels on the class's boundary, on either side of it (4-neighbours, the map's edge counting as
                    // a neighbour of another value).
                    let neighbours = [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)].map { nx, ny in
                        nx < 0 || ny < 0 || nx >= classMap.width || ny >= classMap.height
                            ? UInt8(255) : pixels[ny * classMap.width + nx]
                    }
                    let isClass = value == UInt8(index)
                    if neighbours.contains(where: { ($0 == UInt8(index)) != isClass }) && (isClass || value != 255) {
                        boundary += 1
                    }
                }
            }
            // The map's pixels are 1/0.499 level-0 pixels, so vertices fall between level-0 pixels and are written to
            // QuPath's 2 decimals: the written polygons' areas are the traced ones within that rounding.
            #expect(abs(traced - expected) <= 1e-5 * expected, "\(name): regions \(traced) px², class map \(expected) px²")
            // Every region's measured area is its polygon's, within the rounding of its vertices to 0.005 pixel.
            for region in regions where Self.className(region) == name {
                #expect(Self.measurements(region)["Area µm^2"] == nil)
                let measured = Self.measurements(region)["Tessera: area µm^2"] ?? -1
                let perimeter = Self.coordinates(region).reduce(0.0) { total, ring in
                    total + zip(ring, ring.dropFirst()).reduce(0.0) { $0 + hypot($1.1[0] - $1.0[0], $1.1[1] - $1.0[1]) }
                }
                let enclosedPerimeter = objectType(region) != "annotation" ? 0 : enclosedNuclei(region).joined().reduce(0.0) { total, ring in
                    total + zip(ring, ring.dropFirst()).reduce(0.0) { $0 + hypot($1.1[0] - $1.0[0], $1.1[1] - $1.0[1]) }
                }
                #expect(abs(measured - ownArea(region) * mpp[0] * mpp[1])
                        <= (1e-9 * measured + 0.01 * (perimeter + enclosedPerimeter) * mpp[0] * mpp[1]))
                // An annotation also says how many holes were filled and the area its outline encloses.
                if objectType(region) == "annotation" {
                    #expect(Self.measurements(region)["Tessera: holes filled by detections"] == Double(enclosedNuclei(region).count))
                    let outline = Self.area(Self.coordinates(region)) * mpp[0] * mpp[1]
                    #expect(abs((Self.measurements(region)["Tessera: area incl. enclosed detections µm^2"] ?? -1) - outline)
                            <= 1e-9 * outline + 0.01 * perimeter * mpp[0] * mpp[1])
                }
            }
            // Against the tiles' own figures (slide_class_areas, counted on the model's pixels): each map pixel takes
            // one model pixel, so they agree within 1% (and never by more than the pixels along the class's boundary).
            let stored = try #require(storedAreas.first { $0[0] == Substring(storedName[name]!) }.flatMap { Double($0[1]) })
            let tolerance = Double(boundary) * d * d
            #expect(abs(traced - stored) <= tolerance,
                    "\(name): regions \(traced) px², tiles \(stored) px², tolerance \(boundary) boundary pixels = \(tolerance) px²")
            #expect(abs(traced - stored) <= 0.01 * stored, "\(name): regions \(traced) px², tiles \(stored) px²")
        }

        // CMU's stroma encloses nuclei: many of them fill its holes.
        let filledTotal = regions.filter { Self.className($0) == "eosin-stroma" }.reduce(0) { $0 + enclosedNuclei($1).count }
        #expect(filledTotal > 100, "\(filledTotal) nuclei filled in")

        // Tiles: one QuPath tile per stored tile, with its fractions and mean probabilities under Tessera's prefix.
        let storedTiles = try TesseraCLI.csv(results, """
            SELECT COUNT(*) FROM tiles t JOIN slide_runs sr ON sr.id = t.slide_run_id
            WHERE sr.slide_path LIKE '%CMU-1-Small-Region.svs'
            """).split(separator: "\r\n")[1]
        #expect(tiles.count == Int(storedTiles))
        let tile = try #require(tiles.first)
        let keys = Set(Self.measurements(tile).keys)
        #expect(keys == ["Tessera: tissue fraction", "Tessera: background fraction", "Tessera: background mean probability",
                         "Tessera: nuclei fraction", "Tessera: nuclei mean probability", "Tessera: eosin-stroma fraction",
                         "Tessera: eosin-stroma mean probability"])
        let fractions = ["background", "nuclei", "eosin-stroma"].map { Self.measurements(tile)["Tessera: \($0) fraction"]! }
        #expect(abs(fractions.reduce(0, +) - 1) < 1e-9)
        #expect(Self.className(tile) == ["Ignore*", "nuclei", "eosin-stroma"][fractions.indices.max { fractions[$0] < fractions[$1] }!])
    }

    /// The nuclei fill the stroma's holes whether or not their own regions are exported (they are traced anyway):
    /// the stroma exported alone is the same features, geometry and measurements, as exported beside the nuclei.
    @Test func stromaExportedAloneIsFilledAsBesideTheNuclei() throws {
        let (out, results) = try run()
        func stroma(_ classes: String) throws -> [String: String] {
            let geo = out.appendingPathComponent("geo-fill-\(classes)")
            let export = try TesseraCLI.run(["export", "geojson", results, "--out", geo.path, "--classes", classes,
                                             "--slide", "CMU-1-Small-Region.svs"])
            #expect(export.status == 0, "\(export.stderr)")
            var byID: [String: String] = [:]
            for feature in try Self.features(Self.exported(geo, "CMU-1-Small-Region.svs")) where Self.className(feature) == "eosin-stroma" {
                let text = try JSONSerialization.data(withJSONObject: [feature["geometry"], feature["properties"]], options: [.sortedKeys])
                byID[feature["id"] as? String ?? ""] = String(decoding: text, as: UTF8.self)
            }
            return byID
        }
        let alone = try stroma("eosin-stroma"), beside = try stroma("nuclei,eosin-stroma")
        #expect(alone.count > 10 && alone == beside)
        #expect(alone.values.contains { $0.contains(#""Tessera: mean probability""#) })
        #expect(alone.values.contains { !$0.contains(#""Tessera: holes filled by detections":0"#) })
    }

    @Test func minimumAreaDropsAndCountsRegionsAndBackgroundIsLeftOutByDefault() throws {
        let (out, results) = try run()
        let exact = out.appendingPathComponent("geo-all"), filtered = out.appendingPathComponent("geo-min")
        #expect(try TesseraCLI.run(["export", "geojson", results, "--out", exact.path, "--slide", "CMU-1-Small-Region.svs"]).status == 0)
        // The classes' regions; the QC's artefact regions ("Ignore*: Pen", ...) are written too, with no minimum area
        // (they are the QC map's own pixels: SlideQCRunTests).
        let all = try Self.features(Self.exported(exact, "CMU-1-Small-Region.svs")).filter {
            !Self.className($0).hasPrefix("Ignore*: ")
        }
        #expect(Set(all.map(Self.className)) == ["nuclei", "eosin-stroma"])
        let threshold = 1000.0
        let small = all.filter { Self.measurements($0)["Tessera: area µm^2"]! < threshold }
        #expect(!small.isEmpty && small.count < all.count)

        let output = try TesseraCLI.run(["export", "geojson", results, "--out", filtered.path, "--min-area-um2", "1000",
                                         "--json", "--slide", "CMU-1-Small-Region.svs"])
        #expect(output.status == 0, "\(output.stderr)")
        let summary = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any]
        let classes = ((summary?["slides"] as? [[String: Any]])?.first?["classes"] as? [[String: Any]]) ?? []
        let dropped = classes.reduce(0) { $0 + ($1["regions_dropped"] as? Int ?? 0) }
        #expect(dropped == small.count)
        let kept = try Self.features(Self.exported(filtered, "CMU-1-Small-Region.svs")).filter {
            !Self.className($0).hasPrefix("Ignore*: ")
        }
        #expect(kept.count == all.count - small.count)
        #expect(kept.allSatisfy { Self.measurements($0)["Tessera: area µm^2"]! >= threshold })
        // Same results, same ids: an export run again names its objects the same.
        let ids = Set(all.compactMap { $0["id"] as? String })
        #expect(kept.allSatisfy { ids.contains($0["id"] as? String ?? "") })
    }

    @Test func gzipAndOneMultiPolygonPerClass() throws {
        let (out, results) = try run()
        let geo = out.appendingPathComponent("geo-multi")
        let output = try TesseraCLI.run(["export", "geojson", results, "--out", geo.path, "--gzip", "--multipolygon-per-class",
                                         "--simplify-um", "4", "--slide", "CMU-1-Small-Region.svs"])
        #expect(output.status == 0, "\(output.stderr)")
        let file = try Self.exported(geo, "CMU-1-Small-Region.svs", suffix: ".geojson.gz")
        let data = try Data(contentsOf: file)
        #expect(data.prefix(2) == Data([0x1f, 0x8b]))
        let files = try FileManager.default.contentsOfDirectory(atPath: geo.path)
        #expect(files == [file.lastPathComponent]) // no temporary or scratch file left behind
    }

    /// A model's metadata chooses each class's object type and QuPath class: the run records it in its parameters
    /// (not their hash) and export follows it; `--object-type` and `--qupath-class` override it.
    @Test func theModelsQuPathMetadataChoosesObjectTypesAndClassesAndExportOptionsOverrideIt() throws {
        let work = try Fixtures.temporaryDirectory("qupath-metadata")
        let model = work.appendingPathComponent("m.safetensors")
        // The bundled model (fixtures/models/default.safetensors is a link to it), copied so a sidecar can sit beside it.
        try FileManager.default.copyItem(at: Fixtures.models.appendingPathComponent("default.safetensors").resolvingSymlinksInPath(), to: model)
        try Data(#"{"qupath_object_types": {"nuclei": "annotation", "eosin-stroma": "detection"}, "qupath_classes": {"eosin-stroma": "Stroma", "nuclei": "Nucleus"}}"#.utf8)
            .write(to: work.appendingPathComponent("m.json"))
        let out = work.appendingPathComponent("run")
        let run = try TesseraCLI.run(["run", Self.slide.path, "--out", out.path, "--model", model.path, "--quiet"] + Self.tiling)
        #expect(run.status == 0, "\(run.stderr)")
        let results = out.appendingPathComponent("results.sqlite").path
        let parameters = try TesseraCLI.csv(results, "SELECT parameters_json FROM runs").replacingOccurrences(of: "\"\"", with: "\"")
        #expect(parameters.contains(#""qupath":{"classes":{"eosin-stroma":"Stroma","nuclei":"Nucleus"},"objectTypes":{"eosin-stroma":"detection","nuclei":"annotation"}}"#),
                "\(parameters)")
        // Not hashed: the same settings with the model without the metadata (the suite's run) have the same hash.
        let hash = try TesseraCLI.csv(results, "SELECT parameters_hash FROM runs").split(separator: "\r\n")[1]
        let plainHash = try TesseraCLI.csv(try self.run().results, "SELECT parameters_hash FROM runs").split(separator: "\r\n")[1]
        #expect(hash == plainHash)

        func exported(_ options: [String]) throws -> [String: (type: String, name: String, colour: [Int])] {
            let geo = work.appendingPathComponent("geo-\(options.count)")
            let export = try TesseraCLI.run(["export", "geojson", results, "--out", geo.path, "--classes", "nuclei,eosin-stroma"] + options)
            #expect(export.status == 0, "\(export.stderr)")
            var seen: [String: (type: String, name: String, colour: [Int])] = [:]
            for feature in try Self.features(Self.exported(geo, "CMU-1-Small-Region.svs")) {
                let properties = feature["properties"] as? [String: Any] ?? [:]
                let classification = properties["classification"] as? [String: Any] ?? [:]
                let name = classification["name"] as? String ?? ""
                // Which model class: by its QuPath name or the model's.
                let modelClass = ["Nucleus": "nuclei", "nuclei": "nuclei", "Stroma": "eosin-stroma", "Tumor": "eosin-stroma"][name] ?? name
                seen[modelClass] = (properties["objectType"] as? String ?? "", name, classification["color"] as? [Int] ?? [])
            }
            return seen
        }
        let byMetadata = try exported([])
        #expect(byMetadata["nuclei"]?.type == "annotation" && byMetadata["nuclei"]?.name == "Nucleus")
        // A standard QuPath class takes QuPath's colour; any other name the model's (nuclei #3B4CC0).
        #expect(byMetadata["nuclei"]?.colour == [59, 76, 192])
        #expect(byMetadata["eosin-stroma"]?.type == "detection" && byMetadata["eosin-stroma"]?.name == "Stroma")
        #expect(byMetadata["eosin-stroma"]?.colour == [150, 200, 150])
        let overridden = try exported(["--object-type", "nuclei=detection", "--qupath-class", "eosin-stroma=Tumor"])
        #expect(overridden["nuclei"]?.type == "detection" && overridden["nuclei"]?.name == "Nucleus")
        #expect(overridden["eosin-stroma"]?.type == "detection" && overridden["eosin-stroma"]?.name == "Tumor")
        #expect(overridden["eosin-stroma"]?.colour == [200, 0, 0])
    }

    @Test func badInputIsAClearErrorWithExitStatus2() throws {
        let (out, results) = try run()
        let geo = out.appendingPathComponent("geo-bad").path
        let unknownSlide = try TesseraCLI.run(["export", "geojson", results, "--out", geo, "--slide", "nope.svs"])
        #expect(unknownSlide.status == 2 && unknownSlide.stderr.contains("no slide nope.svs")
                    && unknownSlide.stderr.contains("CMU-1-Small-Region.svs"))
        let unknownRun = try TesseraCLI.run(["export", "geojson", results, "--out", geo, "--run", "0000-bad"])
        #expect(unknownRun.status == 2 && unknownRun.stderr.contains("no run 0000-bad"))
        let missing = try TesseraCLI.run(["export", "geojson", out.path + "/none.sqlite", "--out", geo])
        #expect(missing.status == 2 && missing.stderr.contains("none.sqlite"))
        let unknownClass = try TesseraCLI.run(["export", "geojson", results, "--out", geo, "--classes", "tumour"])
        #expect(unknownClass.status == 2 && unknownClass.stderr.contains("no class tumour"))

        // A file where the output folder should be.
        let blocker = out.appendingPathComponent("blocker").path
        FileManager.default.createFile(atPath: blocker, contents: Data("x".utf8))
        let blocked = try TesseraCLI.run(["export", "geojson", results, "--out", blocker])
        #expect(blocked.status == 2 && blocked.stderr.contains("blocker") && blocked.stderr.contains("in the way"))

        // One slide's class map missing: the other slide is still written, the failure named, exit status 1.
        let partial = out.appendingPathComponent("heatmaps-partial")
        try FileManager.default.createDirectory(at: partial, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("heatmaps").path)
        where name.hasPrefix("CMU-1-Small-Region.svs.") {
            try FileManager.default.copyItem(at: out.appendingPathComponent("heatmaps/" + name), to: partial.appendingPathComponent(name))
        }
        let some = try TesseraCLI.run(["export", "geojson", results, "--out", geo, "--heatmaps", partial.path])
        #expect(some.status == 1 && some.stderr.contains("small.svs") && some.stderr.contains("no class map"))
        #expect((try? Self.exported(URL(fileURLWithPath: geo), "CMU-1-Small-Region.svs")) != nil)
        #expect((try? Self.exported(URL(fileURLWithPath: geo), "small.svs")) == nil)

        // A run without heatmaps: no class maps to trace (tiles alone still export).
        let bare = try Fixtures.temporaryDirectory("export-bare")
        let run = try TesseraCLI.run(["run", Self.slide.path, "--out", bare.path, "--no-heatmaps", "--quiet",
                                      "--mpp", "4", "--tile", "64", "--overlap", "16"])
        #expect(run.status == 0, "\(run.stderr)")
        let noMaps = try TesseraCLI.run(["export", "geojson", bare.appendingPathComponent("results.sqlite").path,
                                         "--out", bare.appendingPathComponent("geo").path])
        #expect(noMaps.status == 2 && noMaps.stderr.contains("no class map"))
        #expect((try? Self.exported(bare.appendingPathComponent("geo"), "CMU-1-Small-Region.svs")) == nil)
        let tilesOnly = try TesseraCLI.run(["export", "geojson", bare.appendingPathComponent("results.sqlite").path,
                                            "--out", bare.appendingPathComponent("geo").path, "--objects", "tiles"])
        #expect(tilesOnly.status == 0, "\(tilesOnly.stderr)")
    }

    /// `tessera run --geojson` writes, with the heatmaps, the same file `tessera export geojson` writes afterwards.
    @Test func runWritesTheSameGeoJSONAsTheExport() throws {
        let out = try Fixtures.temporaryDirectory("export-with-run")
        let coarse = ["--mpp", "4", "--tile", "64", "--overlap", "16", "--quiet"]
        let run = try TesseraCLI.run(["run", Self.slide.path, "--out", out.path, "--geojson"] + coarse)
        #expect(run.status == 0, "\(run.stderr)")
        let written = try Data(contentsOf: Self.exported(out.appendingPathComponent("geojson"), "CMU-1-Small-Region.svs"))
        // The plain name is a link to the latest slide run's file.
        #expect(try Data(contentsOf: out.appendingPathComponent("geojson/CMU-1-Small-Region.svs.geojson")) == written)
        let export = try TesseraCLI.run(["export", "geojson", out.appendingPathComponent("results.sqlite").path,
                                         "--out", out.appendingPathComponent("exported").path])
        #expect(export.status == 0, "\(export.stderr)")
        #expect(try Data(contentsOf: Self.exported(out.appendingPathComponent("exported"), "CMU-1-Small-Region.svs")) == written)
        #expect(try Self.features(out.appendingPathComponent("geojson/CMU-1-Small-Region.svs.geojson")).count > 0)

        let refused = try TesseraCLI.run(["run", Self.slide.path, "--out", out.appendingPathComponent("bare").path,
                                          "--geojson", "--no-heatmaps"] + coarse)
        #expect(refused.status == 2 && refused.stderr.contains("heatmaps"))
    }

    /// Killed exports leave their temporaries; the next export into the folder removes those whose process is gone,
    /// and leaves a live process's and every other file (issue 28, item 5).
    @Test func anExportRemovesTheTemporariesOfKilledExports() throws {
        let (out, results) = try run()
        let geo = out.appendingPathComponent("geo-debris")
        try FileManager.default.createDirectory(at: geo, withIntermediateDirectories: true)
        let dead = ".CMU-1-Small-Region.svs.sr1.geojson.partial-999999-0A1B2C3D"
        let live = ".CMU-1-Small-Region.svs.sr1.geojson.partial-\(getpid())-0A1B2C3D"
        for name in [dead, live, "notes.txt"] {
            FileManager.default.createFile(atPath: geo.appendingPathComponent(name).path, contents: Data(repeating: 7, count: 4096))
        }
        let export = try TesseraCLI.run(["export", "geojson", results, "--out", geo.path, "--slide", "CMU-1-Small-Region.svs"])
        #expect(export.status == 0, "\(export.stderr)")
        let names = Set(try FileManager.default.contentsOfDirectory(atPath: geo.path))
        #expect(!names.contains(dead))
        #expect(names.contains(live) && names.contains("notes.txt"))
        #expect((try? Self.exported(geo, "CMU-1-Small-Region.svs")) != nil)
    }

    /// `tessera export qupath` simplifies outlines by default, compartments and detections (the nuclei) to within
    /// 0.5 µm (one model pixel), so that a whole slide's objects fit QuPath's heap (issue 25). The objects are the
    /// exact export's (same ids, same measurements: areas as traced), with fewer vertices, every traced vertex within
    /// the tolerance of the simplified outline; the file records the tolerances; `--simplify-um 0` is exact again.
    @Test func exportQuPathSimplifiesOutlinesByDefaultWithinTheStatedTolerance() throws {
        let (out, results) = try run()
        let slide = "CMU-1-Small-Region.svs"
        let exactFolder = out.appendingPathComponent("geo-exact-both")
        #expect(try TesseraCLI.run(["export", "geojson", results, "--out", exactFolder.path, "--objects", "both",
                                    "--slide", slide]).status == 0)
        var exact: [String: [String: Any]] = [:]
        for feature in try Self.features(Self.exported(exactFolder, slide)) { exact[feature["id"] as? String ?? ""] = feature }

        func project(_ name: String, _ options: [String]) throws -> (header: [String: Any], features: [[String: Any]]) {
            let directory = out.appendingPathComponent(name)
            let export = try TesseraCLI.run(["export", "qupath", results, "--project", directory.path, "--slide", slide] + options)
            #expect(export.status == 0, "\(export.stderr)")
            let objects = directory.appendingPathComponent("tessera")
            let folder = objects.appendingPathComponent(try #require(try FileManager.default.contentsOfDirectory(atPath: objects.path).first))
            let part = try Self.exported(folder, slide, suffix: ".part0001.geojson")
            let collection = try JSONSerialization.jsonObject(with: Data(contentsOf: part)) as? [String: Any] ?? [:]
            return (collection["tessera"] as? [String: Any] ?? [:], try Self.features(part))
        }
        let simplified = try project("qupath-default", [])
        #expect(simplified.header["simplify_um"] as? [String: Double] == ["annotations": 0.5, "detections": 0.5])
        #expect(Set(simplified.features.compactMap { $0["id"] as? String }) == Set(exact.keys))

        let pixelMicrons = 0.499 // CMU-1-Small-Region's level 0
        var vertices: [String: (simplified: Int, traced: Int)] = [:]
        var worst: [String: Double] = [:]
        for feature in simplified.features {
            let traced = try #require(exact[feature["id"] as? String ?? ""])
            let properties = feature["properties"] as? [String: Any] ?? [:]
            let text = { (object: Any?) in
                String(decoding: (try? JSONSerialization.data(withJSONObject: object ?? [:], options: [.sortedKeys])) ?? Data(), as: UTF8.self)
            }
            #expect(text(properties) == text(traced["properties"]))
            let type = properties["objectType"] as? String ?? ""
            let rings = Self.coordinates(feature), tracedRings = Self.coordinates(traced)
            let isQC = Self.className(feature).hasPrefix("Ignore*: ")
            let tolerance = type == "detection" || (type == "annotation" && !isQC) ? 0.5 : 0
            // Every traced vertex lies within the tolerance of the simplified outline (its nearest segment).
            var farthest = 0.0
            for point in tracedRings.flatMap({ $0 }) {
                var nearest = Double.infinity
                for ring in rings {
                    for (a, b) in zip(ring, ring.dropFirst()) {
                        nearest = min(nearest, PolygonSimplifier.segmentDistanceSquared(
                            SlidePoint(point[0], point[1]), SlidePoint(a[0], a[1]), SlidePoint(b[0], b[1])).squareRoot())
                    }
                }
                farthest = max(farthest, nearest)
            }
            #expect(farthest * pixelMicrons <= tolerance + 1e-9, "\(type) \(feature["id"] ?? "") lies \(farthest) px off")
            worst[type] = max(worst[type] ?? 0, farthest * pixelMicrons)
            let count = rings.reduce(0) { $0 + $1.count - 1 }, tracedCount = tracedRings.reduce(0) { $0 + $1.count - 1 }
            #expect(count <= tracedCount)
            vertices[type, default: (0, 0)].simplified += count
            vertices[type, default: (0, 0)].traced += tracedCount
            // The area moves by less than the tolerance times the outline's length.
            let perimeter = tracedRings.reduce(0.0) { total, ring in
                total + zip(ring, ring.dropFirst()).reduce(0.0) { $0 + hypot($1.1[0] - $1.0[0], $1.1[1] - $1.0[1]) }
            }
            #expect(abs(Self.area(rings) - Self.area(tracedRings)) <= perimeter * tolerance / pixelMicrons + 1e-6)
        }
        let annotations = try #require(vertices["annotation"]), detections = try #require(vertices["detection"])
        // This run's model pixel is 1 µm (--mpp 1), so 0.5 µm is half of one: about a fifth of the vertices go
        // (10,804 of 13,442 compartment vertices and 19,793 of 24,821 nucleus vertices kept); at the model's own
        // 0.5 µm, as on a default run, about two thirds do (BENCHMARKS.md, issue 25).
        #expect(annotations.simplified * 100 < annotations.traced * 85 && detections.simplified * 100 < detections.traced * 85,
                "annotations \(annotations), detections \(detections)")
        #expect(vertices["tile"].map { $0.simplified == $0.traced } == true)
        #expect(worst["annotation"]! > 0.25 && worst["detection"]! > 0.25)

        // Stated as 0: the outlines as traced, recorded so.
        let traced = try project("qupath-exact", ["--simplify-um", "0"])
        #expect(traced.header["simplify_um"] as? [String: Double] == ["annotations": 0, "detections": 0])
        for feature in traced.features {
            #expect(Self.coordinates(feature) == Self.coordinates(exact[feature["id"] as? String ?? ""] ?? [:]))
        }
    }
}
