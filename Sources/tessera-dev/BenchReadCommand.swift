import ArgumentParser
import Foundation
import TesseraDevSupport
import TesseraSlide

/// `tessera-dev bench-read SLIDE`: tools/bench/bench_read.py runs it next to openslide-python.
struct BenchReadCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-read",
        abstract: "Time level-0 tile reads from one slide handle (for tools/bench/bench_read.py).")

    @Argument(help: "The slide file.")
    var slide: String

    @Option(help: "Reader threads sharing the handle.")
    var threads: Int = 1

    @Option(help: "Tiles to read.")
    var tiles: Int = 200

    @Option(help: "Tile edge in pixels.")
    var size: Int = 512

    @Option(help: "Read level-0 windows this many times the tile size, resampled to the tile size (1: no resampling).")
    var windowScale: Double = 1

    @Option(help: "Level-0 reader: 'default' (Aperio and generic TIFF JPEG tiles decoded directly) or 'openslide'.")
    var reader: String = "default"

    func validate() throws {
        guard threads > 0, tiles > 0, size > 0 else { throw ValidationError("--threads, --tiles, --size must be > 0") }
        guard ["default", "openslide"].contains(reader) else { throw ValidationError("--reader: default or openslide") }
    }

    func run() throws {
        do {
            let handle = try Slide(contentsOf: URL(fileURLWithPath: slide), directTileDecoding: reader == "default")
            let result = try ReadBenchmark.run(slide: handle, threads: threads, tiles: tiles, tileSize: size,
                                                 windowScale: windowScale)
            print(String(format: "tessera threads=%d tiles=%d size=%d seconds=%.4f tiles_per_second=%.2f "
                + "cpu_seconds=%.4f tiles_per_cpu_second=%.2f checksum=%llu",
                         result.threads, result.tiles, result.tileSize, result.seconds, result.tilesPerSecond,
                         result.cpuSeconds, result.tilesPerCPUSecond, result.checksum) + " reader=\(handle.level0Reader)")
        } catch let error as SlideError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
