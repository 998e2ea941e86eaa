import Testing
@testable import TesseraHeatmap

@Suite struct DownsamplingTests {
    // 3x3 single channel:
    //   1 2 3
    //   2 2 9
    //   7 8 5
    let gray = HeatmapImage(width: 3, height: 3, channels: 1, pixels: [1, 2, 3, 2, 2, 9, 7, 8, 5])

    @Test func nearestTakesTopLeftOfEachBlock() {
        let half = gray.halved(using: .nearest)
        #expect(half.width == 2 && half.height == 2)
        #expect(half.pixels == [1, 3, 7, 5])
    }

    @Test func majorityTakesMostFrequentAndBreaksTiesInScanOrder() {
        // Block (0,0) = 1 2 / 2 2 -> 2 (three times). Block (1,0) = 3 / 9 -> tie, 3 comes first.
        // Block (0,1) = 7 8 -> tie, 7 first. Block (1,1) = 5.
        #expect(gray.halved(using: .majority).pixels == [2, 3, 7, 5])
        // A block that is half "no prediction": the tie goes to the top-left value.
        let mixed = HeatmapImage(width: 2, height: 2, channels: 1, pixels: [255, 1, 1, 255])
        #expect(mixed.halved(using: .majority).pixels == [255])
    }

    @Test func averageRoundsHalfUpOverThePixelsPresent() {
        // (1+2+2+2)/4 = 1.75 -> 2; (3+9)/2 = 6; (7+8)/2 = 7.5 -> 8; 5.
        #expect(gray.halved(using: .average).pixels == [2, 6, 8, 5])
    }

    @Test func rgbaAverageWeightsColourByAlpha() {
        // An opaque red pixel next to three fully transparent green ones: the colour stays red, alpha 255/4.
        let rgba = HeatmapImage(width: 2, height: 2, channels: 4, pixels: [
            200, 0, 0, 255, 0, 250, 0, 0,
            0, 250, 0, 0, 0, 250, 0, 0,
        ])
        #expect(rgba.halved(using: .average).pixels == [200, 0, 0, 64])
        // Two half-transparent pixels of different colours and weights: (100*60 + 200*180) / 240 = 175.
        let two = HeatmapImage(width: 2, height: 1, channels: 4, pixels: [100, 10, 0, 60, 200, 10, 0, 180])
        #expect(two.halved(using: .average).pixels == [175, 10, 0, 120])
    }

    @Test func pyramidHalvesUntilBothSidesFitOneTile() {
        let sizes = HeatmapWriter.pyramidLevelSizes(width: 1000, height: 700, tileSize: 256)
        #expect(sizes.map { [$0.width, $0.height] } == [[1000, 700], [500, 350], [250, 175]])
        #expect(HeatmapWriter.pyramidLevelSizes(width: 257, height: 3, tileSize: 256).map { $0.width } == [257, 129])
        #expect(HeatmapWriter.pyramidLevelSizes(width: 256, height: 256, tileSize: 256).count == 1)
    }
}
