import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraPipeline

@Suite struct SlideDiscoveryTests {
    @Test func findsSlideFilesRecursivelyInSortedOrder() throws {
        let root = Fixtures.slides.resolvingSymlinksInPath().path + "/"
        let found = try SlideDiscovery.slides(in: [Fixtures.slides.path]).map { $0.path.replacingOccurrences(of: root, with: "") }
        // boxes_0.dcm is not a slide extension OpenSlide 3.4 reads; PROVENANCE.md is not a slide.
        #expect(found == ["CMU-1-Small-Region.svs", "boxes.tiff", "invalid/unopenable.tiff", "invalid/unreadable.svs",
                          "small.svs", "test3-DAPI-2-387.ndpi", "yb10kx5k.zstd.tiff"])
    }

    @Test func excludesTheOutputDirectoryAndExpandsGlobs() throws {
        let found = try SlideDiscovery.slides(in: [Fixtures.slides.path], excluding: [Fixtures.invalidSlides])
        #expect(found.count == 5)
        let globbed = try SlideDiscovery.slides(in: [Fixtures.slides.path + "/*.svs"])
        #expect(globbed.map(\.lastPathComponent) == ["CMU-1-Small-Region.svs", "small.svs"])
    }

    @Test func aMissingFolderIsAnErrorButAMissingSlideIsKeptToFailOnItsOwn() throws {
        #expect(throws: SlideDiscovery.Error.self) {
            try SlideDiscovery.slides(in: ["/nonexistent/slides"])
        }
        // Sorted by full path, so the expectation must not depend on where the checkout lives.
        let missing = "/nonexistent/a.svs"
        let present = Fixtures.slide("small.svs").resolvingSymlinksInPath().path
        let found = try SlideDiscovery.slides(in: [missing, present])
        #expect(found.map(\.path) == [missing, present].sorted())
    }
}
