import Foundation
import Testing
import TesseraSlide
@testable import TesseraPipeline
import TesseraTestSupport

private let pipelineFile = URL(fileURLWithPath: "/labs/pathology/pipelines/job.yaml")

private func definition(_ text: String, file: URL = pipelineFile) throws(PipelineError) -> PipelineDefinition {
    try PipelineDefinition.parse(text: text, file: file)
}

private let minimal = """
    version: 1
    name: job
    inputs: [slides]
    outputs:
      directory: out
    """

@Test func relativePathsResolveAgainstThePipelineFilesDirectory() throws {
    let pipeline = try definition("""
        version: 1
        name: job
        inputs:
          - ../slides/incoming/**/*.svs
          - /scans/extra.ndpi
          - ~/more
        model: ../models/m.safetensors
        outputs:
          directory: ../results
          results: ../db/results.sqlite
          heatmap_directory: heat
          lock: /run/tessera/job.lock
        """)
    let configuration = pipeline.settings
    let home = FileManager.default.homeDirectoryForCurrentUser.standardizedFileURL.path
    #expect(configuration.inputs == ["/labs/pathology/slides/incoming/**/*.svs", "/scans/extra.ndpi", "\(home)/more"])
    #expect(configuration.modelPath == "/labs/pathology/models/m.safetensors")
    #expect(configuration.outputDirectory == "/labs/pathology/results")
    #expect(configuration.resultsDatabase == "/labs/pathology/db/results.sqlite")
    #expect(configuration.heatmapDirectory == "/labs/pathology/pipelines/heat")
    #expect(pipeline.lockPath == "/run/tessera/job.lock")
    #expect(pipeline.reportsDirectory == "/labs/pathology/results/reports")
}

@Test func defaultsFillWhatThePipelineLeavesOut() throws {
    let pipeline = try definition(minimal)
    let defaults = RunSettings()
    let configuration = pipeline.settings
    #expect(configuration.modelPath == nil)
    #expect(configuration.resultsDatabase == nil)
    #expect(configuration.heatmapDirectory == nil)
    #expect(configuration.targetMPP == nil)
    #expect(configuration.tileSize == nil)
    #expect(configuration.slideMPP == nil)
    // The schema's defaults are RunSettings': `tessera run` and a pipeline file agree when both say nothing.
    #expect(configuration.overlap == defaults.overlap)
    #expect(configuration.tissue == defaults.tissue)
    #expect(configuration.writeHeatmaps == defaults.writeHeatmaps)
    #expect(configuration.heatmapModelPixels == defaults.heatmapModelPixels)
    #expect(configuration.heatmapFormat == defaults.heatmapFormat && defaults.heatmapFormat == .tiff)
    #expect(configuration.threads == defaults.threads)
    #expect(configuration.readers == defaults.readers)
    #expect(configuration.batchSize == defaults.batchSize)
    #expect(pipeline.lockPath == "/labs/pathology/pipelines/out/.tessera.lock")
}

@Test func everySettingReachesTheRunSettings() throws {
    let text = """
        version: 1
        name: full
        inputs: [a.svs, b.svs]
        tiling: {mpp: 0.25, tile: 256, overlap: 32, slide_mpp: 0.3}
        tissue: {thumbnail_mpp: 16, min_tissue_fraction: 0.2, min_region_area_mm2: 0.5, min_saturation: 12, min_brightness: 40}
        outputs: {directory: /out, heatmaps: false, heatmap_model_pixels: 4, heatmap_format: ome-tiff}
        concurrency: {threads: 8, readers: 3, batch_size: 16}
        """
    let pipeline = try definition(text)
    var expected = RunSettings(inputs: ["/labs/pathology/pipelines/a.svs", "/labs/pathology/pipelines/b.svs"],
                               outputDirectory: "/out")
    expected.writeHeatmaps = false
    expected.heatmapModelPixels = 4
    expected.heatmapFormat = .omeTIFF
    expected.targetMPP = 0.25
    expected.tileSize = 256
    expected.overlap = 32
    expected.tissue = TissueSettings(thumbnailMPP: 16, minimumTissueFraction: 0.2, minimumRegionAreaMM2: 0.5,
                                     minimumSaturation: 12, minimumBrightness: 40)
    expected.slideMPP = 0.3
    expected.threads = 8
    expected.readers = 3
    expected.batchSize = 16
    expected.precisionIsAutomatic = true  // no `precision` key: auto, the pipelines' default
    expected.pipeline = PipelineProvenance(name: "full", hash: pipeline.hash, text: text)
    #expect(pipeline.settings == expected)
    #expect(pipeline.name == "full")
}

@Test func hashIsSHA256OfTheCanonicalResultDefiningSettings() throws {
    let pipeline = try definition(minimal)
    #expect(pipeline.hashedJSON == #"{"model":null,"name":"job","outputs":{"heatmap_model_pixels":8,"heatmaps":true},"#
        + #""tiling":{"mpp":null,"overlap":64,"slide_mpp":null,"tile":null},"#
        + #""tissue":{"min_region_area_mm2":0.01,"min_tissue_fraction":0.05,"thumbnail_mpp":8},"version":1}"#)
    // sha256 of the JSON above, from Python's hashlib.
    let digest = "3150fabfff8b1c4a88548115b08998287a185463624849ef2b03942cc2398451"
    #expect(pipeline.hash == digest)
    #expect(pipeline.settings.pipeline?.hash == digest)
    #expect(pipeline.settings.pipeline?.text == minimal)
}

@Test func hashIgnoresSpellingCommentsOrderDefaultsAndRunOnlySettings() throws {
    let reference = try definition(minimal).hash
    let sameResults = try definition("""
        # the same job, written differently
        outputs: {directory: /elsewhere, lock: /tmp/x.lock, heatmaps: yes}
        concurrency: {threads: 32}
        tissue: {thumbnail_mpp: 8.0, min_tissue_fraction: 5.0e-2}
        tiling:
          overlap: 64
          mpp: null
        description: "spelled out"
        inputs: [other, more]
        name: "job"
        version: 1.0
        """)
    #expect(sameResults.hash == reference)
}

@Test func hashChangesWithEverySettingThatChangesResults() throws {
    let reference = try definition(minimal).hash
    let variants = [
        "tiling: {overlap: 32}", "tiling: {tile: 256}", "tiling: {mpp: 0.25}", "tiling: {slide_mpp: 0.5}",
        "tissue: {thumbnail_mpp: 4}", "tissue: {min_tissue_fraction: 0.1}", "tissue: {min_region_area_mm2: 1}",
        "model: m.safetensors",
    ]
    var hashes: Set<String> = [reference]
    for variant in variants {
        hashes.insert(try definition(minimal + "\n" + variant).hash)
    }
    hashes.insert(try definition(minimal.replacingOccurrences(of: "name: job", with: "name: job2")).hash)
    hashes.insert(try definition(minimal + "\n  heatmaps: false").hash)
    hashes.insert(try definition(minimal + "\n  heatmap_model_pixels: 16").hash)
    #expect(hashes.count == variants.count + 4)
}

@Test func invalidTextThrowsWithEveryDiagnosticAndTheFileName() throws {
    do {
        _ = try definition("""
            version: 1
            name: job
            inputs: [slides]
            tiling: {tile: 256, overlap: 300}
            outputs: {directory: out, heatmapz: true}
            """, file: URL(fileURLWithPath: "pipelines/bad.yaml"))
        Issue.record("an invalid pipeline was accepted")
    } catch {
        #expect(error.kind == .invalidPipeline)
        #expect(error.description == """
            pipelines/bad.yaml:4: tiling.overlap: must be smaller than tiling.tile (got 300 with a 256-pixel tile)
            pipelines/bad.yaml:5: outputs.heatmapz: unknown key (did you mean "heatmaps"?); allowed here: directory, \
            results, heatmaps, heatmap_model_pixels, heatmap_directory, heatmap_format, lock, geojson
            """)
    }
}

@Test func canonicalJSONSortsKeysAndEscapesStrings() throws {
    let value = try DocumentValue.parseYAML(#"{b: [1, 2.5, "x\"y\n"], a: {d: null, c: true}, "é": 3.0}"#).get()
    #expect(PipelineDefinition.canonicalJSON(value) == #"{"a":{"c":true,"d":null},"b":[1,2.5,"x\"y\n"],"é":3}"#)
}

@Test func heatmapFormatIsCheckedAndLeftOutOfTheHash() throws {
    let plain = try definition(minimal)
    let ome = try definition(minimal + "\n  heatmap_format: ome-tiff")
    #expect(ome.settings.heatmapFormat == .omeTIFF)
    #expect(ome.hash == plain.hash)   // the same values either way: a slide done in one format is not redone
    do {
        _ = try definition(minimal + "\n  heatmap_format: png")
        Issue.record("heatmap_format: png was accepted")
    } catch {
        #expect(error.description.contains("outputs.heatmap_format"))
    }
}

/// The `qc` key (issue 26): its values reach the run's settings; at its defaults, and with only exclude_artefacts (what
/// is reported, not what is recorded), the pipeline's hash is the one without the key; off or at another resolution
/// it changes.
@Test func theQCKeyReachesTheSettingsAndHashesOnlyWhatChangesTheRecords() throws {
    let reference = try definition(minimal).hash
    #expect(try definition(minimal).settings.qc == RunSettings().qc)
    let excluded = try definition(minimal + "\nqc: {exclude_artefacts: true}")
    #expect(excluded.settings.qc.excludeArtefacts && excluded.settings.qc.enabled)
    #expect(excluded.hash == reference)
    #expect(try definition(minimal + "\nqc: {enabled: true, mpp: 2}").hash == reference)
    let off = try definition(minimal + "\nqc: {enabled: false}")
    #expect(!off.settings.qc.enabled && off.hash != reference)
    let coarser = try definition(minimal + "\nqc: {mpp: 4}")
    #expect(coarser.settings.qc.micronsPerPixel == 4 && coarser.hash != reference && coarser.hash != off.hash)
}
