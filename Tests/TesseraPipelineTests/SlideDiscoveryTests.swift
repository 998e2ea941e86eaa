import Foundation
import Testing
import TesseraTestSupport
@testable import TesseraPipeline

@Suite struct SlideDiscoveryTests {
    @Test func findsSlideFilesRecursivelyInSortedOrder() throws {
        let root = Fixtures.slides.resolvingSymlinksInPath().path + "/"
        let found = try SlideDiscovery.slides(in: [Fixtures.slides.path]).map { $0.path.replacingOccurrences(of: root, with: "") }
        // boxes_0.dcm is not a slide extension OpenSlide 3.4 reads; PROVENANCE.md is not a slide.
        #expect(found == ["CMU-1-Small-Region.svs", "CMU-1-crop-ycbcr.tiff", "OS-1-detail.tiff", "bounds-leica.scn", "boxes.tiff",
                          "invalid/unopenable.tiff", "invalid/unreadable.svs",
                          "small.svs", "test3-DAPI-2-387.ndpi", "yb10kx5k.zstd.tiff"])
    }

    @Test func excludesTheOutputDirectoryAndExpandsGlobs() throws {
        let found = try SlideDiscovery.slides(in: [Fixtures.slides.path], excluding: [Fixtures.invalidSlides])
        #expect(found.count == 8)
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

    /// A tree of empty files and links, under a fresh folder whose real path is returned.
    private func tree(_ files: [String], links: [(String, String)] = []) throws -> String {
        let root = try Fixtures.temporaryDirectory("discovery").resolvingSymlinksInPath()
        for file in files {
            let url = root.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("slide".utf8).write(to: url)
        }
        for (link, target) in links {
            let url = root.appendingPathComponent(link)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
        }
        return root.path
    }

    private func relative(_ found: [URL], to root: String) -> [String] {
        found.map { String($0.path.dropFirst(root.count + 1)) }
    }

    @Test func doubleStarReachesEveryDepthAndSkipsHiddenFiles() throws {
        let root = try tree(["a.svs", "x/b.svs", "x/y/c.svs", "x/y/z/d.svs", "x/y/notes.txt", "x/.hidden.svs",
                             ".cache/e.svs", "x/y/c.ndpi"])
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/**/*.svs"]), to: root)
                == ["a.svs", "x/b.svs", "x/y/c.svs", "x/y/z/d.svs"])
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/x/**/c.*"]), to: root) == ["x/y/c.ndpi", "x/y/c.svs"])
        // `*` stays within one folder; a pattern that matches nothing finds nothing.
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/*/*.svs"]), to: root) == ["x/b.svs"])
        #expect(try SlideDiscovery.slides(in: ["\(root)/**/*.mrxs"]).isEmpty)
        // Two patterns at the same place are both matched.
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/x/**/*.svs", "\(root)/x/**/*.ndpi"]), to: root)
                == ["x/b.svs", "x/y/c.ndpi", "x/y/c.svs", "x/y/z/d.svs"])
        // A folder a pattern starts from that does not exist (an unmounted share) is an error naming it.
        do {
            _ = try SlideDiscovery.slides(in: ["\(root)/not-mounted/**/*.svs"])
            Issue.record("a missing input folder was accepted")
        } catch {
            #expect(error.kind == .missing)
            #expect(error.path == "\(root)/not-mounted")
        }
    }

    @Test func linkedSlidesAndLinkedFoldersAreFollowedAndCyclesEnd() throws {
        // The lab's layout: an input folder of links into an archive, a linked folder, and a link back up.
        let root = try tree(["archive/2026/a.svs", "archive/2026/b.ndpi", "archive/old/c.svs"],
                            links: [("in/a.svs", "../archive/2026/a.svs"), ("in/b-renamed.ndpi", "../archive/2026/b.ndpi"),
                                    ("in/old", "../archive/old"), ("in/old-again", "../archive/old"),
                                    ("in/loop", ".."), ("in/broken.svs", "../nowhere.svs")])
        let expected = ["archive/2026/a.svs", "archive/2026/b.ndpi", "archive/old/c.svs"]
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/in"]), to: root) == expected)
        #expect(relative(try SlideDiscovery.slides(in: ["\(root)/in/**/*.svs", "\(root)/in/*.ndpi"]), to: root)
                == expected)
    }

    @Test func aRunAndAPipelineWithTheSameInputFindTheSameSlides() throws {
        let root = try tree(["incoming/2026-11-28/s1.svs", "incoming/2026-11-29/scanner-2/s1.svs", "incoming/x.tiff"])
        let pipelineFile = URL(fileURLWithPath: root).appendingPathComponent("job.yaml")
        let pipeline = try PipelineDefinition.parse(text: """
            version: 1
            name: same-input
            inputs: [incoming/**/*.svs]
            outputs: {directory: out}
            """, file: pipelineFile)
        let fromPipeline = try SlideDiscovery.slides(in: pipeline.settings.inputs)
        let fromCommandLine = try SlideDiscovery.slides(in: ["\(root)/incoming/**/*.svs"])
        #expect(fromPipeline == fromCommandLine)
        #expect(relative(fromPipeline, to: root) == ["incoming/2026-11-28/s1.svs", "incoming/2026-11-29/scanner-2/s1.svs"])
    }
}
