import Foundation
@testable import TesseraHeatmap

/// Synthetic heatmaps with values known in closed form, shared by the tests.
enum Patterns {
    static let width = 1000, height = 700
    static let classNames = ["background", "tumour", "stroma"]
    static let colours: [ClassColour] = [(0, 0, 0), (200, 30, 40), (30, 160, 90)]

    /// Stripes 50 wide and 70 high cycling through the 3 classes; x >= 900 never predicted (255).
    static func classValue(x: Int, y: Int) -> UInt8 {
        x >= 900 ? HeatmapWriter.noPrediction : UInt8((x / 50 + y / 70) % 3)
    }

    static var classMap: HeatmapImage {
        var image = HeatmapImage(width: width, height: height, channels: 1, filledWith: 0)
        for y in 0..<height { for x in 0..<width { image[x, y, 0] = classValue(x: x, y: y) } }
        return image
    }

    /// A diagonal ramp: (x + y) mod 256.
    static func rampValue(x: Int, y: Int) -> UInt8 { UInt8((x + y) % 256) }

    static var ramp: HeatmapImage {
        var image = HeatmapImage(width: width, height: height, channels: 1, filledWith: 0)
        for y in 0..<height { for x in 0..<width { image[x, y, 0] = rampValue(x: x, y: y) } }
        return image
    }

    static func description(_ kind: HeatmapKind) -> HeatmapDescription {
        HeatmapDescription(slideName: "pattern.svs", kind: kind, downsample: 16,
                           micronsPerPixelX: 0.5, micronsPerPixelY: 0.25, classNames: classNames)
    }

    /// OpenSlide (through libtiff's TIFFRGBAImage) premultiplies unassociated alpha this way.
    static func premultiplied(_ value: UInt8, alpha: UInt8) -> UInt8 { UInt8((Int(value) * Int(alpha) + 127) / 255) }

    /// A slide's heatmap files named as a run names them (`<stem>.classes.tif`, ...; TesseraStore's OutputLayout does
    /// it for runs, with the slide run in the stem).
    static func files(in directory: URL, stem: String) -> SlideHeatmapFiles {
        SlideHeatmapFiles(classMap: directory.appendingPathComponent(stem + ".classes.tif"),
                          overlay: directory.appendingPathComponent(stem + ".overlay.tif"),
                          probabilities: classNames.map { directory.appendingPathComponent(stem + ".prob-\($0).tif") })
    }
}
