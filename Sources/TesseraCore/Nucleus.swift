/// One nucleus found in a tile (issue 27): what the results file's `nuclei` table holds per row. Coordinates are
/// level-0 pixels of the slide; sizes are µm (from the slide's resolution), so rows of slides scanned at different
/// resolutions compare directly.
public struct Nucleus: Sendable, Equatable {
    /// Centroid, level-0 pixels (continuous: pixel (x, y) covers [x, x + 1)).
    public var x: Double
    public var y: Double
    public var areaMicrons2: Double
    public var perimeterMicrons: Double
    /// The diameter of the disc of the same area.
    public var equivalentDiameterMicrons: Double
    public var eccentricity: Double
    public var solidity: Double
    /// Mean haematoxylin optical density over the nucleus (colour deconvolution of the tile as the network saw it).
    public var meanHaematoxylinOD: Double
    /// Mean probability of the nucleus class over the nucleus.
    public var meanProbability: Double
    /// The class of the tissue around the nucleus (the most probable non-nucleus class in a ring around it), or nil
    /// when the ring holds no such pixel.
    public var regionClass: Int?
    /// The outline, clockwise on the slide (y down), as offsets from (x, y) rounded to whole level-0 pixels, in
    /// 1/16 of a level-0 pixel (`outlineUnitsPerPixel`; up to 2,047 pixels either way): x0, y0, x1, y1, ... (the
    /// polygon closes back to its first vertex). Sixteenths, not whole pixels: a model pixel is rarely a whole number
    /// of level-0 pixels (1.002 on a 0.499 µm/px scan), and corners rounded to whole pixels moved small nuclei's
    /// outline areas by up to 20%.
    public var outline: [Int16]
    public static let outlineUnitsPerPixel = 16
    /// Whether the centroid lies in the slide's tissue mask (set by the run; densities count only these).
    public var inTissue: Bool = true

    public init(x: Double, y: Double, areaMicrons2: Double, perimeterMicrons: Double, equivalentDiameterMicrons: Double,
                eccentricity: Double, solidity: Double, meanHaematoxylinOD: Double, meanProbability: Double,
                regionClass: Int?, outline: [Int16]) {
        self.x = x
        self.y = y
        self.areaMicrons2 = areaMicrons2
        self.perimeterMicrons = perimeterMicrons
        self.equivalentDiameterMicrons = equivalentDiameterMicrons
        self.eccentricity = eccentricity
        self.solidity = solidity
        self.meanHaematoxylinOD = meanHaematoxylinOD
        self.meanProbability = meanProbability
        self.regionClass = regionClass
        self.outline = outline
    }

    /// The outline's vertices in level-0 pixels.
    public var outlineVertices: [(x: Double, y: Double)] {
        let originX = x.rounded(), originY = y.rounded(), unit = Double(Self.outlineUnitsPerPixel)
        return stride(from: 0, to: outline.count - 1, by: 2).map {
            (originX + Double(outline[$0]) / unit, originY + Double(outline[$0 + 1]) / unit)
        }
    }

    /// The outline as stored in the results file: the Int16 pairs, little-endian.
    public var outlineBytes: [UInt8] {
        outline.flatMap { value -> [UInt8] in
            let bits = UInt16(bitPattern: value)
            return [UInt8(bits & 0xff), UInt8(bits >> 8)]
        }
    }

    /// The outline read back from `outlineBytes`.
    public static func outline(fromBytes bytes: [UInt8]) -> [Int16] {
        stride(from: 0, to: bytes.count - 1, by: 2).map { Int16(bitPattern: UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8) }
    }
}
