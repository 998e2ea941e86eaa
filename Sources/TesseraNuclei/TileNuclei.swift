import TesseraCore
import TesseraStain

/// The nuclei of one tile of the network's output: instances from the nucleus class's probability plane, their
/// outlines redrawn from the tile's haematoxylin (`NucleusSegmenter`, `ForegroundRefinement`), measured (`NucleusMeasurement`), placed on the slide and kept only where the tile answers for
/// them.
///
/// A nucleus is counted by the tile whose own window holds its centroid: own windows tile the slide without
/// overlapping, which is the rule the stitcher uses for class areas, so a nucleus seen whole in two overlapping
/// tiles is counted once, and the count does not depend on where the grid falls. The overlap (32 model pixels a
/// side by default, 16 µm at 0.5 µm/px) holds any nucleus whose centroid lies in the own window whole, so its
/// outline and measurements are not cut by the tile's edge.
public struct TileNuclei: Sendable {
    public let classCount: Int
    /// The class whose probability is segmented.
    public let nucleusClass: Int
    /// Side of the network's output in model pixels (tiles are square).
    public let size: Int
    public let settings: NucleusSegmentationSettings
    /// Width of the ring around a nucleus (model pixels) whose most probable non-nucleus class names its region.
    public static let regionRingWidth = 3
    private let haematoxylin = HaematoxylinDensity()

    public init(classCount: Int, nucleusClass: Int, size: Int, settings: NucleusSegmentationSettings = .init()) {
        precondition(nucleusClass >= 0 && nucleusClass < classCount && size > 0)
        self.classCount = classCount
        self.nucleusClass = nucleusClass
        self.size = size
        self.settings = settings
    }

    /// The nuclei of one tile. `probabilities` holds the tile's planes (classes x size x size); `readWindow` is the
    /// level-0 region the network saw, `ownWindow` the part the tile answers for (clipped to the slide's bounds);
    /// `image` is the tile as the network saw it (size x size), for the haematoxylin density; `micronsPerPixel` is
    /// the slide's level-0 resolution.
    public func find(probabilities: UnsafeBufferPointer<Float>, readWindow: PixelRect, ownWindow: PixelRect,
                     image: RGBImage, micronsPerPixel: (x: Double, y: Double)) -> [Nucleus] {
        let plane = size * size
        precondition(probabilities.count >= classCount * plane)
        let nucleusPlane = UnsafeBufferPointer(rebasing: probabilities[(nucleusClass * plane)..<((nucleusClass + 1) * plane)])
        // Every model pixel's haematoxylin is needed only to refine the foreground; otherwise only the nuclei's own
        // pixels are sampled, after the segmentation (most of a tile is not nucleus, and a tile without nuclei needs none).
        let segmentation: NucleusSegmenter.Result
        if settings.refinesWithHaematoxylin {
            var plane = [Float](repeating: 0, count: size * size)
            sampleHaematoxylin(of: image, where: { _ in true }) { plane[$0] = Float($1) }
            segmentation = plane.withUnsafeBufferPointer {
                NucleusSegmenter.segment(probability: nucleusPlane, haematoxylin: $0, width: size, height: size,
                                         settings: settings)
            }
        } else {
            segmentation = NucleusSegmenter.segment(probability: nucleusPlane, width: size, height: size, settings: settings)
        }
        guard segmentation.count > 0 else { return [] }
        let figures = NucleusMeasurement.measure(segmentation, probability: nucleusPlane)
        let scaleX = Double(readWindow.width) / Double(size), scaleY = Double(readWindow.height) / Double(size)
        var haematoxylinSums = [Double](repeating: 0, count: segmentation.count + 1)
        sampleHaematoxylin(of: image, where: { segmentation.labels[$0] > 0 }) {
            haematoxylinSums[Int(segmentation.labels[$0])] += $1
        }
        let micronX = scaleX * micronsPerPixel.x, micronY = scaleY * micronsPerPixel.y
        var nuclei: [Nucleus] = []
        for figure in figures {
            let x = Double(readWindow.x) + figure.centroidX * scaleX
            let y = Double(readWindow.y) + figure.centroidY * scaleY
            guard x >= Double(ownWindow.x), x < Double(ownWindow.maxX), y >= Double(ownWindow.y), y < Double(ownWindow.maxY)
            else { continue }
            let area = Double(figure.pixelCount) * micronX * micronY
            let unit = Double(Nucleus.outlineUnitsPerPixel)
            let outline = Self.outline(of: figure, labels: segmentation.labels, width: size).flatMap { corner -> [Int16] in
                [Int16(clamping: Int(((Double(readWindow.x) + Double(corner.x) * scaleX - x.rounded()) * unit).rounded())),
                 Int16(clamping: Int(((Double(readWindow.y) + Double(corner.y) * scaleY - y.rounded()) * unit).rounded()))]
            }
            nuclei.append(Nucleus(
                x: x, y: y, areaMicrons2: area,
                perimeterMicrons: figure.perimeter * (micronX * micronY).squareRoot(),
                equivalentDiameterMicrons: (4 * area / .pi).squareRoot(),
                eccentricity: figure.eccentricity, solidity: figure.solidity,
                meanHaematoxylinOD: haematoxylinSums[Int(figure.label)] / Double(figure.pixelCount),
                meanProbability: figure.meanProbability,
                regionClass: regionClass(around: figure, labels: segmentation.labels, probabilities: probabilities),
                outline: outline))
        }
        return nuclei
    }

    /// The image's haematoxylin density at each model pixel (row-major index) for which `included` holds, in raster
    /// order (the image sampled at each model pixel's nearest).
    private func sampleHaematoxylin(of image: RGBImage, where included: (Int) -> Bool, _ body: (Int, Double) -> Void) {
        image.pixels.withUnsafeBufferPointer { pixels in
            for v in 0..<size {
                let row = Swift.min(image.height - 1, v * image.height / size)
                for u in 0..<size where included(v * size + u) {
                    let i = (row * image.width + Swift.min(image.width - 1, u * image.width / size)) * 3
                    body(v * size + u, haematoxylin.value(r: pixels[i], g: pixels[i + 1], b: pixels[i + 2]))
                }
            }
        }
    }

    /// The most probable non-nucleus class over the background pixels of a ring around the nucleus's bounding box:
    /// the tissue the nucleus sits in.
    private func regionClass(around figure: NucleusFigures, labels: [Int32],
                             probabilities: UnsafeBufferPointer<Float>) -> Int? {
        let ring = Self.regionRingWidth, plane = size * size
        let x0 = Swift.max(0, figure.minX - ring), x1 = Swift.min(size, figure.maxX + ring)
        let y0 = Swift.max(0, figure.minY - ring), y1 = Swift.min(size, figure.maxY + ring)
        var sums = [Double](repeating: 0, count: classCount)
        var counted = 0
        for v in y0..<y1 {
            for u in x0..<x1 where labels[v * size + u] == 0 {
                counted += 1
                for c in 0..<classCount where c != nucleusClass { sums[c] += Double(probabilities[c * plane + v * size + u]) }
            }
        }
        guard counted > 0 else { return nil }
        return sums.indices.filter { $0 != nucleusClass }.max { sums[$0] < sums[$1] }
    }

    /// The outer outline of a labelled object on the pixel corners' grid (model pixels), clockwise with y down,
    /// one vertex per turn: the area it encloses is the object's pixel count when the object has no holes.
    static func outline(of figure: NucleusFigures, labels: [Int32], width: Int) -> [(x: Int, y: Int)] {
        let label = figure.label
        let height = labels.count / width
        func inside(_ x: Int, _ y: Int) -> Bool {
            x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] == label
        }
        // The first pixel in raster order: its top-left corner is on the outer outline, with the object below.
        var start: (x: Int, y: Int)?
        search: for y in figure.minY..<figure.maxY {
            for x in figure.minX..<figure.maxX where inside(x, y) { start = (x, y); break search }
        }
        guard let first = start else { return [] }
        // Walk the edges with the object on the right: heading (dx, dy), the right-hand side is (-dy, dx).
        var corner = first, direction = (dx: 1, dy: 0)
        var vertices: [(x: Int, y: Int)] = [first]
        let limit = 4 * (figure.maxX - figure.minX + 1) * (figure.maxY - figure.minY + 1) + 8
        for _ in 0..<limit {
            corner = (corner.x + direction.dx, corner.y + direction.dy)
            let right = (dx: -direction.dy, dy: direction.dx)
            // The pixels ahead of the corner, left and right of the heading (a pixel is named by its top-left corner).
            func pixel(_ qx: Int, _ qy: Int) -> Bool { inside(corner.x + (qx - 1) / 2, corner.y + (qy - 1) / 2) }
            let aheadLeft = pixel(direction.dx - right.dx, direction.dy - right.dy)
            let aheadRight = pixel(direction.dx + right.dx, direction.dy + right.dy)
            let turned: (dx: Int, dy: Int)
            if aheadLeft { turned = (direction.dy, -direction.dx) }         // turn left
            else if aheadRight { turned = direction }                       // straight on
            else { turned = right }                                         // turn right
            // Back at the start, about to head east again: closed. (The first corner is a vertex: nothing of the
            // object lies left of or above the first pixel, so the walk arrives there heading north.)
            if corner == first && turned == (1, 0) { break }
            if turned != direction {
                vertices.append(corner)
                direction = turned
            }
        }
        return vertices
    }
}
