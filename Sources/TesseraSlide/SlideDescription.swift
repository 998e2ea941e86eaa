import Foundation

/// Everything `tessera inspect` reports about a slide, as a plain Codable value.
public struct SlideDescription: Sendable, Equatable, Codable {
    public struct MicronsPerPixel: Sendable, Equatable, Codable {
        public let x: Double
        public let y: Double
    }

    public let path: String
    public let vendor: String?
    public let levels: [SlideLevel]
    public let micronsPerPixel: MicronsPerPixel?
    public let objectivePower: Double?
    public let quickhash: String?
    public let associatedImages: [String: ImageSize]
    public let properties: [String: String]

    public init(_ slide: Slide) {
        path = slide.url.path
        vendor = slide.vendor
        levels = slide.levels
        micronsPerPixel = slide.micronsPerPixel.map { MicronsPerPixel(x: $0.x, y: $0.y) }
        objectivePower = slide.objectivePower
        quickhash = slide.quickhash
        associatedImages = slide.associatedImageSizes
        properties = slide.properties
    }
}
