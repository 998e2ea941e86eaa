import Testing
import TesseraCore

// Replaced by the module's real tests.
@Test func TesseraNetworkBuilds() { #expect(PixelRect(x: 0, y: 0, width: 2, height: 3).area == 6) }
