// Times HeatmapCanvas and HeatmapWriter.writeSlideHeatmaps at a realistic size, optimised.
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

var canvas = HeatmapCanvas(levelZeroWidth: levelZeroWidth, levelZeroHeight: levelZeroHeight,
                           downsample: downsample, classCount: classNames.count)
var tiles = 0
let paintTime = seconds {
    for ty in stride(from: 0, to: levelZeroHeight, by: tile) {
        for tx in stride(from: 0, to: levelZeroWidth, by: tile) {
            // Tissue in an ellipse; probabilities vary smoothly so compression sees realistic structure.
            let u = Double(tx) / Double(levelZeroWidth) - 0.5, v = Double(ty) / Double(levelZeroHeight) - 0.5
            if u * u + v * v > 0.2 { continue }
            let t = Float((sin(Double(tx) / 9000) + 1) / 2), s = Float((cos(Double(ty) / 7000) + 1) / 2)
            let tumour = t * s, stroma = (1 - tumour) * 0.7
            canvas.paint(region: PixelRect(x: tx, y: ty, width: tile, height: tile),
                         probabilities: [1 - tumour - stroma, tumour, stroma])
            tiles += 1
        }
    }
}
var classMap = HeatmapImage(width: 1, height: 1, channels: 1, filledWith: 0)
var probabilities: [HeatmapImage] = []
let mapTime = seconds {
    classMap = canvas.classMap()
    probabilities = canvas.probabilityMaps()
}
let directory = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("heatmap-bench-\(getpid())")
var files: SlideHeatmapFiles?
let writeTime = try seconds {
    files = try HeatmapWriter.writeSlideHeatmaps(
        classMap: classMap, probabilities: probabilities, colours: [(0, 0, 0), (200, 30, 40), (30, 160, 90)],
        classNames: classNames, directory: directory, slideFileName: "bench.svs", downsample: downsample,
        micronsPerPixelX: 0.25, micronsPerPixelY: 0.25)
}
print("slide \(levelZeroWidth)x\(levelZeroHeight) d=\(downsample): heatmap \(canvas.width)x\(canvas.height), \(tiles) tiles painted")
print(String(format: "paint %.2f s, maps %.2f s, write 5 files %.2f s", paintTime, mapTime, writeTime))
for url in files!.all {
    let size = (try FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
    print(String(format: "  %@ %.3f MB", url.lastPathComponent, Double(size) / 1e6))
}
try? FileManager.default.removeItem(at: directory)
