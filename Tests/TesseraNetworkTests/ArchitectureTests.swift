import Foundation
import Testing
import TesseraNetwork
import TesseraTestSupport

@Suite struct ArchitectureTests {
    /// efficientnet-pytorch's 1000-class classifiers, from fixtures/reference/README.md.
    @Test(arguments: [
        ("efficientnet-b0", 5_288_548, 16, 1280), ("efficientnet-b1", 7_794_184, 23, 1280),
        ("efficientnet-b2", 9_109_994, 23, 1408), ("efficientnet-b3", 12_233_232, 26, 1536),
        ("efficientnet-b4", 19_341_616, 32, 1792), ("efficientnet-b5", 30_389_784, 39, 2048),
        ("efficientnet-b6", 43_040_704, 45, 2304), ("efficientnet-b7", 66_347_960, 55, 2560),
    ])
    func classifierParameterCounts(name: String, parameters: Int, blocks: Int, head: Int) throws {
        let variant = try #require(EfficientNetVariant.named(name))
        #expect(variant.blockCount == blocks)
        #expect(variant.headChannels == head)
        #expect(variant.classifierParameterCount() == parameters)
    }

    @Test func compoundScalingFollowsThePaper() {
        let scaling = CompoundScaling(phi: 2)
        #expect(abs(scaling.depth - 1.44) < 1e-12)
        #expect(abs(scaling.width - 1.21) < 1e-12)
        #expect(abs(scaling.resolution - 1.3225) < 1e-12)
        let variant = EfficientNetVariant.compound(phi: 1)
        #expect(variant.resolution == 258)  // 224 * 1.15 = 257.6
        #expect(variant.roundFilters(32) == 32)  // 32 * 1.1 = 35.2 rounds to 32, within 90%
        var wider = variant
        wider.widthCoefficient = 1.12
        #expect(wider.roundFilters(32) == 40)  // 35.84 rounds to 32, below 90%, so one more step of 8
    }

    /// Every encoder convolution's stride, dilation and padding against meta.json (the smp model's own values).
    @Test func encoderPaddingMatchesTheReference() throws {
        let data = try Data(contentsOf: Fixtures.reference.appendingPathComponent("meta.json"))
        let meta = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let convs = try #require(meta["encoder_convs"] as? [[String: Any]])
        var expected: [String: ([Int], [Int], [Int])] = [:]
        for conv in convs {
            let name = try #require(conv["name"] as? String)
            expected[name] = (conv["stride"] as! [Int], conv["dilation"] as! [Int], conv["padding_lrtb"] as! [Int])
        }
        let variant = EfficientNetVariant.b2
        #expect(expected["encoder._conv_stem"]?.2 == variant.stemPadding)
        let blocks = variant.blocks(dilateFromBlock: variant.smpStageIndices[2])
        #expect(blocks.count == 23)
        for block in blocks {
            let reference = try #require(expected["encoder._blocks.\(block.index)._depthwise_conv"])
            #expect(reference.0 == [block.stride, block.stride], "block \(block.index) stride")
            #expect(reference.1 == [block.dilation, block.dilation], "block \(block.index) dilation")
            #expect(reference.2 == block.padding, "block \(block.index) padding")
        }
    }
}
