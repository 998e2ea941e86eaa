import Foundation
import Testing
@testable import TesseraServe
import TesseraStore

/// The index page shows a slide's QC verdict as a badge when it is not a pass, with the artefact areas (issue 26).
@Suite struct IndexQCBadgeTests {
    private func page(verdict: String?) -> String {
        var slide = SlideListing(id: 7, slidePath: "/s/a.svs", status: "done", error: nil, tilesWritten: 3,
                                 tilesPlanned: 3, tissueMM2: 1, analysedMM2: 2, classAreas: [])
        slide.qc = verdict.map {
            SlideQCRecord(verdict: $0, reason: "artefacts cover 12.0% of the tissue (review from 5.0%)",
                          artefactTissueFraction: 0.12, micronsPerPixel: 2,
                          kinds: [.init(kind: "pen", areaMM2: 0.125, tissueAreaMM2: 0.1, tissueFraction: 0.1),
                                  .init(kind: "fold", areaMM2: 0, tissueAreaMM2: 0, tissueFraction: 0)])
        }
        let run = RunListing(id: 1, runUID: "0123456789", status: "finished", modelName: "m", pipelineName: nil,
                             startedAt: "t", finishedAt: nil, classes: [ClassInfo(index: 0, name: "c", colour: "#ff0000")],
                             slides: [slide])
        return IndexPage.render(runs: [run], resultsPath: "/r.sqlite")
    }

    @Test func aReviewVerdictIsABadgeWithTheAreasAndAPassOrNoQCIsNone() {
        let review = page(verdict: "review")
        #expect(review.contains("<span class=\"badge badge-qc-review\" title=\"artefacts cover 12.0% of the tissue (review from 5.0%)\">QC review</span>"))
        #expect(review.contains("pen 0.125 mm²") && !review.contains("fold 0.000"))
        #expect(page(verdict: "fail").contains("badge-qc-fail"))
        #expect(!page(verdict: "pass").contains("badge-qc") && !page(verdict: nil).contains("badge-qc"))
    }
}
