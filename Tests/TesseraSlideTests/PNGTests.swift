import Foundation
import Testing
import TesseraCore
import TesseraTestSupport

// PNG lives in TesseraCore, which has no test target of its own; its tests sit here with the slide previews.
@Suite struct PNGTests {
    /// A 6x5 image, written by Pillow 13.0.0 with `optimize=True` (so its rows use several filter types) from these
    /// bytes: `(index * 7) % 256` with row 2 random (tools/reference/png_fixtures.py prints all three).
    static let rgbBytes: [UInt8] = [
        0, 7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 98, 105, 112, 119, 126, 133, 140, 147, 154, 161, 168,
        175, 182, 189, 196, 203, 210, 217, 224, 231, 238, 245, 207, 21, 45, 60, 46, 205, 222, 149, 10, 24, 85, 110,
        159, 122, 67, 40, 177, 188, 122, 129, 136, 143, 150, 157, 164, 171, 178, 185, 192, 199, 206, 213, 220, 227,
        234, 241, 248, 255, 6, 13, 20, 27, 34, 41, 48, 55, 62, 69, 76, 83, 90, 97, 104, 111,
    ]
    static let pillowRGB = "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAIAAADpOgqxAAAANElEQVR42mNkYOcTRQWMda09aEIM50V1bfTO3pvKJRGaN7/KWWPjHsaqxg50jT/+s6EJAQAb/RGmC60EVgAAAABJRU5ErkJggg=="
    /// The same RGB with alpha 128 everywhere.
    static let pillowRGBA = "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAYAAABmWJ3mAAAAQElEQVR42mNkYOdrEBUVZUDHLHV1dQzYJJgnXH7u0H09jSFH3ZPBeyULg9bjOQypfxUYGKsaO7AaxfjjPxtWCQD1ZhTXVfvVMgAAAABJRU5ErkJggg=="
    /// The red channel as gray.
    static let pillowGray = "iVBORw0KGgoAAAANSUhEUgAAAAYAAAAFCAAAAABDM8I6AAAAJ0lEQVR42mNkEBUVFRVlrBMVFRUVZThvc09ivgZjFUTwh6ioqKgoAGfDBmFHOHw8AAAAAElFTkSuQmCC"

    func decode(_ base64: String) throws -> DecodedPNG {
        try PNGImage.decode([UInt8](try #require(Data(base64Encoded: base64))))
    }

    @Test func readsPillowRGB() throws {
        let png = try decode(Self.pillowRGB)
        #expect(png.width == 6 && png.height == 5 && png.channels == 3)
        #expect(png.pixels == Self.rgbBytes)
    }

    @Test func readsPillowRGBAAndGray() throws {
        let rgba = try decode(Self.pillowRGBA)
        #expect(rgba.channels == 4)
        #expect((0..<30).allSatisfy { rgba.pixels[4 * $0 + 3] == 128 })
        var colours: [UInt8] = []
        for i in 0..<30 { colours += rgba.pixels[(4 * i)..<(4 * i + 3)] }
        #expect(colours == Self.rgbBytes)
        let gray = try decode(Self.pillowGray)
        #expect(gray.channels == 1)
        #expect(gray.pixels == stride(from: 0, to: 90, by: 3).map { Self.rgbBytes[$0] })
    }

    @Test func rgbaIsCompositedOntoWhiteWhenReadAsRGB() throws {
        let directory = try Fixtures.temporaryDirectory("png")
        let url = directory.appendingPathComponent("rgba.png")
        try Data(base64Encoded: Self.pillowRGBA)!.write(to: url)
        let image = try PNGImage.readRGB(from: url)
        // 0 at alpha 128 over white: (0 * 128 + 255 * 127) / 255 = 127.
        #expect(image.pixel(x: 0, y: 0) == (127, 131, 134))
    }

    @Test func writeThenReadRoundTrips() throws {
        let directory = try Fixtures.temporaryDirectory("png")
        let rgb = RGBImage(width: 6, height: 5, pixels: Self.rgbBytes)
        let url = directory.appendingPathComponent("rgb.png")
        try PNGImage.write(rgb: rgb, to: url)
        #expect(try PNGImage.readRGB(from: url) == rgb)

        let grayURL = directory.appendingPathComponent("gray.png")
        let gray: [UInt8] = (0..<(17 * 3)).map { UInt8(($0 * 37) % 256) }
        try PNGImage.write(gray: gray, width: 17, height: 3, to: grayURL)
        #expect(try PNGImage.read(from: grayURL) == DecodedPNG(width: 17, height: 3, channels: 1, pixels: gray))

        let rgbaURL = directory.appendingPathComponent("rgba.png")
        let rgba: [UInt8] = (0..<(4 * 4 * 4)).map { UInt8(($0 * 53) % 256) }
        try PNGImage.write(rgba: rgba, width: 4, height: 4, to: rgbaURL)
        #expect(try PNGImage.read(from: rgbaURL).pixels == rgba)
    }

    @Test func damagedFilesAreTypedErrors() throws {
        var bytes = [UInt8](Data(base64Encoded: Self.pillowRGB)!)
        bytes[40] ^= 0xFF
        let error = try #require(throws: PNGError.self) { try PNGImage.decode(bytes) }
        #expect(error.kind == .malformed)
        #expect(throws: PNGError.self) { try PNGImage.decode([1, 2, 3]) }
        let missing = try #require(throws: PNGError.self) {
            try PNGImage.read(from: URL(fileURLWithPath: "/nonexistent/x.png"))
        }
        #expect(missing.kind == .io && missing.path == "/nonexistent/x.png")
    }
}
