import COpenSlide
import CTIFF
import Foundation
import Testing
import TesseraCore
import TesseraTestSupport
@testable import TesseraHeatmap

/// Writes one slide's heatmap set twice from the same rasters, as plain TIFF and as OME-TIFF, and checks that the
/// OME files read back with the same levels, values and provenance, plus what only OME-TIFF has: the SubIFD pyramid,
/// the OME-XML, the class map's palette and the overlay on white. tools/check_ome_tiff.py checks the same files
/// with tifffile, the OME XSD, vips and OpenSlide from outside.
@Suite(.serialized) final class OMEHeatmapTests {
    let directory: URL
    let plain: SlideHeatmapFiles
    let ome: SlideHeatmapFiles
    static let provenance = HeatmapProvenance(runUID: "run-uid-1", slideRunID: 7, slideFingerprint: "fp-1",
                                              modelSHA256: String(repeating: "ab", count: 32))

    static func files(in directory: URL, extension tif: String) -> SlideHeatmapFiles {
        let stem = directory.appendingPathComponent("pattern.svs").path
        return SlideHeatmapFiles(classMap: URL(fileURLWithPath: stem + ".classes" + tif),
                                 overlay: URL(fileURLWithPath: stem + ".overlay" + tif),
                                 probabilities: Patterns.classNames.map { URL(fileURLWithPath: stem + ".prob-\($0)" + tif) },
                                 modelClassMap: URL(fileURLWithPath: stem + ".model-classes" + tif))
    }

    init() throws {
        directory = try Fixtures.temporaryDirectory("heatmap-ome").appendingPathComponent("heatmaps")
        let probabilities = (0..<3).map { c in
            var map = Patterns.ramp
            for i in map.pixels.indices { map.pixels[i] = map.pixels[i] &+ UInt8(10 * c) }
            return map
        }
        let modelClassMap = Patterns.classMap.halved(using: .majority)
        let directory = directory
        func write(_ format: HeatmapFormat) throws -> SlideHeatmapFiles {
            try HeatmapWriter.writeSlideHeatmaps(
                classMap: Patterns.classMap, probabilities: probabilities, modelClassMap: (modelClassMap, 32),
                colours: Patterns.colours, classNames: Patterns.classNames,
                files: Self.files(in: directory, extension: format.fileExtension), slideName: "pattern.svs",
                downsample: 16, micronsPerPixelX: 0.5, micronsPerPixelY: 0.25, micronsPerPixelSource: "file",
                provenance: Self.provenance, format: format)
        }
        plain = try write(.tiff)
        ome = try write(.omeTIFF)
    }

    deinit { try? FileManager.default.removeItem(at: directory.deletingLastPathComponent()) }

    /// Every tile of every level of `url`.
    static func allTiles(_ reader: HeatmapFileReader) throws -> [HeatmapImage] {
        var tiles: [HeatmapImage] = []
        for (index, level) in try reader.levels().enumerated() {
            for row in 0..<((level.height + level.tileHeight - 1) / level.tileHeight) {
                for column in 0..<((level.width + level.tileWidth - 1) / level.tileWidth) {
                    tiles.append(try reader.readTile(level: index, column: column, row: row))
                }
            }
        }
        return tiles
    }

    @Test func everyMapButTheOverlayHoldsThePlainTIFFsValuesAtEveryLevel() throws {
        let pairs = [(plain.classMap, ome.classMap), (plain.modelClassMap!, ome.modelClassMap!)]
            + Array(zip(plain.probabilities, ome.probabilities))
        for (plainURL, omeURL) in pairs {
            let plainReader = try HeatmapFileReader(url: plainURL), omeReader = try HeatmapFileReader(url: omeURL)
            #expect(plainReader.format == .tiff)
            #expect(omeReader.format == .omeTIFF, "\(omeURL.lastPathComponent)")
            let levels = try omeReader.levels()
            #expect(levels == (try plainReader.levels()))
            #expect(levels.count >= 2, "\(omeURL.lastPathComponent) has a pyramid")
            #expect(try Self.allTiles(omeReader) == Self.allTiles(plainReader), "\(omeURL.lastPathComponent)")
            // Band reads (what the GeoJSON export traces) agree too.
            var a = [UInt8](repeating: 1, count: omeReader.bandHeight * omeReader.width)
            var b = a
            for band in 0..<omeReader.bandCount {
                try a.withUnsafeMutableBufferPointer { try omeReader.readBand(band, into: $0) }
                try b.withUnsafeMutableBufferPointer { try plainReader.readBand(band, into: $0) }
                #expect(a == b, "band \(band) of \(omeURL.lastPathComponent)")
            }
            // The provenance and description come back from the OME-XML's MapAnnotation.
            #expect(omeReader.metadata == plainReader.metadata)
            #expect(omeReader.metadata.runUID == "run-uid-1" && omeReader.metadata.slideRunID == 7)
            #expect(omeReader.metadata.slideFingerprint == "fp-1")
            #expect(omeReader.metadata.modelSHA256 == Self.provenance.modelSHA256)
            #expect(omeReader.metadata.classNames == Patterns.classNames)
        }
        #expect(try HeatmapFileReader(url: ome.modelClassMap!).metadata.downsample == 32)
        #expect(try HeatmapFileReader(url: ome.classMap).metadata.downsample == 16)
        #expect(try HeatmapFileReader(url: ome.probabilities[1]).metadata.className == "tumour")
    }

    @Test func levelsAreSubIFDsOfOneMainDirectory() throws {
        let file = try TIFFFile(path: ome.probabilities[0].path, mode: .read)
        #expect(file.directoryCount == 1)
        let offsets = file.subIFDOffsets()
        #expect(offsets.count == 2) // 1000x700 -> 500x350 -> 250x175
        for (index, offset) in offsets.enumerated() {
            try file.selectSubDirectory(offset: offset)
            let info = file.directoryInfo()
            #expect(info.subfileType == Int(FILETYPE_REDUCEDIMAGE))
            #expect(info.width == [500, 250][index] && info.height == [350, 175][index])
            #expect(info.tileWidth == 256 && info.predictor == Int(PREDICTOR_HORIZONTAL))
            // Each level keeps its own resolution tags: 8 µm x 2^level per pixel.
            #expect(info.xResolution == 1250 / Float(1 << (index + 1)))
        }
        // The plain TIFF keeps its levels in the main chain, for OpenSlide.
        let plainFile = try TIFFFile(path: plain.probabilities[0].path, mode: .read)
        #expect(plainFile.directoryCount == 3 && plainFile.subIFDOffsets().isEmpty)
    }

    @Test func omeXMLStatesSizesPhysicalSizesChannelsAndProvenance() throws {
        func description(_ url: URL) throws -> String {
            try #require(try TIFFFile(path: url.path, mode: .read).directoryInfo().imageDescription)
        }
        let classes = try description(ome.classMap)
        #expect(classes.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?><OME xmlns=\"http://www.openmicroscopy.org/Schemas/OME/2016-06\""))
        #expect(classes.contains("SizeX=\"1000\" SizeY=\"700\" SizeC=\"1\""))
        // 0.5 µm x 16 and 0.25 µm x 16 per heatmap pixel; the model map's downsample is 32.
        #expect(classes.contains("PhysicalSizeX=\"8.0\" PhysicalSizeY=\"4.0\""))
        #expect(try description(ome.modelClassMap!).contains("PhysicalSizeX=\"16.0\" PhysicalSizeY=\"8.0\""))
        #expect(classes.contains("<M K=\"run_uid\">run-uid-1</M><M K=\"slide_run_id\">7</M><M K=\"slide_fingerprint\">fp-1</M>"))
        #expect(classes.contains("<M K=\"class 1\">tumour</M>") && classes.contains("<M K=\"class 255\">no prediction</M>"))
        #expect(try description(ome.probabilities[2]).contains("<Channel ID=\"Channel:0:0\" Name=\"stroma\" SamplesPerPixel=\"1\"/>"))
        let overlay = try description(ome.overlay)
        #expect(overlay.contains("SizeC=\"3\"") && overlay.contains("Name=\"overlay\" SamplesPerPixel=\"3\""))
        // Only the class maps and probabilities' JSON quotes are escaped inside the XML: nothing raw.
        #expect(!classes.contains("{\"classes\""))
    }

    @Test func bigTIFFKeepsTheSubIFDPyramid() throws {
        // SubIFD offsets are 64-bit in BigTIFF: the same levels and values come back.
        let url = directory.appendingPathComponent("big.ome.tif")
        try HeatmapWriter.write(Patterns.ramp, to: url, description: Patterns.description(.probability(className: "tumour")),
                                downsampling: .average, forceBigTIFF: true, format: .omeTIFF)
        #expect(try TIFFFile(path: url.path, mode: .read).isBigTIFF)
        let reader = try HeatmapFileReader(url: url)
        #expect(reader.format == .omeTIFF)
        #expect(try reader.levels().map(\.width) == [1000, 500, 250])
        var expected = Patterns.ramp
        for level in 0..<3 {
            if level > 0 { expected = expected.halved(using: .average) }
            let tile = try reader.readTile(level: level, column: 0, row: 0)
            #expect(tile.pixel(x: 7, y: 5) == expected.pixel(x: 7, y: 5), "level \(level)")
            #expect(tile.pixel(x: 200, y: 100) == expected.pixel(x: 200, y: 100), "level \(level)")
        }
    }

    @Test func noPhysicalSizeWithoutAStatedResolution() {
        let description = HeatmapDescription(slideName: "a.svs", kind: .classes, downsample: 16, classNames: ["x"])
        let xml = description.omeXML(width: 10, height: 10, channels: 1)
        #expect(!xml.contains("PhysicalSize"))
        #expect(HeatmapDescription.jsonInOMEXML(xml) == description.imageDescription)
    }

    @Test func classMapsCarryAPaletteOfTheClassColoursAtEveryLevel() throws {
        for url in [ome.classMap, ome.modelClassMap!] {
            let file = try TIFFFile(path: url.path, mode: .read)
            var directories = [file.directoryInfo()]
            let palettes = [try #require(file.colourMap())]
            for offset in file.subIFDOffsets() {
                try file.selectSubDirectory(offset: offset)
                directories.append(file.directoryInfo())
                let palette = try #require(file.colourMap())
                #expect(palette.map { [$0.red, $0.green, $0.blue] } == palettes[0].map { [$0.red, $0.green, $0.blue] })
            }
            #expect(directories.allSatisfy { $0.photometric == Int(PHOTOMETRIC_PALETTE) && $0.samplesPerPixel == 1 })
            let palette = palettes[0]
            for (index, colour) in Patterns.colours.enumerated() {
                #expect([palette[index].red, palette[index].green, palette[index].blue] == [colour.red, colour.green, colour.blue])
            }
            #expect([palette[255].red, palette[255].green, palette[255].blue] == [255, 255, 255]) // no prediction
        }
        // The plain class map stays gray (its values are the class indices either way).
        #expect(try TIFFFile(path: plain.classMap.path, mode: .read).directoryInfo().photometric == Int(PHOTOMETRIC_MINISBLACK))
    }

    @Test func overlayIsRGBOnWhiteAndComesBackAsThePlainRGBA() throws {
        let reader = try HeatmapFileReader(url: ome.overlay), plainReader = try HeatmapFileReader(url: plain.overlay)
        #expect(reader.channels == 3 && plainReader.channels == 4)
        #expect(try reader.levels().map(\.width) == [1000, 500, 250])
        let tile = try reader.readTile(level: 0, column: 0, row: 0)
        // Class 1 (200, 30, 40) at alpha 160 over white: (200*160 + 255*95 + 127) / 255 = 220, 30 -> 114, 40 -> 120.
        #expect(Array(tile.pixel(x: 50, y: 0)) == [220, 114, 120])
        #expect(Array(tile.pixel(x: 0, y: 0)) == [255, 255, 255])      // background: white, not black
        let edge = try reader.readTile(level: 0, column: 3, row: 0)     // x 768..<1000; x >= 900 never predicted
        #expect(Array(edge.pixel(x: 950 - 768, y: 10)) == [255, 255, 255])
        // What `tessera serve` draws from it: the plain overlay's RGBA, each colour within 1 (rounding twice).
        for (column, row) in [(0, 0), (1, 1), (3, 2)] {
            let back = HeatmapWriter.overlayRGBA(fromRGBOnWhite: try reader.readTile(level: 0, column: column, row: row))
            let original = try plainReader.readTile(level: 0, column: column, row: row)
            #expect(back.width == original.width && back.height == original.height)
            let worst = zip(back.pixels, original.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "tile (\(column), \(row)): off by \(worst)")
            #expect(stride(from: 3, to: back.pixels.count, by: 4).allSatisfy { back.pixels[$0] == original.pixels[$0] })
        }
    }

    @Test func openSlideOpensTheOMEClassMapInTheClassColours() throws {
        // OpenSlide's generic-tiff reader sees level 0 only (it does not follow SubIFDs) and decodes the palette.
        let slide = try #require(openslide_open(ome.classMap.path), "OpenSlide did not recognise the OME class map")
        defer { openslide_close(slide) }
        #expect(openslide_get_error(slide) == nil)
        #expect(openslide_get_level_count(slide) == 1)
        var pixels = [UInt32](repeating: 0, count: 2)
        openslide_read_region(slide, &pixels, 49, 70, 0, 2, 1)
        #expect(pixels == [0xFFC8_1E28, 0xFF1E_A05A])   // (49, 70): class 1 (200, 30, 40); (50, 70): class 2
        openslide_read_region(slide, &pixels, 960, 0, 0, 1, 1)
        #expect(pixels[0] == 0xFFFF_FFFF)                 // no prediction: white
        #expect(openslide_get_error(slide) == nil)
    }
}
