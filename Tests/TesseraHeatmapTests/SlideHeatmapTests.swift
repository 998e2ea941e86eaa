import COpenSlide
import CTIFF
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraHeatmap

/// Writes a slide's full heatmap set and opens it with libtiff, OpenSlide (C API) and vips.
@Suite(.serialized) final class SlideHeatmapTests {
    let directory: URL
    let files: SlideHeatmapFiles

    /// Probabilities for class c: the ramp shifted by 10*c (mod 256), overwritten with 0 where nothing was predicted.
    static func probabilityValue(x: Int, y: Int, classIndex: Int) -> UInt8 {
        Patterns.classValue(x: x, y: y) == HeatmapWriter.noPrediction ? 0 : Patterns.rampValue(x: x, y: y) &+ UInt8(10 * classIndex)
    }

    init() throws {
        directory = try Fixtures.temporaryDirectory("heatmap-slide").appendingPathComponent("heatmaps")
        let probabilities = (0..<3).map { c in
            var map = Patterns.ramp
            for i in map.pixels.indices { map.pixels[i] = map.pixels[i] &+ UInt8(10 * c) }
            return map
        }
        files = try HeatmapWriter.writeSlideHeatmaps(
            classMap: Patterns.classMap, probabilities: probabilities, colours: Patterns.colours,
            classNames: Patterns.classNames, files: Patterns.files(in: directory, stem: "pattern.svs"), slideName: "pattern.svs",
            downsample: 16, micronsPerPixelX: 0.5, micronsPerPixelY: 0.25)
    }

    deinit { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }

    @Test func writesOneFilePerKindNamedAfterTheSlide() throws {
        #expect(files.classMap.lastPathComponent == "pattern.svs.classes.tif")
        #expect(files.overlay.lastPathComponent == "pattern.svs.overlay.tif")
        #expect(files.probabilities.map(\.lastPathComponent)
                == ["pattern.svs.prob-background.tif", "pattern.svs.prob-tumour.tif", "pattern.svs.prob-stroma.tif"])
        // Nothing else in the directory: the temporary files were renamed away.
        let listed = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(listed == files.all.map(\.lastPathComponent).sorted())
    }

    @Test func probabilitiesAreZeroWhereNothingWasPredicted() throws {
        let file = try TIFFFile(path: files.probabilities[1].path, mode: .read)
        #expect(file.directoryInfo().predictor == Int(PREDICTOR_HORIZONTAL))
        let level0 = try file.readImage()
        for (x, y) in [(0, 0), (49, 3), (120, 300), (899, 699), (900, 0), (999, 699)] {
            #expect(level0[x, y, 0] == Self.probabilityValue(x: x, y: y, classIndex: 1), "(\(x), \(y))")
        }
        // Level 1 averages 2x2 blocks of the ramp v, v+1, v+1, v+2 -> v+1 (blocks away from the mod-256 wrap).
        try file.selectDirectory(1)
        let level1 = try file.readImage()
        let blockAt10_20: Int = (20 + 40 + 1) + 10          // level-0 block at (20, 40): 60 61 61 62, +10
        let blockAt300_100: Int = (600 + 200 + 1) % 256 + 10 // level-0 block at (600, 200): 32 33 33 34, +10
        #expect(Int(level1[10, 20, 0]) == blockAt10_20)
        #expect(Int(level1[300, 100, 0]) == blockAt300_100)
        #expect(level1[460, 5, 0] == 0)
    }

    @Test func overlayOpensInOpenSlideWithLevelsAndPremultipliedPixels() throws {
        let slide = try #require(openslide_open(files.overlay.path), "OpenSlide did not recognise the overlay")
        defer { openslide_close(slide) }
        #expect(openslide_get_error(slide) == nil)
        #expect(String(cString: openslide_get_property_value(slide, OPENSLIDE_PROPERTY_NAME_VENDOR)) == "generic-tiff")
        #expect(openslide_get_level_count(slide) == 3)
        var width: Int64 = 0, height: Int64 = 0
        for (level, expected) in [(1000, 700), (500, 350), (250, 175)].enumerated() {
            openslide_get_level_dimensions(slide, Int32(level), &width, &height)
            #expect(width == Int64(expected.0) && height == Int64(expected.1), "level \(level)")
        }

        // OpenSlide returns premultiplied ARGB: class 1 (200, 30, 40) at alpha 160.
        let alpha = HeatmapWriter.defaultOverlayAlpha
        func argb(_ colour: ClassColour) -> UInt32 {
            UInt32(alpha) << 24 | UInt32(Patterns.premultiplied(colour.red, alpha: alpha)) << 16
                | UInt32(Patterns.premultiplied(colour.green, alpha: alpha)) << 8
                | UInt32(Patterns.premultiplied(colour.blue, alpha: alpha))
        }
        func read(_ x: Int64, _ y: Int64, level: Int32) -> UInt32 {
            var pixel: UInt32 = 0
            openslide_read_region(slide, &pixel, x, y, level, 1, 1)
            return pixel
        }
        #expect(argb(Patterns.colours[1]) == 0xA07D_1319) // (200*160+127)/255 = 125, 30 -> 19, 40 -> 25
        #expect(read(50, 0, level: 0) == argb(Patterns.colours[1]))
        #expect(read(50, 70, level: 0) == argb(Patterns.colours[2]))
        #expect(read(0, 0, level: 0) == 0)      // background: transparent
        #expect(read(950, 10, level: 0) == 0)   // no prediction: transparent
        // Level 1 (blocks uniform, see the read-back test): level-0 coordinates as OpenSlide takes them.
        #expect(read(100, 140, level: 1) == argb(Patterns.colours[1]))  // level-0 (100, 140): (2 + 2) % 3 = 1
        #expect(read(1800 / 2, 0, level: 1) == 0)                       // level-0 x 900: no prediction
        #expect(openslide_get_error(slide) == nil)
    }

    @Test func grayClassMapAlsoOpensInOpenSlide341() throws {
        // OpenSlide 3.4.1 decodes 1-sample 8-bit through TIFFRGBAImage: gray g becomes opaque (g, g, g).
        let slide = try #require(openslide_open(files.classMap.path))
        defer { openslide_close(slide) }
        #expect(openslide_get_error(slide) == nil)
        #expect(openslide_get_level_count(slide) == 3)
        var pixels = [UInt32](repeating: 0, count: 2)
        openslide_read_region(slide, &pixels, 49, 70, 0, 2, 1)
        #expect(pixels == [0xFF01_0101, 0xFF02_0202])   // (49, 70): class 1; (50, 70): class 2
        openslide_read_region(slide, &pixels, 960, 0, 0, 1, 1)
        #expect(pixels[0] == 0xFFFF_FFFF)                  // 255 = no prediction
    }

    @Test func resolutionTagsReachOpenSlideProperties() throws {
        let slide = try #require(openslide_open(files.classMap.path))
        defer { openslide_close(slide) }
        func property(_ name: String) -> String? { openslide_get_property_value(slide, name).map { String(cString: $0) } }
        // 0.5 µm * 16 = 8 µm per heatmap pixel -> 1250 px/cm; 0.25 µm * 16 = 4 µm -> 2500 px/cm.
        #expect(property("tiff.XResolution") == "1250")
        #expect(property("tiff.YResolution") == "2500")
        #expect(property("tiff.ResolutionUnit") == "centimeter")
        // OpenSlide 3.4.1's generic-tiff reader does not turn the resolution tags into openslide.mpp-x
        // (later releases do); when a newer OpenSlide is linked it must agree with the tags: 8 µm and 4 µm.
        if let mppX = property("openslide.mpp-x") {
            #expect(Double(mppX) == 8)
            #expect(property("openslide.mpp-y").flatMap(Double.init) == 4)
        }
        let comment = try #require(property("openslide.comment"))
        #expect(comment.contains("\"kind\":\"classes\"") && comment.contains("\"slide\":\"pattern.svs\""))
    }

    @Test func vipsReadsSizesPagesAndPixels() throws {
        guard let vips = ChildProcess.onPath("vips"), let vipsheader = ChildProcess.onPath("vipsheader") else {
            // libvips-tools is not installed here: only the libtiff and OpenSlide checks ran. CI installs it.
            if TestEnvironment.isCI { Issue.record("vips is not on PATH: install libvips-tools (.ci/run does)"); return }
            try Test.cancel("vips is not on PATH; skipped the vips checks")   // reported as skipped
        }
        #expect(try Tools.run(vips, ["--vips-version"]).hasPrefix("libvips"))
        #expect(try Tools.run(vipsheader, ["-f", "width", files.overlay.path]) == "1000")
        #expect(try Tools.run(vipsheader, ["-f", "height", files.overlay.path]) == "700")
        #expect(try Tools.run(vipsheader, ["-f", "bands", files.overlay.path]) == "4")
        #expect(try Tools.run(vipsheader, ["-f", "n-pages", files.overlay.path]) == "3")
        // vips keeps the resolution in pixels per millimetre: 1250 px/cm = 125 px/mm.
        #expect(try Tools.run(vipsheader, ["-f", "xres", files.overlay.path]).hasPrefix("125"))
        #expect(try Tools.run(vipsheader, ["-f", "width", files.classMap.path + "[page=2]"]) == "250")
        // vips returns the stored (unassociated) samples.
        #expect(try Tools.run(vips, ["getpoint", files.overlay.path, "50", "0"]) == "200 30 40 160")
        #expect(try Tools.run(vips, ["getpoint", files.classMap.path, "50", "70"]) == "2")
        #expect(try Tools.run(vips, ["getpoint", files.classMap.path + "[page=1]", "450", "0"]) == "255")
        #expect(try Tools.run(vips, ["getpoint", files.probabilities[2].path, "120", "300"])
                == String(Self.probabilityValue(x: 120, y: 300, classIndex: 2)))
    }
}

/// Running vips for the cross-checks.
enum Tools {
    /// Runs the tool and returns its standard output, trimmed.
    static func run(_ executable: URL, _ arguments: [String]) throws -> String {
        try ChildProcess.run(executable, arguments).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
