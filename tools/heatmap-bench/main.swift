// Times HeatmapWriter.writeSlideHeatmaps at a realistic size, optimised.
// Build and run with tools/heatmap-bench/run.sh (compiles the module's sources directly with swiftc -O).
import Foundation

let arguments = CommandLine.arguments
let levelZeroWidth = arguments.count > 1 ? Int(arguments[1])! : 100_000
let levelZeroHeight = arguments.count > 2 ? Int(arguments[2])! : 80_000
let downsample = arguments.count > 3 ? Double(arguments[3])! : 16
let tile = 224
let classNames = ["background", "tumour", "stroma"]

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

// Class and probability maps as the run's stitcher leaves them: tissue in an ellipse, probabilities varying smoothly
// so compression sees realistic structure, 255 / 0 (no prediction) outside.
let heatmapWidth = Int((Double(levelZeroWidth) / downsample).rounded(.up))
let heatmapHeight = Int((Double(levelZeroHeight) / downsample).rounded(.up))
var classPixels = [UInt8](repeating: 255, count: heatmapWidth * heatmapHeight)
var probabilityPixels = [[UInt8]](repeating: [UInt8](repeating: 0, count: heatmapWidth * heatmapHeight), count: 3)
var tissuePixels = 0
let mapTime = seconds {
    for y in 0..<heatmapHeight {
        for x in 0..<heatmapWidth {
            let level0X = (Double(x) + 0.5) * downsample, level0Y = (Double(y) + 0.5) * downsample
            let u = level0X / Double(levelZeroWidth) - 0.5, v = level0Y / Double(levelZeroHeight) - 0.5
            if u * u + v * v > 0.2 { continue }
            let t = (sin(level0X / 9000) + 1) / 2, s = (cos(level0Y / 7000) + 1) / 2
            let tumour = t * s, stroma = (1 - tumour) * 0.7
            let p = [1 - tumour - stroma, tumour, stroma]
            let index = y * heatmapWidth + x
            for c in 0..<3 { probabilityPixels[c][index] = UInt8((p[c] * 255).rounded()) }
            classPixels[index] = UInt8(p.indices.max { p[$0] < p[$1] }!)
            tissuePixels += 1
        }
    }
}
let classMap = HeatmapImage(width: heatmapWidth, height: heatmapHeight, channels: 1, pixels: classPixels)
let probabilities = probabilityPixels.map { HeatmapImage(width: heatmapWidth, height: heatmapHeight, channels: 1, pixels: $0) }
let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("heatmap-bench-\(getpid())")
var files: SlideHeatmapFiles?
let writeTime = try seconds {
    files = try HeatmapWriter.writeSlideHeatmaps(
        classMap: classMap, probabilities: probabilities, colours: [(0, 0, 0), (200, 30, 40), (30, 160, 90)],
        classNames: classNames, directory: directory, slideFileName: "bench.svs", downsample: downsample,
        micronsPerPixelX: 0.25, micronsPerPixelY: 0.25)
}
print("slide \(levelZeroWidth)x\(levelZeroHeight) d=\(downsample): heatmap \(heatmapWidth)x\(heatmapHeight), \(tissuePixels) tissue pixels")
print(String(format: "maps %.2f s, write 5 files %.2f s", mapTime, writeTime))
for url in files!.all {
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    print(String(format: "  %@ %.3f MB", url.lastPathComponent, Double(size) / 1e6))
}
try? FileManager.default.removeItem(at: directory)
