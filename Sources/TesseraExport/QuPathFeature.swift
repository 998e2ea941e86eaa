import Crypto
import Foundation
import TesseraCore

/// QuPath's GeoJSON object form (qupath-core PathObjectTypeAdapters, 0.4+):
/// `{"type":"Feature","id":<UUID>,"geometry":…,"properties":{"objectType":…,"classification":{"name":…,"color":[r,g,b]},
/// "isLocked":true,"measurements":{…}}}`.
public enum QuPathFeature {
    typealias ObjectType = QuPathObjectType

    public struct Classification: Sendable {
        public var name: String
        public var colour: (UInt8, UInt8, UInt8)

        public init(name: String, colour: (UInt8, UInt8, UInt8)) {
            self.name = name
            self.colour = colour
        }
    }

    /// One feature as a line of JSON. `geometry` is the geometry object's text.
    static func text(id: UUID, geometry: String, objectType: ObjectType, classification: Classification?,
                     measurements: [(String, Double)]) -> String {
        var text = #"{"type":"Feature","id":"\#(id.uuidString.lowercased())","geometry":\#(geometry),"properties":{"objectType":"\#(objectType.rawValue)""#
        if let classification {
            let (r, g, b) = classification.colour
            text += #","classification":{"name":\#(JSONText.quoted(classification.name)),"color":[\#(r),\#(g),\#(b)]}"#
        }
        text += #","isLocked":true,"measurements":{"#
        // QuPath reads measurements as a map of doubles; a null would not be one, so non-finite values are left out.
        text += measurements.filter { $0.1.isFinite }.map { "\(JSONText.quoted($0.0)):\(JSONNumber.text($0.1))" }
            .joined(separator: ",")
        return text + "}}}"
    }

    /// Polygon coordinates `[[[x,y],…],…]`: each ring closed (first point repeated), shell first, holes after, in
    /// `frame` (level-0 pixels less its offset).
    static func polygonCoordinates(_ polygon: SlidePolygon, frame: QuPathFrame) -> String {
        let dx = Double(frame.offsetX), dy = Double(frame.offsetY)
        var text = "["
        for (index, ring) in ([polygon.shell] + polygon.holes).enumerated() {
            if index > 0 { text += "," }
            text += "["
            for point in ring.points {
                text += "[\(JSONNumber.coordinate(point.x - dx)),\(JSONNumber.coordinate(point.y - dy))],"
            }
            text += "[\(JSONNumber.coordinate(ring.points[0].x - dx)),\(JSONNumber.coordinate(ring.points[0].y - dy))]]"
        }
        return text + "]"
    }

    static func polygonGeometry(_ polygon: SlidePolygon, frame: QuPathFrame) -> String {
        #"{"type":"Polygon","coordinates":\#(polygonCoordinates(polygon, frame: frame))}"#
    }

    /// "#rrggbb" as a colour; grey when the text is not one.
    static func colour(hex: String) -> (UInt8, UInt8, UInt8) {
        let digits = hex.hasPrefix("#") ? String(hex.dropFirst()) : hex
        guard digits.count == 6, let value = UInt32(digits, radix: 16) else { return (128, 128, 128) }
        return (UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF))
    }
}

/// Name-based UUIDs (RFC 4122 version 5, SHA-1): the same results exported again give the same ids, so files diff
/// cleanly and QuPath sees the same objects.
enum StableIdentifier {
    /// Tessera's namespace for object ids.
    static let namespace = UUID(uuidString: "6d1f3c1e-2b7a-5c1e-9a4e-7e55e7a0b0c5")!

    static func uuid(_ name: String) -> UUID {
        var hasher = Insecure.SHA1()
        withUnsafeBytes(of: namespace.uuid) { hasher.update(bufferPointer: $0) }
        hasher.update(data: Data(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return UUID(uuid: (bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                           bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]))
    }
}
