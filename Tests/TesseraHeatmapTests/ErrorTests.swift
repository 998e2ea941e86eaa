import CTIFF
import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraHeatmap
#if canImport(Glibc)
import Glibc
#endif

@Suite struct ErrorTests {
    let small = HeatmapImage(width: 300, height: 20, channels: 1, filledWith: 7)
    let description = Patterns.description(.classes)

    @Test func missingDirectoryIsNamed() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-missing")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("not-there/x.classes.tif")
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.write(small, to: url, description: description, downsampling: .nearest)
        }
        #expect(error.kind == .outputDirectoryMissing)
        #expect(error.path == url.path)
        #expect(error.description.contains(directory.appendingPathComponent("not-there").path))
    }

    @Test func directoryThatIsAFileIsRefused() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-notdir")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("plain-file")
        try Data("x".utf8).write(to: file)
        let url = file.appendingPathComponent("x.classes.tif")
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.write(small, to: url, description: description, downsampling: .nearest)
        }
        #expect(error.kind == .outputDirectoryMissing)
        #expect(error.path == url.path)
    }

    @Test func unwritableDirectoryGivesCannotOpenNamingThePath() throws {
        // root ignores permission bits, so as root an unwritable place is /proc (files cannot be created there).
        let directory: URL
        var cleanup: (() -> Void)?
        if getuid() == 0 {
            #if os(Linux)
            directory = URL(fileURLWithPath: "/proc/self")
            #else
            return
            #endif
        } else {
            directory = try Fixtures.temporaryDirectory("heatmap-readonly")
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: directory.path)
            cleanup = {
                try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
                try? FileManager.default.removeItem(at: directory)
            }
        }
        defer { cleanup?() }
        let url = directory.appendingPathComponent("x.classes.tif")
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.write(small, to: url, description: description, downsampling: .nearest)
        }
        #expect(error.kind == .cannotOpen)
        #expect(error.path == url.path)
        #expect(error.description.contains(url.path))
        #expect(error.libraryMessages != nil) // libtiff's own words and the system error
        #expect(!FileManager.default.fileExists(atPath: url.path))
    }

    #if os(Linux)
    @Test func fullDiskFailsTheTileWriteAndLeavesNoFile() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-full")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("x.classes.tif")
        // After libtiff has written the header, point its descriptor at /dev/full: every later write() fails
        // with ENOSPC, exactly as on a full disk.
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.write(small, to: url, description: description, downsampling: .nearest,
                                    tileSize: 256, forceBigTIFF: false, afterOpen: { file in
                let full = open("/dev/full", O_WRONLY)
                precondition(full >= 0, "no /dev/full")
                dup2(full, TIFFFileno(file.tiff))
                close(full)
            })
        }
        #expect(error.kind == .writeFailed)
        #expect(error.path == url.path)
        #expect(error.context?.contains("level 0 tile at (0, 0)") == true)
        #expect(error.libraryMessages?.contains("No space left on device") == true)
        // Neither the final name nor the temporary file is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
    #endif

    @Test func tileSizeMustBeAMultipleOf16() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-tile")
        defer { try? FileManager.default.removeItem(at: directory) }
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.write(small, to: directory.appendingPathComponent("x.tif"), description: description,
                                    downsampling: .nearest, tileSize: 100)
        }
        #expect(error.kind == .invalidInput)
    }

    @Test func slideHeatmapsRejectClassValuesOutsideTheTable() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-invalid")
        defer { try? FileManager.default.removeItem(at: directory) }
        var classMap = HeatmapImage(width: 4, height: 4, channels: 1, filledWith: 1)
        classMap[2, 2, 0] = 3 // only classes 0, 1, 2 exist
        let probability = HeatmapImage(width: 4, height: 4, channels: 1, filledWith: 0)
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.writeSlideHeatmaps(classMap: classMap, probabilities: [probability, probability, probability],
                                                 colours: Patterns.colours, classNames: Patterns.classNames,
                                                 files: Patterns.files(in: directory, stem: "s.svs"), slideName: "s.svs", downsample: 8)
        }
        #expect(error.kind == .invalidInput)
        #expect(error.message.contains("value 3"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }

    @Test func aFailingFileRemovesTheRestOfTheSlideSet() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-set")
        defer { try? FileManager.default.removeItem(at: directory) }
        // A directory squatting on the last probability file's name: rename(2) cannot replace it.
        let blocker = directory.appendingPathComponent("s.svs.prob-stroma.tif")
        try FileManager.default.createDirectory(at: blocker, withIntermediateDirectories: false)
        let classMap = HeatmapImage(width: 40, height: 30, channels: 1, filledWith: 1)
        let probability = HeatmapImage(width: 40, height: 30, channels: 1, filledWith: 9)
        let error = try #require(throws: HeatmapError.self) {
            try HeatmapWriter.writeSlideHeatmaps(classMap: classMap, probabilities: [probability, probability, probability],
                                                 colours: Patterns.colours, classNames: Patterns.classNames,
                                                 files: Patterns.files(in: directory, stem: "s.svs"), slideName: "s.svs", downsample: 8)
        }
        #expect(error.kind == .cannotRename)
        #expect(error.path == blocker.path)
        // The four files written before were removed, and no partial file is left: only the blocker remains.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["s.svs.prob-stroma.tif"])
    }

    @Test func bigTIFFIsChosenAboveTwoGiBOfSamples() {
        // RGBA 30000 x 20000 = 2.4e9 bytes at level 0 alone; the gray map of the same size (0.8 GB with pyramid) fits.
        let levels = HeatmapWriter.pyramidLevelSizes(width: 30_000, height: 20_000, tileSize: 256)
        #expect(HeatmapWriter.needsBigTIFF(levels: levels, channels: 4))
        #expect(!HeatmapWriter.needsBigTIFF(levels: levels, channels: 1))
        // 1 channel, 47000 x 40000 = 1.88e9 at level 0 + 1/3 for the pyramid = 2.5e9 > 2^31.
        #expect(HeatmapWriter.needsBigTIFF(
            levels: HeatmapWriter.pyramidLevelSizes(width: 47_000, height: 40_000, tileSize: 256), channels: 1))
    }

    @Test func forcedBigTIFFIsReadable() throws {
        let directory = try Fixtures.temporaryDirectory("heatmap-big")
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("big.classes.tif")
        try HeatmapWriter.write(Patterns.classMap, to: url, description: description, downsampling: .majority,
                                forceBigTIFF: true)
        let file = try TIFFFile(path: url.path, mode: .read)
        #expect(file.isBigTIFF)
        #expect(file.directoryCount == 3)
        #expect(try file.readImage() == Patterns.classMap)
        // The BigTIFF magic: byte order mark, then version 43.
        let header = try Data(contentsOf: url).prefix(4)
        #expect(Array(header) == [0x49, 0x49, 43, 0])
    }
}
