import Testing
import TesseraCore
@testable import TesseraSlide
import TesseraTestSupport

@Suite struct PiecewiseResampleTests {
    @Test func piecesGiveTheSameImageAsOneRead() throws {
        // CMU-1-Small-Region.svs has no pyramid: its thumbnail resamples level 0 by 5.8. With a budget of 256 x 256
        // source pixels the output is made of ~41-pixel pieces, each from its own read.
        let slide = try Slide(contentsOf: Fixtures.slide("CMU-1-Small-Region.svs"))
        let window = PixelRect(x: -40, y: 100, width: 2220, height: 2867)
        let whole = try slide.read(level0Window: window, outputWidth: 383, outputHeight: 495)
        let pieces = try slide.read(level0Window: window, outputWidth: 383, outputHeight: 495,
                                    sourcePixelBudget: 256 * 256)
        #expect(pieces.width == whole.width && pieces.height == whole.height)
        // Filter positions are computed the same way in both; only the last bit of a weight may differ.
        let differences = zip(whole.pixels, pieces.pixels).map { abs(Int($0) - Int($1)) }
        #expect(differences.max() ?? 0 <= 1)
        #expect(differences.filter { $0 != 0 }.count < whole.pixels.count / 1000)
    }
}
