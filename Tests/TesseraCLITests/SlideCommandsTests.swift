import Foundation
import Testing
import TesseraTestSupport

/// Runs the built `tessera` binary; returns exit status, stdout, stderr.
private func runTessera(_ arguments: [String]) throws -> (status: Int32, output: String, error: String) {
    let result = try TesseraCLI.run(arguments)
    return (result.status, result.stdout, result.stderr)
}

@Suite struct InspectCommandTests {
    @Test func jsonDescribesTheSlide() throws {
        let result = try runTessera(["inspect", "--json", Fixtures.slide("CMU-1-Small-Region.svs").path])
        #expect(result.status == 0)
        let slides = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [[String: Any]])
        let slide = try #require(slides.first)
        #expect(slide["vendor"] as? String == "aperio")
        #expect(slide["quickhash"] as? String == "6335ea0e6cc54c2cba64bb265d3c713a50cd84484924e3a9c109558c13521d5c")
        let levels = try #require(slide["levels"] as? [[String: Any]])
        #expect(levels.count == 1 && levels[0]["width"] as? Int == 2220 && levels[0]["height"] as? Int == 2967)
        let mpp = try #require(slide["micronsPerPixel"] as? [String: Double])
        #expect(mpp["x"] == 0.499)
        let associated = try #require(slide["associatedImages"] as? [String: [String: Int]])
        #expect(associated["label"] == ["width": 387, "height": 463])
        #expect((slide["properties"] as? [String: String])?["aperio.AppMag"] == "20")
    }

    @Test func textListsLevelsAndFailsOnBadSlides() throws {
        let result = try runTessera(["inspect", Fixtures.slide("boxes.tiff").path,
                                     Fixtures.invalidSlide("unopenable.tiff").path])
        #expect(result.status == 1)
        #expect(result.output.contains("level 3: 37 x 31"))
        #expect(result.output.contains("resolution: not in the file"))
        #expect(result.error.contains("unopenable.tiff"))
        #expect(result.error.contains("Unsupported TIFF compression: 52479"))
    }
}

@Suite struct PlanCommandTests {
    @Test func planReportsTilesAndWritesAPreview() throws {
        let directory = try Fixtures.temporaryDirectory("plan")
        let preview = directory.appendingPathComponent("grid.png")
        let mask = directory.appendingPathComponent("mask.png")
        let result = try runTessera(["plan", Fixtures.slide("CMU-1-Small-Region.svs").path, "--mpp", "0.5",
                                     "--tile", "512", "--overlap", "64", "--json", "--preview", preview.path,
                                     "--mask", mask.path])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        let plan = try #require(report["plan"] as? [String: Any])
        let grid = try #require(plan["grid"] as? [String: Any])
        #expect(grid["columns"] as? Int == 5 && grid["rows"] as? Int == 7)
        let tiles = try #require(plan["tiles"] as? [[String: Any]])
        #expect(tiles.count + (plan["skippedCount"] as? Int ?? -1) == 35)
        // Tile (2, 3): own window at target (896, 1344) 448 px -> level-0 x = round(896 * 0.5 / 0.499).
        let centre = try #require(tiles.first { $0["column"] as? Int == 2 && $0["row"] as? Int == 3 })
        let own = try #require(centre["ownWindow"] as? [String: Int])
        #expect(own == ["x": 898, "y": 1347, "width": 449, "height": 449])
        #expect((report["resolution"] as? [String: Any])?["source"] as? String == "file")
        let png = try Data(contentsOf: preview)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // The mask is 8 µm/px: 2220 x 2967 px at 0.499 µm/px -> ceil(2220 / 16.03) x ceil(2967 / 16.03).
        let maskPNG = [UInt8](try Data(contentsOf: mask))
        let width = maskPNG[16..<20].reduce(0) { $0 << 8 | Int($1) }, height = maskPNG[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 139 && height == 186)
        #expect(maskPNG[25] == 0)  // colour type 0: gray
    }

    @Test func slideWithoutResolutionNeedsSlideMPP() throws {
        let path = Fixtures.slide("boxes.tiff").path
        let refused = try runTessera(["plan", path])
        #expect(refused.status == 1)
        #expect(refused.error.contains("boxes.tiff") && refused.error.contains("--slide-mpp"))
        let stated = try runTessera(["plan", path, "--slide-mpp", "0.25", "--mpp", "0.5", "--tile", "64",
                                     "--overlap", "0"])
        #expect(stated.status == 0)
        #expect(stated.output.contains("stated with --slide-mpp"))
        // 300 x 250 level-0 px at 0.25 µm/px is 150 x 125 at 0.5: 3 x 2 tiles of 64.
        #expect(stated.output.contains("grid: 3 x 2 = 6 tiles"))
    }
}
