import Foundation
import Testing
@testable import TesseraExport

/// Compartments drawn with their nuclei inside (issue 25): which holes of a traced region are filled, and the class
/// map a run recorded from its model's metadata under what export states.
@Suite struct EnclosedHoleTests {
    /// Stroma (2) around: a one-pixel nucleus (1), a 2x2 nucleus, a background (0) pocket, two nuclei touching at a
    /// corner (two holes that touch at that point, as the tracer writes them), a nucleus with a background pixel
    /// inside it, and a nucleus beside a background pixel in one hole.
    static let map = [
        "22222222222222222222",
        "21222112220222122222",
        "22222112222222212222",
        "22222222222222222222",
        "22111222222222222222",
        "22101222210222222222",
        "22111222222222222222",
        "22222222222222222222",
    ]

    /// Every region of nuclei (1) and stroma (2), traced as the exporter does: the nuclei first.
    static func stroma(filling: Bool) throws -> (region: TracedRegion, filled: Int) {
        var filler = EnclosedHoleFiller(enclosedClasses: filling ? [1] : [])
        var result: (TracedRegion, Int)?
        for region in try trace(map, classes: [1, 2]) {
            filler.note(region)
            if region.classValue == 2 { result = filler.filled(region) }
        }
        return try #require(result)
    }

    @Test func holesThatAreExactlyOneNucleusAreFilledOthersStay() throws {
        let (traced, none) = try Self.stroma(filling: false)
        #expect(none == 0)
        // Holes: 1x1 nucleus, 2x2 nucleus, background pixel, the corner-touching pair (one hole each), the ringed
        // nucleus, and the nucleus next to background.
        #expect(traced.holes.count == 7)
        let (region, filled) = try Self.stroma(filling: true)
        // Filled: the 1x1 and 2x2 nuclei and each of the pair. Kept: the background pixel, the nucleus with a hole
        // of its own (the hole holds background too), and the nucleus beside background (the hole is larger).
        #expect(filled == 4)
        #expect(region.holes.count == 3)
        let keptAreas = region.holes.map { -$0.doubleSignedArea / 2 }.sorted()
        #expect(keptAreas == [1, 2, 9])
        // The region's own pixels are unchanged: its class's area as the tile table counts it.
        #expect(region.pixelCount == traced.pixelCount)
        #expect(region.pixelCount == Int64(Self.map.joined().filter { $0 == "2" }.count))
        // The outline's area is the stroma's plus the nuclei filled in (1 + 4 + 1 + 1 pixels).
        let outline = (region.shell.doubleSignedArea + region.holes.reduce(0) { $0 + $1.doubleSignedArea }) / 2
        #expect(outline == region.pixelCount + 7)
    }

    @Test func aNucleusThatIsNoHoleFillsNothing() throws {
        // The nucleus on the map's edge is no hole of the stroma; the one inside it is.
        var filler = EnclosedHoleFiller(enclosedClasses: [1])
        var filled: [Int] = []
        for region in try trace(["1222", "2212", "2222"], classes: [1, 2]) {
            filler.note(region)
            if region.classValue == 2 { filled.append(filler.filled(region).filledHoles) }
        }
        #expect(filled == [1])
    }

    @Test func theRunsRecordedModelMetadataIsTheDefaultAndExportOptionsOverrideIt() {
        let parameters = #"{"targetMPP":0.5,"qupath":{"objectTypes":{"nuclei":"annotation","tumour":"detection","x":"tile"},"classes":{"tumour":"Tumor","nuclei":"Nuclei"}}}"#
        let recorded = QuPathClassMap.recorded(inRunParameters: parameters)
        // A tile is not a region's type: left out.
        #expect(recorded.objectTypes == ["nuclei": .annotation, "tumour": .detection])
        #expect(recorded.qupathClasses == ["tumour": "Tumor", "nuclei": "Nuclei"])
        #expect(QuPathClassMap.recorded(inRunParameters: #"{"targetMPP":0.5}"#) == QuPathClassMap())
        #expect(QuPathClassMap.recorded(inRunParameters: "not json") == QuPathClassMap())

        let stated = QuPathClassMap(objectTypes: ["nuclei": .detection], qupathClasses: ["stroma": "Stroma"])
        let merged = stated.overriding(recorded)
        #expect(merged.objectTypes == ["nuclei": .detection, "tumour": .detection])
        #expect(merged.qupathClasses == ["tumour": "Tumor", "nuclei": "Nuclei", "stroma": "Stroma"])
        #expect(merged.objectType(of: "eosin-stroma") == .annotation)
    }
}
