import Foundation
import Testing
import TesseraCore
import TesseraStore
import TesseraTestSupport
@testable import TesseraExport

/// How a run's classes become QuPath objects and classes, QuPath's frame for slides with OpenSlide bounds, and the
/// project files (whose reading by QuPath's own DefaultProject scripts/check-qupath-reader checks).
@Suite struct QuPathMappingTests {
    @Test func objectTypeDefaultsToDetectionForCellScaleClassesAndCanBeStated() {
        let map = QuPathClassMap()
        #expect(map.objectType(of: "nuclei") == .detection)
        #expect(map.objectType(of: "Immune cells") == .detection)
        #expect(map.objectType(of: "lymphocyte") == .detection)
        #expect(map.objectType(of: "mitoses") == .detection)
        #expect(map.objectType(of: "eosin-stroma") == .annotation)
        #expect(map.objectType(of: "tumour") == .annotation)
        #expect(map.objectType(of: "background") == .annotation)
        let stated = QuPathClassMap(objectTypes: ["tumour": .detection, "nuclei": .annotation])
        #expect(stated.objectType(of: "tumour") == .detection)
        #expect(stated.objectType(of: "nuclei") == .annotation)
    }

    @Test func classesMeaningAStandardClassTakeItsNameAndColour() {
        let map = QuPathClassMap()
        func mapped(_ name: String, _ colour: String = "#3b4cc0") -> (String, [UInt8]) {
            let c = map.classification(of: ClassInfo(index: 0, name: name, colour: colour))
            return (c.name, [c.colour.0, c.colour.1, c.colour.2])
        }
        #expect(mapped("tumour") == ("Tumor", [200, 0, 0]))
        #expect(mapped("Stroma") == ("Stroma", [150, 200, 150]))
        #expect(mapped("lymphocytes") == ("Immune cells", [160, 90, 160]))
        #expect(mapped("necrosis") == ("Necrosis", [50, 50, 50]))
        #expect(mapped("background") == ("Ignore*", [180, 180, 180]))
        // No standard meaning: the model's own name and colour.
        #expect(mapped("nuclei") == ("nuclei", [59, 76, 192]))
        #expect(mapped("eosin-stroma", "#f08cb4") == ("eosin-stroma", [240, 140, 180]))
        // Stated: a standard class takes QuPath's colour, any other name keeps the model's.
        let stated = QuPathClassMap(qupathClasses: ["eosin-stroma": "Stroma", "nuclei": "Nucleus"])
        let stroma = stated.classification(of: ClassInfo(index: 2, name: "eosin-stroma", colour: "#f08cb4"))
        #expect(stroma.name == "Stroma" && [stroma.colour.0, stroma.colour.1, stroma.colour.2] == [150, 200, 150])
        let nucleus = stated.classification(of: ClassInfo(index: 1, name: "nuclei", colour: "#3b4cc0"))
        #expect(nucleus.name == "Nucleus" && [nucleus.colour.0, nucleus.colour.1, nucleus.colour.2] == [59, 76, 192])
    }

    @Test func measurementsNeverTakeTheNameOfQuPathsLiveOnes() {
        let names = [QuPathMeasurement.area, QuPathMeasurement.meanProbability, QuPathMeasurement.regions,
                     QuPathMeasurement.tissueFraction, QuPathMeasurement.fraction("nuclei"),
                     QuPathMeasurement.meanProbability("nuclei")]
        #expect(names.allSatisfy { $0.hasPrefix("Tessera: ") })
        #expect(!names.contains("Area µm^2"))
        #expect(QuPathMeasurement.area == "Tessera: area µm^2")
    }

    @Test func classPairsParseAndRejectItemsWithoutAValue() throws {
        let pairs = try QuPathClassMap.pairs(["nuclei=detection", " eosin-stroma = annotation "]).get()
        #expect(pairs.map(\.0) == ["nuclei", "eosin-stroma"] && pairs.map(\.1) == ["detection", "annotation"])
        #expect(throws: QuPathClassMap.ParseFailure.self) { try QuPathClassMap.pairs(["nuclei"]).get() }
        #expect(throws: QuPathClassMap.ParseFailure.self) { try QuPathClassMap.pairs(["nuclei="]).get() }
    }

    @Test func framesFollowOpenslideImageServersRule() {
        // All four bounds: shifted and cropped, as QuPath's OpenSlide server does.
        let leica = QuPathFrame(openSlideProperties: ["openslide.bounds-x": "128", "openslide.bounds-y": "96",
                                                      "openslide.bounds-width": "512", "openslide.bounds-height": "384"])
        #expect(leica == QuPathFrame(offsetX: 128, offsetY: 96, width: 512, height: 384, source: .openslideBounds))
        #expect(leica.imageRect(slideWidth: 1024, slideHeight: 768) == PixelRect(x: 128, y: 96, width: 512, height: 384))
        #expect(leica.json == #""qupath_frame":{"offset":[128,96],"source":"openslide-bounds"}"#)
        // Some bounds missing or not whole numbers: QuPath does not crop.
        let partial = QuPathFrame(openSlideProperties: ["openslide.bounds-x": "128", "openslide.bounds-y": "96"])
        #expect(partial == QuPathFrame(source: .noBounds))
        let bad = QuPathFrame(openSlideProperties: ["openslide.bounds-x": "1.5", "openslide.bounds-y": "96",
                                                    "openslide.bounds-width": "512", "openslide.bounds-height": "384"])
        #expect(bad.source == .noBounds)
        #expect(bad.imageRect(slideWidth: 1024, slideHeight: 768) == PixelRect(x: 0, y: 0, width: 1024, height: 768))
        // The fixture slides: Aperio states no bounds; the Leica fixture states (128, 96, 512, 384).
        #expect(GeoJSONExporter.qupathFrame(slidePath: Fixtures.slide("CMU-1-Small-Region.svs").path).source == .noBounds)
        #expect(GeoJSONExporter.qupathFrame(slidePath: Fixtures.slide("bounds-leica.scn").path) == leica)
        #expect(GeoJSONExporter.qupathFrame(slidePath: "/nonexistent/slide.svs").source == .slideUnreadable)
    }

    @Test func polygonCoordinatesAreShiftedIntoTheFrame() {
        let ring = SlideRing(points: [SlidePoint(130, 100), SlidePoint(140, 100), SlidePoint(140, 110)], fixed: [false, false, false])
        let polygon = SlidePolygon(shell: ring, holes: [])
        let frame = QuPathFrame(offsetX: 128, offsetY: 96, width: 512, height: 384, source: .openslideBounds)
        #expect(QuPathFeature.polygonCoordinates(polygon, frame: frame) == "[[[2,4],[12,4],[12,14],[2,4]]]")
    }

    @Test func partsAreNamedBesideTheOneFileAndEachIsAWholeCollection() throws {
        let url = URL(fileURLWithPath: "/out/a.svs.sr3.geojson")
        #expect(GeoJSONExporter.partURL(url, part: 0, of: nil) == url)
        #expect(GeoJSONExporter.partURL(url, part: 0, of: 10).lastPathComponent == "a.svs.sr3.part0001.geojson")
        #expect(GeoJSONExporter.partURL(URL(fileURLWithPath: "/out/a.svs.sr3.geojson.gz"), part: 11, of: 10)
                    .lastPathComponent == "a.svs.sr3.part0012.geojson.gz")

        // Five features, two a file: three FeatureCollections, each with the header, all written at the end.
        let directory = try Fixtures.temporaryDirectory("feature-parts")
        var stream = try FeatureStream(header: #"{"type":"FeatureCollection","features":["#, limit: 2) { part in
            try AtomicOutputFile(path: directory.appendingPathComponent("p\(part).geojson").path, gzip: false)
        }
        for n in 0..<5 { try stream.add(#"{"n":\#(n)}"#) }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.isEmpty)
        let files = try stream.finish().map(\.finalPath)
        #expect(files.map { URL(fileURLWithPath: $0).lastPathComponent } == ["p0.geojson", "p1.geojson", "p2.geojson"])
        let counts = try files.map { file -> [Int] in
            let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any]
            return (object?["features"] as? [[String: Int]] ?? []).compactMap { $0["n"] }
        }
        #expect(counts == [[0, 1], [2, 3], [4]])
    }

    @Test func projectFilesHaveTheFieldsDefaultProjectReads() throws {
        let directory = URL(fileURLWithPath: "/data/my project", isDirectory: true)
        let text = QuPathProject.projectJSON(
            directory: directory,
            images: [QuPathProject.Image(slidePath: "/slides/a b.svs", name: "a b.svs", geojson: "tessera/a b.svs.sr1",
                                         metadata: [("tessera.run_uid", "r1")])],
            milliseconds: 1_700_000_000_000)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["version"] as? String == "0.5.1")
        #expect(object["createTimestamp"] as? Int64 == 1_700_000_000_000 && object["lastID"] as? Int == 1)
        #expect(object["uri"] as? String == "file:/data/my%20project/project.qpproj")
        let image = try #require((object["images"] as? [[String: Any]])?.first)
        #expect(image["entryID"] as? Int == 1 && image["imageName"] as? String == "a b.svs")
        #expect(UUID(uuidString: image["randomizedName"] as? String ?? "") != nil)
        let builder = try #require(image["serverBuilder"] as? [String: Any])
        #expect(builder["builderType"] as? String == "uri")
        #expect(builder["providerClassName"] as? String == "qupath.lib.images.servers.openslide.OpenslideServerBuilder")
        #expect(builder["uri"] as? String == "file:/slides/a%20b.svs" && (builder["args"] as? [String]) == [])
        #expect(image["metadata"] as? [String: String] == ["tessera.geojson": "tessera/a b.svs.sr1", "tessera.run_uid": "r1"])

        // classes.json: QuPath's packed colours (ColorTools.packRGB: alpha 255, signed 32-bit).
        let classes = QuPathProject.classesJSON([.init(name: "Tumor", colour: (200, 0, 0)), .init(name: "nuclei", colour: (59, 76, 192))])
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(classes.utf8)) as? [String: [[String: Any]]])
        #expect(parsed["pathClasses"]?.map { $0["name"] as? String } == ["Tumor", "nuclei"])
        #expect(parsed["pathClasses"]?.map { $0["color"] as? Int } == [-3670016, -12890944])
    }

    @Test func aProjectIsNeverWrittenOverAnother() throws {
        let directory = try Fixtures.temporaryDirectory("qupath-project")
        try QuPathProject.write(into: directory, images: [], classes: [])
        for file in ["project.qpproj", "classifiers/classes.json", "scripts/Import Tessera objects.groovy"] {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent(file).path), "\(file)")
        }
        #expect(throws: ExportError.self) { try QuPathProject.write(into: directory, images: [], classes: []) }
    }
}
