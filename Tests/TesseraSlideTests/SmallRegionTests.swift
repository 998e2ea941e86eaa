import Testing
@testable import TesseraSlide

@Suite struct SmallRegionTests {
    /// A mask drawn as text: '#' tissue, '.' background.
    static func mask(_ rows: [String]) -> [UInt8] { rows.flatMap { $0.map { $0 == "#" ? UInt8(255) : 0 } } }

    @Test func dropsRegionsUnderTheMinimumAndKeepsDiagonallyJoinedOnes() {
        // Regions: 4 px (top left), 5 px joined only at corners (the diagonal), 9 px (the block), 1 px (bottom right).
        let mask = Self.mask([
            "##.......#",
            "##......#.",
            ".......#..",
            "......#...",
            ".###.#....",
            ".###......",
            ".###.....#",
        ])
        let cleaned = TissueMask.removingSmallRegions(mask, width: 10, height: 7, minimumPixels: 5)
        #expect(cleaned == Self.mask([
            ".........#",
            "........#.",
            ".......#..",
            "......#...",
            ".###.#....",
            ".###......",
            ".###......",
        ]))
        // A minimum of one pixel keeps everything.
        #expect(TissueMask.removingSmallRegions(mask, width: 10, height: 7, minimumPixels: 1) == mask)
    }
}
