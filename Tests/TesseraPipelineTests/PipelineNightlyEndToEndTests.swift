import Foundation
import Testing
import TesseraPipeline
import TesseraTestSupport

// End-to-end nightly behaviour with the real runner: the built binary, real fixture slides, real results database.

private func report(of result: CommandOutput) throws -> PipelineRunReport {
    let decoder = JSONDecoder()
    decoder.dateDecodingStrategy = .iso8601
    return try decoder.decode(PipelineRunReport.self, from: Data(result.stdout.utf8))
}

@Test func nightlyRunsProcessOnlyNewSlidesAndEverySlideAgainWhenThePipelineChanges() throws {
    let directory = try Fixtures.temporaryDirectory("pipeline-nightly")
    let incoming = directory.appendingPathComponent("incoming")
    let firstNight = incoming.appendingPathComponent("2026-11-28"), secondNight = incoming.appendingPathComponent("2026-11-29/scanner-2")
    try FileManager.default.createDirectory(at: firstNight, withIntermediateDirectories: true)
    try FileManager.default.createDirectory(at: secondNight, withIntermediateDirectories: true)
    try FileManager.default.copyItem(at: Fixtures.slide("small.svs"), to: firstNight.appendingPathComponent("small.svs"))

    let file = directory.appendingPathComponent("nightly.yaml")
    func writePipeline(minimumTissue: Double) throws {
        try """
            version: 1
            name: nightly-e2e
            inputs: [incoming/**/*.svs, incoming/**/*.tiff]
            model: \(Fixtures.referenceModel.path)
            tiling: {slide_mpp: 0.5}
            tissue: {min_tissue_fraction: \(minimumTissue)}
            outputs: {directory: out, heatmaps: false}
            concurrency: {threads: 1, readers: 1, batch_size: 1}
            """.write(to: file, atomically: true, encoding: .utf8)
    }
    try writePipeline(minimumTissue: 0.05)

    // Night 1: the one slide is new.
    let night1 = try TesseraCLI.run(["pipeline", "run", file.path, "--json"])
    #expect(night1.status == 0, "\(night1.stderr)")
    let report1 = try report(of: night1)
    #expect(report1.counts.done == 1 && report1.counts.skipped == 0)

    // Night 2: a new slide in a deeper folder; the first is skipped.
    try FileManager.default.copyItem(at: Fixtures.slide("boxes.tiff"), to: secondNight.appendingPathComponent("boxes.tiff"))
    let report2 = try report(of: TesseraCLI.run(["pipeline", "run", file.path, "--json"]))
    #expect(report2.outcome == .allDone)
    #expect(report2.counts.done == 1 && report2.counts.skipped == 1)
    #expect(report2.summary?.slides.first { $0.status == .done }?.path.hasSuffix("scanner-2/boxes.tiff") == true)

    // Night 3: nothing new.
    let report3 = try report(of: TesseraCLI.run(["pipeline", "run", file.path, "--json"]))
    #expect(report3.counts.done == 0 && report3.counts.skipped == 2)
    #expect(report3.exitCode == 0)

    // The pipeline changed (its hash with it): every slide is done again under the new hash.
    try writePipeline(minimumTissue: 0.1)
    let changed = try PipelineDefinition.load(file: file)
    #expect(changed.hash != report3.pipelineHash)
    let report4 = try report(of: TesseraCLI.run(["pipeline", "run", file.path, "--json"]))
    #expect(report4.counts.done == 2 && report4.counts.skipped == 0)

    // Each run stored the pipeline's identity with it.
    let database = directory.appendingPathComponent("out/results.sqlite").path
    let stored = try TesseraCLI.run(["query", database, "SELECT DISTINCT pipeline_name, pipeline_hash FROM runs ORDER BY id", "--format", "csv"])
    #expect(stored.status == 0, "\(stored.stderr)")
    #expect(stored.stdout.contains("nightly-e2e,\(report1.pipelineHash)"))
    #expect(stored.stdout.contains("nightly-e2e,\(changed.hash)"))
    // Four reports, JSON and text each.
    #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("out/reports").path).count == 8)
}
