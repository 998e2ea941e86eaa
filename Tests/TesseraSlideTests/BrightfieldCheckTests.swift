import Testing
import TesseraCore
@testable import TesseraSlide

@Suite struct BrightfieldCheckTests {
    @Test func darkOneChannelImagesAreFluorescenceAndBrightOnesAreNot() {
        var dapi = RGBImage(width: 10, height: 10, filledWith: 0)
        for index in 0..<30 { dapi.pixels[3 * index + 2] = 200 }   // 30% of the pixels blue nuclei
        let warning = BrightfieldCheck.warning(for: dapi)
        #expect(warning?.contains("median brightness 0/255") == true)
        #expect(warning?.contains("one channel (blue)") == true)
        var composite = RGBImage(width: 10, height: 10, filledWith: 10)
        for index in 0..<20 { composite.pixels[3 * index] = 180; composite.pixels[3 * index + 1] = 170 }
        #expect(BrightfieldCheck.warning(for: composite)?.contains("one channel") == false)
        var he = RGBImage(width: 10, height: 10, filledWith: 240)
        for index in 0..<40 { he.pixels[3 * index] = 150; he.pixels[3 * index + 1] = 60; he.pixels[3 * index + 2] = 140 }
        #expect(BrightfieldCheck.warning(for: he) == nil)
    }
}
